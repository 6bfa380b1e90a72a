//! The Keras layer: settings, a generator, and what backward needs to replay the last call.

use rand_core::SeedableRng;
use rand_xorshift::XorShiftRng;

use crate::kernel::{identity, spatial_dropout, spatial_dropout_in_place};
use crate::{DataFormat, Error, Rate, Shape};

/// Longest layer name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// A layer name: a bounded string, no allocation.
pub type Name = heapless::String<MAX_NAME_LEN>;

/// Keras's `SpatialDropout1D/2D/3D`: drops whole feature maps while training.
///
/// The layer owns a `XorShiftRng` seeded with `seed_from_u64(seed)`; successive training calls
/// draw successive masks, and a fresh layer with the same seed replays them on every target.
/// It also keeps the generator state from before its last training call, so
/// [`backward`](Self::backward) replays that call's mask without storing it.
///
/// `S` is the spatial rank: inputs have `S + 2` dims.
#[derive(Debug, Clone)]
pub struct SpatialDropout<const S: usize> {
    rate: Rate,
    format: DataFormat,
    seed: Option<u64>,
    name: Name,
    rng: XorShiftRng,
    last: Option<LastCall<S>>,
}

/// What backward needs of the last forward call.
#[derive(Debug, Clone)]
struct LastCall<const S: usize> {
    shape: Shape<S>,
    training: bool,
    rng: XorShiftRng,
}

/// `SpatialDropout1D`: inputs `[batch, steps, channels]`, always channels_last, as in Keras.
pub type SpatialDropout1D = SpatialDropout<1>;
/// `SpatialDropout2D`: inputs `[batch, rows, cols, channels]` or `[batch, channels, rows, cols]`.
pub type SpatialDropout2D = SpatialDropout<2>;
/// `SpatialDropout3D`: inputs `[batch, d1, d2, d3, channels]` or `[batch, channels, d1, d2, d3]`.
pub type SpatialDropout3D = SpatialDropout<3>;

impl<const S: usize> SpatialDropout<S> {
    /// Keras's `class_name`: `"SpatialDropout1D"`, `"SpatialDropout2D"` or `"SpatialDropout3D"`.
    pub const CLASS_NAME: &'static str = match S {
        1 => "SpatialDropout1D",
        2 => "SpatialDropout2D",
        _ => "SpatialDropout3D",
    };

    /// Keras's default layer name: `"spatial_dropout1d"`, `"…2d"` or `"…3d"`.
    pub const DEFAULT_NAME: &'static str = match S {
        1 => "spatial_dropout1d",
        2 => "spatial_dropout2d",
        _ => "spatial_dropout3d",
    };

    /// A layer with Keras's defaults: channels_last, no seed (the generator starts from seed 0
    /// until [`reseed`](Self::reseed)), the default name. Fails on a rate outside `[0, 1]`.
    pub fn new(rate: f64) -> Result<Self, Error> {
        Ok(Self::with_rate(Rate::new(rate)?))
    }

    /// A layer with a rate already checked.
    pub fn with_rate(rate: Rate) -> Self {
        let mut name = Name::new();
        // The default names are shorter than the bound.
        let _ = name.push_str(Self::DEFAULT_NAME);
        SpatialDropout {
            rate,
            format: DataFormat::ChannelsLast,
            seed: None,
            name,
            rng: XorShiftRng::seed_from_u64(0),
            last: None,
        }
    }

    /// Sets the config seed and restarts the generator from it.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self.reseed(seed);
        self
    }

    /// Sets the layer name; fails with [`Error::NameTooLong`] past [`MAX_NAME_LEN`] bytes.
    pub fn with_name(mut self, name: &str) -> Result<Self, Error> {
        self.set_name(name)?;
        Ok(self)
    }

    /// Replaces the layer name, leaving it unchanged on error.
    pub fn set_name(&mut self, name: &str) -> Result<(), Error> {
        self.name = Name::try_from(name).map_err(|_| Error::NameTooLong { max: MAX_NAME_LEN })?;
        Ok(())
    }

    /// Restarts the generator from `seed`, leaving the config seed as it is. A layer built from
    /// a config with `"seed": null` calls this with entropy from the platform.
    pub fn reseed(&mut self, seed: u64) {
        self.rng = XorShiftRng::seed_from_u64(seed);
    }

    /// The dropout rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// The memory order of inputs (always channels_last for 1D).
    pub fn data_format(&self) -> DataFormat {
        self.format
    }

    /// The config seed: `None` for a layer built without one.
    pub fn seed(&self) -> Option<u64> {
        self.seed
    }

    /// The layer name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Keras's `compute_output_shape`: the input shape, after checking the rank.
    pub fn compute_output_shape<'d>(&self, dims: &'d [usize]) -> Result<&'d [usize], Error> {
        Shape::<S>::from_dims(dims, self.format)?;
        Ok(dims)
    }

    /// Keras's `call(inputs, training)`, out of place. `dims` are in memory order.
    ///
    /// Training with `0 < rate < 1` draws the next mask from the layer's generator; otherwise
    /// nothing is drawn, inference copies the input bit for bit and rate 1 writes zeros. Fails
    /// on a wrong rank or slice length, changing nothing (output, generator, backward state).
    pub fn call(
        &mut self,
        inputs: &[f32],
        dims: &[usize],
        outputs: &mut [f32],
        training: bool,
    ) -> Result<(), Error> {
        let shape = Shape::from_dims(dims, self.format)?;
        let before = self.rng.clone();
        if training {
            spatial_dropout(inputs, outputs, &shape, self.rate, &mut self.rng)?;
        } else {
            identity(inputs, outputs, &shape)?;
        }
        self.remember(shape, training, before);
        Ok(())
    }

    /// [`call`](Self::call) on one buffer. Inference leaves `data` untouched.
    pub fn call_in_place(
        &mut self,
        data: &mut [f32],
        dims: &[usize],
        training: bool,
    ) -> Result<(), Error> {
        let shape = Shape::from_dims(dims, self.format)?;
        let before = self.rng.clone();
        if training {
            spatial_dropout_in_place(data, &shape, self.rate, &mut self.rng)?;
        } else {
            identity_check(data.len(), &shape)?;
        }
        self.remember(shape, training, before);
        Ok(())
    }

    /// The gradient of the last forward call: `grad_inputs = grad_outputs · scale` on the maps
    /// that call kept and `+0.0` on the others, by replaying the generator state from before
    /// that call (after an inference call, a copy).
    ///
    /// `dims` must be the dims of that call. Fails with [`Error::NoForwardCall`] before any
    /// forward call and [`Error::ShapeMismatch`] on other dims, writing nothing. Does not change
    /// the layer, so it may be called more than once.
    pub fn backward(
        &self,
        grad_outputs: &[f32],
        dims: &[usize],
        grad_inputs: &mut [f32],
    ) -> Result<(), Error> {
        let last = self.last.as_ref().ok_or(Error::NoForwardCall)?;
        let shape = Shape::from_dims(dims, self.format)?;
        if shape != last.shape {
            return Err(Error::ShapeMismatch);
        }
        let named = |e| rename_lengths(e, "grad_outputs", "grad_inputs");
        if last.training {
            let mut rng = last.rng.clone();
            spatial_dropout(grad_outputs, grad_inputs, &shape, self.rate, &mut rng).map_err(named)
        } else {
            identity(grad_outputs, grad_inputs, &shape).map_err(named)
        }
    }

    fn remember(&mut self, shape: Shape<S>, training: bool, rng: XorShiftRng) {
        self.last = Some(LastCall {
            shape,
            training,
            rng,
        });
    }
}

/// Keras's `data_format` applies to 2D and 3D layers only; `SpatialDropout1D` is always
/// channels_last, so it has no such builder.
macro_rules! with_data_format {
    ($($s:literal),*) => {$(
        impl SpatialDropout<$s> {
            /// Sets the memory order of inputs.
            pub fn with_data_format(mut self, format: DataFormat) -> Self {
                self.format = format;
                self
            }
        }
    )*};
}
with_data_format!(2, 3);

fn identity_check<const S: usize>(len: usize, shape: &Shape<S>) -> Result<(), Error> {
    if len == shape.len() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what: "data",
            expected: shape.len(),
            found: len,
        })
    }
}

/// Backward reuses the forward kernels; name its own arguments in their errors.
fn rename_lengths(error: Error, input: &'static str, output: &'static str) -> Error {
    match error {
        Error::LengthMismatch {
            what,
            expected,
            found,
        } => Error::LengthMismatch {
            what: if what == "input" { input } else { output },
            expected,
            found,
        },
        other => other,
    }
}

impl<const S: usize> SpatialDropout<S> {
    /// Restarts the layer's masks from a seed drawn from `rng`, typically a hardware TRNG (a
    /// rand_core 0.6 one through `TryRng06`, feature `rand_core_06`), leaving the config seed as
    /// it is, and returns the seed so that a run can be logged and replayed with
    /// [`reseed`](Self::reseed). Fails with [`Error::RngFailed`], changing nothing, when the
    /// generator fails.
    pub fn reseed_from<R: rand_core::TryRng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<u64, Error> {
        let seed = crate::seed_from(rng)?;
        self.reseed(seed);
        Ok(seed)
    }
}
