//! Everything of `size_runtime` plus the Keras layer: builder, forward out of place and in
//! place, inference, backward.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout::{
    DataFormat, Error, Rate, SeedableRng, Shape3D, SpatialDropout3D, XorShiftRng, apply_mask,
    apply_mask_in_place, draw_mask, spatial_dropout, spatial_dropout_in_place,
};
use spatial_dropout_firmware::size::harness;

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), Error> {
    let dims: [usize; 5] = black_box([1, 2, 2, 2, 8]);
    let format = black_box(DataFormat::ChannelsLast);
    let shape = Shape3D::from_dims(&dims, format)?;
    let rate = Rate::new(black_box(0.5))?;
    let mut rng = XorShiftRng::seed_from_u64(black_box(7));
    spatial_dropout(input, output, &shape, rate, &mut rng)?;
    spatial_dropout_in_place(output, &shape, rate, &mut rng)?;
    let mut mask = [0u32; 1];
    draw_mask(&mut mask, shape.maps(), rate, &mut rng)?;
    apply_mask(input, output, &shape, rate, &mask)?;
    apply_mask_in_place(output, &shape, rate, &mask)?;

    let mut layer = SpatialDropout3D::new(black_box(0.25))?
        .with_seed(black_box(42))
        .with_data_format(format)
        .with_name(black_box("dropout"))?;
    layer.call(input, &dims, output, black_box(true))?;
    layer.call(input, &dims, output, black_box(false))?;
    layer.call_in_place(output, &dims, black_box(true))?;
    layer.backward(input, &dims, output)
}

#[entry]
fn main() -> ! {
    harness(run)
}
