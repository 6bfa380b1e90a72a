//! `size_kernel` with `spatial_dropout_in_place` instead: one buffer, as a firmware short of
//! RAM uses it.
//! Dims, seed and buffers come through `black_box`, so no check can be folded away.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout::{Error, spatial_dropout_in_place};
use spatial_dropout_firmware::size::{RATE, harness, kernel_setup};

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let (shape, mut rng) = kernel_setup()?;
    black_box(input);
    spatial_dropout_in_place(output, &shape, RATE, &mut rng)
}

#[entry]
fn main() -> ! {
    harness(run)
}
