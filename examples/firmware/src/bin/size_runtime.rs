//! Everything stateless at a rate read at run time: the kernels of `size_kernel`, explicit
//! masks (`draw_mask`, `apply_mask`, `apply_mask_in_place`), and `Rate::new` on a runtime
//! value, which brings the soft-float `f64` routines a Cortex-M4F has no hardware for.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout::{
    DataFormat, Error, Rate, SeedableRng, Shape3D, XorShiftRng, apply_mask, apply_mask_in_place,
    draw_mask, spatial_dropout, spatial_dropout_in_place,
};
use spatial_dropout_firmware::size::harness;

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let dims: [usize; 5] = black_box([1, 2, 2, 2, 8]);
    let shape = Shape3D::from_dims(&dims, black_box(DataFormat::ChannelsLast))?;
    let rate = Rate::new(black_box(0.5))?;
    let mut rng = XorShiftRng::seed_from_u64(black_box(7));
    spatial_dropout(input, output, &shape, rate, &mut rng)?;
    spatial_dropout_in_place(output, &shape, rate, &mut rng)?;
    let mut mask = [0u32; 1];
    draw_mask(&mut mask, shape.maps(), rate, &mut rng)?;
    apply_mask(input, output, &shape, rate, &mask)?;
    apply_mask_in_place(output, &shape, rate, &mask)
}

#[entry]
fn main() -> ! {
    harness(run)
}
