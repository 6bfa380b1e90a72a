//! The kernel as a firmware uses it: dims checked into a `Shape`, a rate fixed at build time
//! (a `const`, as a deployed model fixes it), the generator seeded at run time, and
//! `spatial_dropout` out of place.
//! Dims, seed and buffers come through `black_box`, so no check can be folded away.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use spatial_dropout::{Error, spatial_dropout};
use spatial_dropout_firmware::size::{RATE, harness, kernel_setup};

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let (shape, mut rng) = kernel_setup()?;
    spatial_dropout(input, output, &shape, RATE, &mut rng)
}

#[entry]
fn main() -> ! {
    harness(run)
}
