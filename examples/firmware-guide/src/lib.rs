//! The code of docs/firmware.md, step by step: a TRNG-seeded `SpatialDropout1D`, Monte Carlo
//! dropout with mean and standard deviation, backward, and a layer read from Keras JSON.
//!
//! It is a library beside `src/main.rs` so that the `size_*` binaries can link one step more
//! each and be measured against an empty firmware.
#![no_std]

pub mod out;
pub mod trng;

use spatial_dropout::{Error, Rate, SpatialDropout1D, TryRng06, rate};

pub use trng::Trng;

/// A panic ends the QEMU run with a failure. (spatial-dropout itself has no panic path.)
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    out::exit(false)
}

/// Time steps of the signal.
pub const STEPS: usize = 32;
/// Feature maps the dropout layer sees.
pub const CHANNELS: usize = 8;
/// The layer's input: `[batch, steps, channels]`, channels_last as in Keras.
pub const DIMS: [usize; 3] = [1, STEPS, CHANNELS];
/// Elements of one input.
pub const LEN: usize = STEPS * CHANNELS;
/// The model's dropout rate, checked when the firmware is built: `rate!(1.3)` does not compile.
pub const RATE: Rate = rate!(0.3);

// ---- Step 1: a layer seeded by the TRNG ------------------------------------------------------

/// A `SpatialDropout1D` whose masks start from a seed the TRNG draws. The TRNG is a rand_core
/// 0.6 generator, as HAL drivers are; `TryRng06` takes it through `try_fill_bytes`, so a
/// hardware error is `Error::RngFailed`, not a panic.
pub fn seeded_layer(trng: &mut Trng) -> Result<SpatialDropout1D, Error> {
    let mut layer = SpatialDropout1D::with_rate(RATE);
    layer.reseed_from(&mut TryRng06(trng))?;
    Ok(layer)
}

// ---- Step 2: Monte Carlo dropout --------------------------------------------------------------

/// Per-channel weights of the layer before dropout: `h[t, c] = relu(W[c] · x[t] + B[c])`.
const W: [f32; CHANNELS] = [0.9, -0.6, 1.2, 0.4, -1.1, 0.7, 0.5, -0.3];
const B: [f32; CHANNELS] = [0.1, 0.5, -0.2, 0.3, 0.6, 0.0, 0.2, 0.4];
/// The dense head after global average pooling.
const DENSE: [f32; CHANNELS] = [0.9, -0.4, 0.7, 0.3, -0.8, 0.6, 0.5, -0.2];

/// The features the dropout layer sees, channels_last: `h[t * CHANNELS + c]`.
pub fn features(signal: &[f32; STEPS]) -> [f32; LEN] {
    let mut h = [0.0; LEN];
    for (row, x) in h.chunks_exact_mut(CHANNELS).zip(signal) {
        for ((v, w), b) in row.iter_mut().zip(W).zip(B) {
            *v = (w * x + b).max(0.0);
        }
    }
    h
}

/// Global average pooling over time, then the dense layer: one prediction.
pub fn head(h: &[f32; LEN]) -> f32 {
    let mut pooled = [0.0; CHANNELS];
    for row in h.chunks_exact(CHANNELS) {
        for (p, v) in pooled.iter_mut().zip(row) {
            *p += v;
        }
    }
    pooled
        .iter()
        .zip(DENSE)
        .map(|(p, w)| w * p / STEPS as f32)
        .sum()
}

/// Mean and sample standard deviation of `passes` predictions with dropout on.
#[derive(Debug, Clone, Copy)]
pub struct Prediction {
    /// The MC estimate of the prediction.
    pub mean: f32,
    /// Its spread: the model's uncertainty for this input.
    pub std: f32,
}

/// Runs the head `passes` times on `hidden` with a fresh dropout mask each time (Welford's
/// running mean and variance: no buffer of predictions). The layer's last training call is
/// the last pass, which [`backward`] differentiates.
pub fn mc_dropout(
    layer: &mut SpatialDropout1D,
    hidden: &[f32; LEN],
    passes: u32,
) -> Result<Prediction, Error> {
    let (mut mean, mut m2) = (0.0f32, 0.0f32);
    let mut h = [0.0; LEN];
    for pass in 1..=passes {
        layer.call(hidden, &DIMS, &mut h, true)?;
        let y = head(&h);
        let delta = y - mean;
        mean += delta / pass as f32;
        m2 += delta * (y - mean);
    }
    let variance = if passes > 1 {
        m2 / (passes - 1) as f32
    } else {
        0.0
    };
    Ok(Prediction {
        mean,
        std: libm::sqrtf(variance),
    })
}

// ---- Step 3: backward -------------------------------------------------------------------------

/// The gradient of [`head`] with respect to its input: `DENSE[c] / STEPS` at every step.
pub fn head_gradient() -> [f32; LEN] {
    let mut g = [0.0; LEN];
    for row in g.chunks_exact_mut(CHANNELS) {
        for (v, w) in row.iter_mut().zip(DENSE) {
            *v = w / STEPS as f32;
        }
    }
    g
}

/// The gradient through the dropout layer of its last training call: the head's gradient
/// times the scale on the maps that call kept, `+0.0` on the others.
pub fn backward(layer: &SpatialDropout1D, grad_inputs: &mut [f32; LEN]) -> Result<(), Error> {
    layer.backward(&head_gradient(), &DIMS, grad_inputs)
}

// ---- Step 4: the layer from Keras JSON ----------------------------------------------------------

/// What `json.dumps(layer.get_config())` gives for the Keras model's layer. `"seed": null`:
/// Keras draws a seed, and so does the firmware, from the TRNG.
pub const KERAS_CONFIG: &[u8] =
    br#"{"rate": 0.3, "seed": null, "name": "mc_dropout", "dtype": "float32"}"#;

/// The buffer `write_config` needs for this layer, computed when the firmware is built.
pub const CONFIG_LEN: usize = SpatialDropout1D::max_config_len("mc_dropout");

/// The layer of [`KERAS_CONFIG`], seeded by the TRNG.
pub fn keras_layer(trng: &mut Trng) -> Result<SpatialDropout1D, Error> {
    let mut layer = SpatialDropout1D::from_config(KERAS_CONFIG)?;
    layer.reseed_from(&mut TryRng06(trng))?;
    Ok(layer)
}

/// Prints an error as its code and short message: no formatting code is linked.
pub fn print_error(e: &Error) {
    out::print("error ");
    out::print_u64(u64::from(e.code()));
    out::print(": ");
    out::print(e.as_str());
    out::print("\n");
}
