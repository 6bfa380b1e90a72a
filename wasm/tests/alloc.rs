//! The module's allocator (`src/alloc.rs`), which is also the global allocator of this test
//! binary: blocks never overlap, keep their contents and alignment, and freed memory is reused
//! (with merging of neighbours), so repeated tensors do not grow wasm memory.

// Calling an allocator directly is `unsafe`: each call passes back a live block with the layout
// it was allocated with, and reads only the bytes of live blocks.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout};

use spatial_dropout_wasm::alloc::{FreeList, pages};
use wasm_bindgen_test::wasm_bindgen_test;

/// A small deterministic generator for the random workloads.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Random sizes and alignments, allocated and freed in random order: every live block is
/// aligned, disjoint from the others and keeps the bytes written into it.
#[wasm_bindgen_test]
fn random_blocks_are_aligned_disjoint_and_keep_their_bytes() {
    let heap = FreeList::new();
    let mut rng = Lcg(7);
    let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
    for step in 0..4000_u32 {
        if live.is_empty() || rng.next() % 3 < 2 {
            let size = match rng.next() % 4 {
                0 => 1 + (rng.next() % 16) as usize,
                1 => 1 + (rng.next() % 300) as usize,
                2 => 1 + (rng.next() % 5000) as usize,
                _ => 1 + (rng.next() % 200_000) as usize,
            };
            let align = 1 << (rng.next() % 5);
            let layout = Layout::from_size_align(size, align).unwrap();
            let ptr = unsafe { heap.alloc(layout) };
            assert!(!ptr.is_null(), "step {step}: allocation of {size} failed");
            assert_eq!(ptr as usize % align, 0, "step {step}: misaligned");
            let fill = step as u8;
            unsafe { ptr.write_bytes(fill, size) };
            live.push((ptr, layout, fill));
        } else {
            let i = (rng.next() as usize) % live.len();
            let (ptr, layout, fill) = live.swap_remove(i);
            let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            assert!(
                bytes.iter().all(|&b| b == fill),
                "step {step}: a block was overwritten"
            );
            unsafe { heap.dealloc(ptr, layout) };
        }
        // No two live blocks overlap.
        if step % 97 == 0 {
            let mut spans: Vec<(usize, usize)> = live
                .iter()
                .map(|(p, l, _)| (*p as usize, *p as usize + l.size()))
                .collect();
            spans.sort_unstable();
            for pair in spans.windows(2) {
                assert!(pair[0].1 <= pair[1].0, "step {step}: blocks overlap");
            }
        }
    }
    for (ptr, layout, fill) in live {
        let bytes = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
        assert!(bytes.iter().all(|&b| b == fill));
        unsafe { heap.dealloc(ptr, layout) };
    }
}

/// Freed memory is merged and reused: tensors of growing sizes, each freed before the next,
/// and many small blocks freed in an interleaved order, do not make wasm memory grow past what
/// the largest live set needs.
#[wasm_bindgen_test]
fn freed_memory_is_merged_and_reused() {
    let heap = FreeList::new();
    let mib = 1 << 20;
    // Warm up: the largest tensor once.
    let big = Layout::from_size_align(16 * mib, 4).unwrap();
    let p = unsafe { heap.alloc(big) };
    assert!(!p.is_null());
    unsafe { heap.dealloc(p, big) };
    // The test's own vector, from the global allocator, before memory is measured.
    let mut blocks: Vec<*mut u8> = Vec::with_capacity(10_000);
    let before = pages();
    // Two tensors at a time (input and output), sizes growing up to the warm-up size: the
    // first-fit splits of the freed region must merge back each time.
    for n in 1..=8 {
        let layout = Layout::from_size_align(n * mib, 4).unwrap();
        let a = unsafe { heap.alloc(layout) };
        let b = unsafe { heap.alloc(layout) };
        assert!(!a.is_null() && !b.is_null());
        unsafe {
            heap.dealloc(b, layout);
            heap.dealloc(a, layout);
        }
    }
    // Many small blocks, freed odd ones first, then even ones: the gaps merge back.
    let small = Layout::from_size_align(48, 8).unwrap();
    blocks.extend((0..10_000).map(|_| unsafe { heap.alloc(small) }));
    assert!(blocks.iter().all(|b| !b.is_null()));
    for (i, &b) in blocks.iter().enumerate() {
        if i % 2 == 1 {
            unsafe { heap.dealloc(b, small) };
        }
    }
    for (i, &b) in blocks.iter().enumerate() {
        if i % 2 == 0 {
            unsafe { heap.dealloc(b, small) };
        }
    }
    let p = unsafe { heap.alloc(big) };
    assert!(
        !p.is_null(),
        "the merged free memory holds the largest tensor again"
    );
    unsafe { heap.dealloc(p, big) };
    assert_eq!(
        pages(),
        before,
        "wasm memory grew although freed memory sufficed"
    );
}

/// An alignment above 16 is refused with null (an allocation failure), never a wrong block.
#[wasm_bindgen_test]
fn large_alignments_are_refused() {
    let heap = FreeList::new();
    let layout = Layout::from_size_align(64, 64).unwrap();
    assert!(unsafe { heap.alloc(layout) }.is_null());
}
