//! What SpatialDropout3D does, on a tensor small enough to read, and the proof that its masks
//! are Keras's: the maps it drops with seed 42, next to the maps TensorFlow's Keras 3 layer
//! `SpatialDropout3D(0.5, seed=42)` dropped on the same calls (tests/fixtures/keras_masks.json,
//! written by a real tensorflow-cpu 2.16.1 + keras 3.15.1 run).
//!
//! Run with `cargo run --example quickstart`.

use serde_json::Value;
use spatial_dropout::{Error, SpatialDropout3D};

const BATCH: usize = 2;
const DEPTH: usize = 2;
const HEIGHT: usize = 2;
const WIDTH: usize = 2;
const CHANNELS: usize = 4;
const MAPS: usize = BATCH * CHANNELS;
const LEN: usize = BATCH * DEPTH * HEIGHT * WIDTH * CHANNELS;

const KERAS_RUN: &str = include_str!("../tests/fixtures/keras_masks.json");

fn main() -> Result<(), Error> {
    // channels_last, as in Keras: [batch, depth, height, width, channels].
    let dims = [BATCH, DEPTH, HEIGHT, WIDTH, CHANNELS];
    let inputs: [f32; LEN] = core::array::from_fn(|i| 1.0 + i as f32 / 10.0);

    let mut layer = SpatialDropout3D::new(0.5)?.with_seed(42);
    println!(
        "{} rate={} scale={} seed=42 masks={} (kept maps are multiplied by 1/(1-rate))",
        layer.name(),
        layer.rate().get(),
        layer.rate().scale(),
        layer.masks(),
    );
    println!(
        "input dims {dims:?}: {BATCH} samples x {CHANNELS} channels = {MAPS} maps of {} values",
        DEPTH * HEIGHT * WIDTH
    );
    let keras = keras_masks();
    println!("maps in order m = sample * {CHANNELS} + channel; 1 = kept, 0 = dropped\n");
    println!("  call  this crate  Keras (TensorFlow run)");

    let mut outputs = [f32::NAN; LEN];
    let mut all_same = true;
    for (k, keras_keep) in keras.iter().enumerate() {
        layer.call(&inputs, &dims, &mut outputs, true)?;
        let ours: String = (0..MAPS)
            .map(|m| {
                if map_kept(&outputs, m / CHANNELS, m % CHANNELS) {
                    '1'
                } else {
                    '0'
                }
            })
            .collect();
        all_same &= &ours == keras_keep;
        let verdict = if &ours == keras_keep {
            "same"
        } else {
            "DIFFERENT"
        };
        println!("  {k:>4}  {ours:>10}  {keras_keep:>10}  {verdict}");
    }
    println!(
        "  first position, all channels, last call: in {:?} out {:?}",
        &inputs[..CHANNELS],
        &outputs[..CHANNELS]
    );

    // The gradient of the last training call: the same maps dropped, the same scale,
    // recomputed from (seed, call number) rather than stored.
    let grad_outputs = [1.0_f32; LEN];
    let mut grad_inputs = [f32::NAN; LEN];
    layer.backward(&grad_outputs, &dims, &mut grad_inputs)?;
    println!(
        "  backward of the last call, first position: {:?}",
        &grad_inputs[..CHANNELS]
    );
    println!(
        "\ncalls so far: {} (Keras's seed_generator.state is [42, {}])",
        layer.calls(),
        layer.calls()
    );

    layer.call(&inputs, &dims, &mut outputs, false)?;
    let same = inputs
        .iter()
        .zip(&outputs)
        .all(|(x, y)| x.to_bits() == y.to_bits());
    println!("inference call: output is the input, bit for bit: {same}");
    if !all_same {
        eprintln!("a mask differs from Keras's");
        std::process::exit(1);
    }
    Ok(())
}

/// The keep strings Keras drew for this tensor, one per call, from the committed TensorFlow run.
fn keras_masks() -> Vec<String> {
    let doc: Value = serde_json::from_str(KERAS_RUN).expect("keras_masks.json is JSON");
    let case = doc["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|c| c["id"] == "quickstart"))
        .expect("the quickstart case");
    case["calls"]
        .as_array()
        .expect("calls")
        .iter()
        .map(|call| call["keep"].as_str().expect("keep").to_owned())
        .collect()
}

/// Whether map (n, c) survived: in Keras's channels_last layout the map is every
/// `CHANNELS`-th value of the sample, and it is either all zero or all scaled.
fn map_kept(outputs: &[f32], n: usize, c: usize) -> bool {
    let map_len = DEPTH * HEIGHT * WIDTH;
    (0..map_len).any(|p| outputs[n * map_len * CHANNELS + p * CHANNELS + c] != 0.0)
}
