//! What SpatialDropout3D does, on a tensor small enough to read.
//!
//! Run with `cargo run --example quickstart`.

use spatial_dropout::{Error, SpatialDropout3D};

const BATCH: usize = 2;
const DEPTH: usize = 2;
const HEIGHT: usize = 2;
const WIDTH: usize = 2;
const CHANNELS: usize = 4;
const LEN: usize = BATCH * DEPTH * HEIGHT * WIDTH * CHANNELS;

fn main() -> Result<(), Error> {
    // channels_last, as in Keras: [batch, depth, height, width, channels].
    let dims = [BATCH, DEPTH, HEIGHT, WIDTH, CHANNELS];
    let inputs: [f32; LEN] = core::array::from_fn(|i| 1.0 + i as f32 / 10.0);

    let mut layer = SpatialDropout3D::new(0.5)?.with_seed(42);
    println!(
        "{} rate={} scale={} (kept maps are multiplied by 1/(1-rate))",
        layer.name(),
        layer.rate().get(),
        layer.rate().scale()
    );
    println!(
        "input dims {dims:?}: {BATCH} samples x {CHANNELS} channels = {} maps of {} values",
        BATCH * CHANNELS,
        DEPTH * HEIGHT * WIDTH
    );

    let mut outputs = [f32::NAN; LEN];
    for step in 1..=2 {
        layer.call(&inputs, &dims, &mut outputs, true)?;
        println!("\ntraining call {step}:");
        for n in 0..BATCH {
            let row: Vec<&str> = (0..CHANNELS)
                .map(|c| {
                    if map_kept(&outputs, n, c) {
                        "kept"
                    } else {
                        "DROPPED"
                    }
                })
                .collect();
            println!("  sample {n}: channels {row:?}");
        }
        let dropped: Vec<(usize, usize)> = (0..BATCH)
            .flat_map(|n| (0..CHANNELS).map(move |c| (n, c)))
            .filter(|&(n, c)| !map_kept(&outputs, n, c))
            .collect();
        println!("  dropped (sample, channel) maps: {dropped:?}");
        println!(
            "  first position, all channels: in {:?}",
            &inputs[..CHANNELS]
        );
        println!(
            "                                 out {:?}",
            &outputs[..CHANNELS]
        );
    }

    // The gradient of the last training call: the same maps dropped, the same scale.
    let grad_outputs = [1.0_f32; LEN];
    let mut grad_inputs = [f32::NAN; LEN];
    layer.backward(&grad_outputs, &dims, &mut grad_inputs)?;
    println!(
        "  backward of call 2, first position: {:?}",
        &grad_inputs[..CHANNELS]
    );

    layer.call(&inputs, &dims, &mut outputs, false)?;
    let same = inputs
        .iter()
        .zip(&outputs)
        .all(|(x, y)| x.to_bits() == y.to_bits());
    println!("\ninference call: output is the input, bit for bit: {same}");
    Ok(())
}

/// Whether map (n, c) survived: in Keras's channels_last layout the map is every
/// `CHANNELS`-th value of the sample, and it is either all zero or all scaled.
fn map_kept(outputs: &[f32], n: usize, c: usize) -> bool {
    let map_len = DEPTH * HEIGHT * WIDTH;
    (0..map_len).any(|p| outputs[n * map_len * CHANNELS + p * CHANNELS + c] != 0.0)
}
