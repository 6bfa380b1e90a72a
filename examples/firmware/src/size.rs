//! What the `size_*` binaries share, so that each binary differs from `size_empty` only by the
//! API it calls (`size-report.py` subtracts `size_empty`).

use core::hint::black_box;

use spatial_dropout::{DataFormat, Error, Rate, SeedableRng, Shape3D, XorShiftRng};

use crate::exit;

/// The harness: two 64-element buffers whose addresses escape, `run` on them, and the exit
/// status. Inlined into each binary's `main`.
#[inline(always)]
pub fn harness<E>(run: impl FnOnce(&mut [f32], &mut [f32]) -> Result<(), E>) -> ! {
    let mut input = [0.0f32; 64];
    let mut output = [0.0f32; 64];
    let ok = run(black_box(&mut input), black_box(&mut output)).is_ok();
    exit(ok)
}

/// The rate of a deployed model, checked at compile time: no `f64` arithmetic at run time.
pub const RATE: Rate = match Rate::new(0.5) {
    Ok(rate) => rate,
    Err(_) => panic!("not a rate"),
};

/// What a firmware does before a kernel call: dims checked into a `Shape`, and a generator
/// seeded at run time. Dims and seed come through `black_box`, so no check can be folded away.
#[inline(always)]
pub fn kernel_setup() -> Result<(Shape3D, XorShiftRng), Error> {
    let dims: [usize; 5] = black_box([1, 2, 2, 2, 8]);
    let shape = Shape3D::from_dims(&dims, black_box(DataFormat::ChannelsLast))?;
    Ok((shape, XorShiftRng::seed_from_u64(black_box(7))))
}
