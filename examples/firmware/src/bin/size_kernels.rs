//! Both kernels of `size_kernel` and `size_kernel_in_place` in one firmware.
//! Dims, seed and buffers come through `black_box`, so no check can be folded away.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout::{
    DataFormat, Error, Rate, SeedableRng, Shape3D, XorShiftRng, spatial_dropout,
    spatial_dropout_in_place,
};
use spatial_dropout_firmware::exit;

/// The rate of a deployed model, checked at compile time: no `f64` arithmetic at run time.
const RATE: Rate = match Rate::new(0.5) {
    Ok(rate) => rate,
    Err(_) => panic!("not a rate"),
};

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let dims: [usize; 5] = black_box([1, 2, 2, 2, 8]);
    let shape = Shape3D::from_dims(&dims, black_box(DataFormat::ChannelsLast))?;
    let rate = RATE;
    let mut rng = XorShiftRng::seed_from_u64(black_box(7));
    spatial_dropout(input, output, &shape, rate, &mut rng)?;
    spatial_dropout_in_place(output, &shape, rate, &mut rng)
}

#[entry]
fn main() -> ! {
    let mut input = [0.0f32; 64];
    let mut output = [0.0f32; 64];
    let ok = run(black_box(&mut input), black_box(&mut output)).is_ok();
    exit(ok)
}
