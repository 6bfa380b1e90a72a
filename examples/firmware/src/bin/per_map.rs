//! Instructions executed per map, for `size-report.py`: QEMU is not cycle-accurate, but with
//! `-icount shift=0` it advances its virtual clock by exactly 1 ns per executed instruction, and
//! the SysTick timer counts that clock. This binary calibrates the timer against a loop of a
//! known instruction count, then times the mask code on `MAPS` maps and prints instructions per
//! map (two decimals). Run without `-icount` (e.g. `cargo run`), the numbers mean nothing: the
//! clock is then the host's.
#![no_std]
#![no_main]

use core::arch::asm;
use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout::{
    Masks, Rate, SeedableRng, SpatialDropout1D, XorShiftRng, draw_mask, keras_mask, mask_words,
};
use spatial_dropout_firmware::{Out, exit};

/// Maps per measured call: long enough that a call's fixed cost (the Keras stream's key, one
/// Philox block) is below 0.05 instructions a map, short enough for SysTick's 24 bits.
const MAPS: usize = 8192;
const WORDS: usize = mask_words(MAPS);
/// Iterations of the two-instruction calibration loop.
const CALIBRATION: u32 = 1_000_000;

const SYST_CSR: *mut u32 = 0xE000_E010 as *mut u32;
const SYST_RVR: *mut u32 = 0xE000_E014 as *mut u32;
const SYST_CVR: *mut u32 = 0xE000_E018 as *mut u32;

/// Starts SysTick on the processor clock, counting down from 2²⁴ − 1, no interrupt.
fn start_systick() {
    // SAFETY: SysTick's registers, written as the Armv6-M/Armv7-M architecture defines them;
    // nothing else in this program uses SysTick.
    unsafe {
        core::ptr::write_volatile(SYST_RVR, 0x00FF_FFFF);
        core::ptr::write_volatile(SYST_CVR, 0);
        core::ptr::write_volatile(SYST_CSR, 0b101); // ENABLE, CLKSOURCE = processor clock
    }
}

fn systick() -> u32 {
    // SAFETY: reads SysTick's current value register.
    unsafe { core::ptr::read_volatile(SYST_CVR) }
}

/// SysTick ticks `f` takes (it counts down; one wrap of 2²⁴ at most).
#[inline(never)]
fn ticks(f: impl FnOnce()) -> u32 {
    let start = systick();
    f();
    let end = systick();
    start.wrapping_sub(end) & 0x00FF_FFFF
}

/// `n` iterations of `subs; bne`: `2n` instructions.
#[inline(never)]
fn two_instruction_loop(n: u32) {
    // SAFETY: a register countdown; no memory, no stack.
    unsafe {
        asm!(
            "2:",
            "subs {n}, #1",
            "bne 2b",
            n = inout(reg) n => _,
            options(nomem, nostack),
        );
    }
}

/// Writes `name: x.xx instructions per map` for `ticks` ticks over `MAPS` maps.
fn per_map(out: &mut Out, name: &str, ticks: u32, ticks_per_loop: u32) {
    // Instructions = ticks · (2 · CALIBRATION / ticks_per_loop); in hundredths per map.
    let instructions = u64::from(ticks) * u64::from(2 * CALIBRATION);
    let hundredths = (instructions * 100)
        .checked_div(u64::from(ticks_per_loop) * MAPS as u64)
        .unwrap_or(0);
    let hundredths = usize::try_from(hundredths).unwrap_or(usize::MAX);
    out.str("per map ")
        .str(name)
        .str(" ")
        .num(hundredths / 100)
        .str(".")
        .str(if hundredths % 100 < 10 { "0" } else { "" })
        .num(hundredths % 100)
        .str("\n");
}

#[entry]
fn main() -> ! {
    let mut out = Out::new();
    start_systick();
    let loop_ticks = ticks(|| two_instruction_loop(black_box(CALIBRATION)));
    out.str("calibration: ")
        .num(2 * CALIBRATION as usize)
        .str(" instructions in ")
        .num(loop_ticks as usize)
        .str(" SysTick ticks\n");

    let rate = Rate::new(black_box(0.5)).unwrap_or(Rate::ZERO);
    let seed = black_box(42);
    let mut ok = loop_ticks > 0 && rate.get() == 0.5;
    let mut mask = [0u32; WORDS];

    // The Keras scheme's decisions alone: Philox 4x32-10, a block per four maps.
    let t = ticks(|| ok &= keras_mask(&mut mask, MAPS, rate, seed, 7, Masks::Keras).is_ok());
    per_map(&mut out, "keras_mask", t, loop_ticks);

    // The XorShift scheme's: one next_u32 per map.
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let t = ticks(|| ok &= draw_mask(&mut mask, MAPS, rate, &mut rng).is_ok());
    per_map(&mut out, "draw_mask(xorshift)", t, loop_ticks);

    // A layer's training call on maps of one element (1D, [1, 1, MAPS]): decisions and the
    // walk that applies them, per map.
    let input = [1.0f32; MAPS];
    let mut output = [0.0f32; MAPS];
    let dims = black_box([1, 1, MAPS]);
    for (name, masks) in [
        ("layer.call(keras)", Masks::Keras),
        ("layer.call(xorshift)", Masks::XorShift),
    ] {
        let mut layer = SpatialDropout1D::with_rate(rate)
            .with_seed(seed)
            .with_masks(masks);
        let t = ticks(|| ok &= layer.call(&input, &dims, &mut output, true).is_ok());
        per_map(&mut out, name, t, loop_ticks);
    }
    exit(ok)
}
