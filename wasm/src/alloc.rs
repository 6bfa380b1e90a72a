//! The global allocator of the module: one address-ordered free list with first fit, splitting
//! and coalescing, over pages from `memory.grow`.
//!
//! Why not the standard library's dlmalloc: it is about 8.5 KB of the module's code, for an
//! allocation pattern this package does not have (a few strings, layers and tensors at a time).
//! This one is about 0.6 KB. Blocks are headerless: Rust passes the layout back to `dealloc`,
//! so the size of a block is the caller's size rounded up to [`UNIT`]. A free block holds its
//! size and the address of the next free block in its first 8 bytes. Adjacent free blocks are
//! merged when freed, so memory freed by large tensors serves later tensors of any size, as
//! with dlmalloc.
//!
//! The module is single-threaded (`wasm32-unknown-unknown` without the `atomics` feature), so
//! the list head lives in a `Cell` and no call can interleave with another.
//!
//! Every `unsafe` block here reads or writes the 8-byte node of a free block: memory that this
//! allocator owns (it came from `memory.grow` and is not allocated), 16-byte aligned.

#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::{memory_grow, memory_size};
use core::cell::Cell;
use core::ptr;

/// Granularity and alignment of every block (the largest alignment Rust asks for on wasm32).
const UNIT: usize = 16;
/// Bytes of a wasm page.
const PAGE: usize = 65_536;

/// The allocator; `Cell` state, shared by the one thread.
pub struct FreeList {
    /// Address of the lowest free block, 0 for none (address 0 is never in the heap).
    head: Cell<usize>,
}

// SAFETY: wasm32-unknown-unknown without `atomics` runs one thread, so the `Cell` is never
// touched from two threads.
unsafe impl Sync for FreeList {}

impl FreeList {
    /// An empty allocator: it takes pages from `memory.grow` as it needs them.
    pub const fn new() -> Self {
        FreeList { head: Cell::new(0) }
    }
}

impl Default for FreeList {
    fn default() -> Self {
        Self::new()
    }
}

/// The node of a free block: (size in bytes, address of the next free block or 0).
fn read(block: usize) -> (usize, usize) {
    // SAFETY: `block` is a free block of this allocator (see the module docs): at least
    // `UNIT` bytes, aligned to `UNIT`, owned by the allocator.
    unsafe {
        let p = block as *const usize;
        (ptr::read(p), ptr::read(p.add(1)))
    }
}

fn write(block: usize, size: usize, next: usize) {
    // SAFETY: as in `read`.
    unsafe {
        let p = block as *mut usize;
        ptr::write(p, size);
        ptr::write(p.add(1), next);
    }
}

/// The block size of `layout`, `None` for an alignment above `UNIT` (nothing in this crate
/// asks for one; `alloc` then returns null, which Rust reports as an allocation failure).
fn block_size(layout: Layout) -> Option<usize> {
    if layout.align() > UNIT {
        return None;
    }
    Some(layout.size().checked_add(UNIT - 1)? & !(UNIT - 1)).map(|n| n.max(UNIT))
}

impl FreeList {
    /// Sets the link that points at the block after `prev` (the head when `prev` is 0).
    fn link(&self, prev: usize, next: usize) {
        if prev == 0 {
            self.head.set(next);
        } else {
            let (size, _) = read(prev);
            write(prev, size, next);
        }
    }

    /// Adds `[block, block + size)` to the list, merging it with free neighbours.
    fn insert(&self, block: usize, size: usize) {
        // The free blocks before and after `block`, by address.
        let (mut prev, mut next) = (0, self.head.get());
        while next != 0 && next < block {
            prev = next;
            next = read(next).1;
        }
        let (mut block, mut size) = (block, size);
        if next != 0 && block.checked_add(size) == Some(next) {
            let (next_size, after) = read(next);
            size += next_size;
            next = after;
        }
        if prev != 0 {
            let (prev_size, _) = read(prev);
            if prev.checked_add(prev_size) == Some(block) {
                block = prev;
                size += prev_size;
                // `prev` absorbs the block: the link into it stays as it is.
                write(block, size, next);
                return;
            }
        }
        write(block, size, next);
        self.link(prev, block);
    }

    /// First fit: takes `size` bytes from the end of the first free block that holds them.
    fn take(&self, size: usize) -> Option<usize> {
        let (mut prev, mut block) = (0, self.head.get());
        while block != 0 {
            let (free, next) = read(block);
            if free >= size {
                if free == size {
                    self.link(prev, next);
                } else {
                    write(block, free - size, next);
                }
                return Some(block + (free - size));
            }
            prev = block;
            block = next;
        }
        None
    }

    /// Grows memory by enough whole pages for `size` bytes and adds them to the list.
    fn grow(&self, size: usize) -> Option<()> {
        let pages = size.checked_add(PAGE - 1)? / PAGE;
        let old = memory_grow(0, pages);
        if old == usize::MAX {
            return None;
        }
        // Pages are 64 KiB aligned, so the new block is `UNIT` aligned.
        self.insert(old.checked_mul(PAGE)?, pages.checked_mul(PAGE)?);
        Some(())
    }
}

// SAFETY: blocks come from the free list, which holds only memory this allocator owns and has
// not handed out; a block is handed out once until it is freed; `dealloc` receives the layout
// it was allocated with (Rust's contract), so the block size computed from it is the same.
unsafe impl GlobalAlloc for FreeList {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let Some(size) = block_size(layout) else {
            return ptr::null_mut();
        };
        let block = match self.take(size) {
            Some(block) => block,
            None => match self.grow(size).and_then(|()| self.take(size)) {
                Some(block) => block,
                None => return ptr::null_mut(),
            },
        };
        block as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if let Some(size) = block_size(layout) {
            self.insert(ptr as usize, size);
        }
    }
}

/// Pages of wasm memory, for the tests of this allocator.
pub fn pages() -> usize {
    memory_size(0)
}
