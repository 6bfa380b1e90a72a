//! Both kernels of `size_kernel` and `size_kernel_in_place` in one firmware.
//! Dims, seed and buffers come through `black_box`, so no check can be folded away.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use spatial_dropout::{Error, spatial_dropout, spatial_dropout_in_place};
use spatial_dropout_firmware::size::{RATE, harness, kernel_setup};

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let (shape, mut rng) = kernel_setup()?;
    spatial_dropout(input, output, &shape, RATE, &mut rng)?;
    spatial_dropout_in_place(output, &shape, RATE, &mut rng)
}

#[entry]
fn main() -> ! {
    harness(run)
}
