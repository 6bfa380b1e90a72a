//! Monte Carlo dropout: keep dropout on at inference and run the model T times; the spread of
//! the predictions estimates the model's uncertainty.
//!
//! The model is tiny and fixed: a 1-D convolution (1 → 8 channels, kernel 3) over a 32-step
//! signal, ReLU, `SpatialDropout1D(0.3)`, global average pooling, and a dense layer to one
//! output. Every buffer is a fixed-size array: the loop allocates nothing, as on a
//! microcontroller.
//!
//! Run with `cargo run --release --example mc_dropout`.

use spatial_dropout::{Error, SpatialDropout1D};

const STEPS: usize = 32;
const CHANNELS: usize = 8;
const KERNEL: usize = 3;
const PASSES: usize = 200;

/// Fixed weights, as if trained: channel c detects a slope or a level.
fn conv_weights() -> [[f32; KERNEL]; CHANNELS] {
    core::array::from_fn(|c| {
        let c = c as f32;
        [0.25 - 0.1 * c, 0.5, 0.1 * c - 0.25]
    })
}

const DENSE: [f32; CHANNELS] = [0.9, -0.4, 0.7, 0.3, -0.8, 0.6, 0.5, -0.2];
const DENSE_BIAS: f32 = 0.1;

/// Conv1D + ReLU, channels_last: `features[t * CHANNELS + c]`.
fn features(signal: &[f32; STEPS], out: &mut [f32; STEPS * CHANNELS]) {
    let w = conv_weights();
    for t in 0..STEPS {
        for (c, wc) in w.iter().enumerate() {
            let mut acc = 0.0;
            for (k, wk) in wc.iter().enumerate() {
                // 'same' padding with zeros.
                let i = t as isize + k as isize - 1;
                if (0..STEPS as isize).contains(&i) {
                    acc += wk * signal[i as usize];
                }
            }
            out[t * CHANNELS + c] = acc.max(0.0);
        }
    }
}

/// Global average pooling over time, then the dense layer.
fn head(features: &[f32; STEPS * CHANNELS]) -> f32 {
    let mut y = DENSE_BIAS;
    for (c, w) in DENSE.iter().enumerate() {
        let mean = (0..STEPS).map(|t| features[t * CHANNELS + c]).sum::<f32>() / STEPS as f32;
        y += w * mean;
    }
    y
}

fn main() -> Result<(), Error> {
    let dims = [1, STEPS, CHANNELS];
    let mut dropout = SpatialDropout1D::new(0.3)?.with_seed(2024);

    for (label, signal) in [
        ("ramp", core::array::from_fn(|t| t as f32 / STEPS as f32)),
        ("sine", core::array::from_fn(|t| (t as f32 * 0.4).sin())),
    ] {
        let mut hidden = [0.0_f32; STEPS * CHANNELS];
        features(&signal, &mut hidden);
        let deterministic = {
            let mut h = hidden;
            dropout.call_in_place(&mut h, &dims, false)?;
            head(&h)
        };

        // Welford's running mean and variance: no buffer of T predictions needed.
        let (mut mean, mut m2) = (0.0_f64, 0.0_f64);
        let mut dropped_maps = 0;
        for pass in 1..=PASSES {
            let mut h = hidden;
            dropout.call_in_place(&mut h, &dims, true)?;
            dropped_maps += (0..CHANNELS)
                .filter(|&c| (0..STEPS).all(|t| h[t * CHANNELS + c] == 0.0))
                .count();
            let y = f64::from(head(&h));
            let delta = y - mean;
            mean += delta / pass as f64;
            m2 += delta * (y - mean);
        }
        let std = (m2 / (PASSES - 1) as f64).sqrt();
        println!(
            "{label}: deterministic {deterministic:.4}; MC dropout over {PASSES} passes: mean {mean:.4}, std {std:.4}; {:.1}% of maps all-zero",
            100.0 * dropped_maps as f64 / (PASSES * CHANNELS) as f64
        );
    }
    Ok(())
}
