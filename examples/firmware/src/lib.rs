//! What every firmware binary of this package shares: output and exit over semihosting without
//! `core::fmt`, the stack high-water measurement, and the panic handler.
//!
//! With the `panic-never` feature the panic handler calls a function that is defined nowhere,
//! so a binary links only if the optimiser removed every panic path from the code it holds:
//! the link-time proof that the crate cannot panic.
#![no_std]

use core::arch::asm;

use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hio::{self, HostStream};

pub mod size;

/// Ends the QEMU session with status 0 (`ok`) or 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
    // A debugger may resume after the exit request; there is nothing left to do.
    loop {
        core::hint::spin_loop();
    }
}

/// The host's stdout, written without `core::fmt` so that the firmware that runs the checks
/// can itself be built with the `panic-never` handler.
pub struct Out(Option<HostStream>);

impl Out {
    /// Opens the host's stdout; writes go nowhere if semihosting refuses.
    pub fn new() -> Self {
        Out(hio::hstdout().ok())
    }

    /// Writes text.
    pub fn str(&mut self, s: &str) -> &mut Self {
        if let Some(stream) = self.0.as_mut() {
            let _ = stream.write_all(s.as_bytes());
        }
        self
    }

    /// Writes an unsigned number in decimal.
    pub fn num(&mut self, mut n: usize) -> &mut Self {
        let mut digits = [0u8; 20];
        let mut start = digits.len();
        loop {
            start -= 1;
            if let Some(d) = digits.get_mut(start) {
                *d = b'0' + (n % 10) as u8;
            }
            n /= 10;
            if n == 0 || start == 0 {
                break;
            }
        }
        if let (Some(stream), Some(text)) = (self.0.as_mut(), digits.get(start..)) {
            let _ = stream.write_all(text);
        }
        self
    }

    /// Writes a 32-bit word in hex, `0x` and eight digits.
    pub fn hex(&mut self, word: u32) -> &mut Self {
        let mut text = *b"0x00000000";
        for (i, slot) in text.iter_mut().skip(2).enumerate() {
            let nibble = (word >> (28 - 4 * i)) & 0xf;
            *slot = b"0123456789abcdef"
                .get(nibble as usize)
                .copied()
                .unwrap_or(b'?');
        }
        if let Some(stream) = self.0.as_mut() {
            let _ = stream.write_all(&text);
        }
        self
    }
}

impl Default for Out {
    fn default() -> Self {
        Self::new()
    }
}

/// Bytes below the caller's stack pointer that [`stack_used`] paints and scans: far more than
/// any call measured here needs, far less than the 4 MiB of RAM.
pub const PAINTED: usize = 16 * 1024;

const PAINT: u32 = 0xDEAD_BEEF;

/// Runs `f` and returns its result and the peak stack it used, in bytes: the stack below the
/// caller's frame is painted with a pattern, `f` runs as a call of its own, and the lowest word
/// no longer holding the pattern marks the high-water. Inlined into the caller, so the count is
/// what the call costs below the caller's stack pointer (return address and saved registers
/// included), not the caller's own frame.
#[inline(always)]
pub fn stack_used<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let top: usize;
    // SAFETY: reads the stack pointer.
    unsafe { asm!("mov {}, sp", out(reg) top, options(nomem, nostack, preserves_flags)) };
    let top = top & !3;
    let bottom = top.wrapping_sub(PAINTED);
    // SAFETY: the words in [bottom, top) are free stack below the current frame (ARM has no red
    // zone), and this loop touches only registers and that range.
    unsafe {
        asm!(
            "2:",
            "subs {p}, #4",
            "str {pat}, [{p}]",
            "cmp {p}, {lo}",
            "bne 2b",
            p = inout(reg) top => _,
            lo = in(reg) bottom,
            pat = in(reg) PAINT,
            options(nostack),
        );
    }
    let result = call(f);
    let mut addr = bottom;
    while addr < top {
        // SAFETY: `addr` is a word-aligned address inside the painted range, below any live
        // frame now that `f` has returned.
        let word = unsafe { core::ptr::read_volatile(addr as *const u32) };
        if word != PAINT {
            break;
        }
        addr += 4;
    }
    (result, top - addr)
}

/// `f` as a call of its own, so that its frame lies below the caller's.
#[inline(never)]
fn call<R>(f: impl FnOnce() -> R) -> R {
    f()
}

/// A fault (a bad address, an undefined instruction) ends the run with a failure instead of
/// the runtime's default endless loop, so QEMU exits and CI does not wait for a timeout.
#[cortex_m_rt::exception]
unsafe fn HardFault(_frame: &cortex_m_rt::ExceptionFrame) -> ! {
    Out::new().str("hard fault\n");
    exit(false)
}

#[cfg(feature = "panic-never")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    unsafe extern "C" {
        /// Defined nowhere: referencing it fails the link.
        fn spatial_dropout_firmware_has_a_panic_path() -> !;
    }
    // SAFETY: never runs; the binary does not link if this call survives optimisation.
    unsafe { spatial_dropout_firmware_has_a_panic_path() }
}

#[cfg(not(feature = "panic-never"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    Out::new().str("panicked\n");
    exit(false)
}
