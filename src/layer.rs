//! The Keras layer: settings, a generator, and what backward needs to replay the last call.

use rand_core::SeedableRng;
use rand_xorshift::XorShiftRng;

use crate::kernel::check_len;
use crate::mask::{Bits, KerasStream, OwnDraws, Philox, Source};
use crate::shape::Layout;
use crate::{DataFormat, Error, MAX_DIMS, Masks, Rate};

/// Longest layer name, in bytes.
pub const MAX_NAME_LEN: usize = 64;

/// A layer name: a bounded string, no allocation.
pub type Name = heapless::String<MAX_NAME_LEN>;

/// Keras's `SpatialDropout1D/2D/3D`: drops whole feature maps while training.
///
/// By default the layer draws Keras's own masks ([`Masks::Keras`]): on its `k`-th drawing call
/// (a training call with `0 < rate < 1`, counted by [`calls`](SpatialDropoutNd::calls)) a layer with seed
/// `s` drops exactly the maps TensorFlow's Keras 3 layer with `seed=s` drops on its `k`-th
/// call, in eager calls and in step `k` of `model.fit`. Its only state is that call number:
/// [`backward`](SpatialDropoutNd::backward) recomputes the last call's mask from `(seed, k)`, and
/// [`set_calls`](SpatialDropoutNd::set_calls) resumes a run at any step. With [`Masks::XorShift`] it owns
/// a `XorShiftRng` seeded with `seed_from_u64(seed)` and keeps its 16-byte state from before the
/// last call for backward instead.
///
/// `S` is the spatial rank: inputs have `S + 2` dims.
/// The layer is a [`SpatialDropoutNd`] whose rank is `S`; it derefs to it, so every method
/// of [`SpatialDropoutNd`] is a method of this type too.
#[derive(Debug, Clone)]
pub struct SpatialDropout<const S: usize>(SpatialDropoutNd);

/// A SpatialDropout layer whose spatial rank (1, 2 or 3) is a value, not a type: what a binding
/// holds when its caller chooses the rank at run time (the npm package, the C API, a layer read
/// from a model's JSON). Everything about the layer lives here, once; [`SpatialDropout<S>`] is
/// this type with the rank fixed at compile time.
#[derive(Debug, Clone)]
pub struct SpatialDropoutNd {
    /// The spatial rank, 1 to 3: inputs have `rank + 2` dims.
    rank: u8,
    rate: Rate,
    format: DataFormat,
    /// The config seed.
    seed: Option<u64>,
    /// The seed the masks come from: the config seed, or what [`reseed`](Self::reseed) gave.
    stream_seed: u64,
    masks: Masks,
    /// Drawing calls so far (Keras's `seed_generator.state[1]`).
    calls: u64,
    /// The XorShift scheme's generator, made from `stream_seed` on its first use.
    xorshift: Option<XorShiftRng>,
    name: LayerName,
    last: Option<LastCall>,
}

/// A layer name known at compile time and checked against [`MAX_NAME_LEN`]: what
/// [`SpatialDropout::named`] takes. `StaticName::new` is a `const fn`; [`static_name!`](crate::static_name)
/// makes a name that is too long a compile error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaticName(&'static str);

impl StaticName {
    /// `name`, or `None` when it is longer than [`MAX_NAME_LEN`] bytes.
    pub const fn new(name: &'static str) -> Option<Self> {
        if name.len() > MAX_NAME_LEN {
            None
        } else {
            Some(StaticName(name))
        }
    }

    /// The name.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

/// A [`StaticName`] checked at compile time: a name longer than [`MAX_NAME_LEN`] bytes does
/// not compile.
///
/// ```compile_fail
/// use spatial_dropout::static_name;
/// let name = static_name!("a name of more than sixty-four bytes is longer than the layer's bound");
/// ```
#[macro_export]
macro_rules! static_name {
    ($name:expr) => {
        const {
            match $crate::StaticName::new($name) {
                ::core::option::Option::Some(name) => name,
                ::core::option::Option::None => {
                    ::core::panic!("static_name! needs a name of at most MAX_NAME_LEN bytes")
                }
            }
        }
    };
}

/// Where the layer's name lives: nowhere for Keras's default name, a `&'static str` for a name
/// fixed at compile time (both `const`-constructible), or a bounded string for one set at run
/// time. Its storage is 72 of the layer's 216 bytes on a 32-bit Cortex-M (whichever variant
/// holds); the `const` constructors only avoid copying a name into it.
#[derive(Debug, Clone)]
enum LayerName {
    Default,
    Static(&'static str),
    Owned(Name),
}

/// What backward needs of the last forward call.
#[derive(Debug, Clone)]
struct LastCall {
    /// Its dims (the first `rank + 2`): backward takes only the same dims.
    dims: [usize; MAX_DIMS],
    /// Whether it was a training call (it applied the layer's rate; inference copies).
    training: bool,
    replay: Replay,
}

/// How backward gets the last forward call's decisions back.
#[derive(Debug, Clone)]
enum Replay {
    /// Nothing was decided: inference, rate 0 or rate 1 (the rate alone fixes the output).
    Nothing,
    /// A Keras-scheme call: its Philox stream, a function of `(seed, k)`.
    Keras(KerasStream),
    /// An XorShift call: the generator as it was before the call.
    XorShift(XorShiftRng),
}

/// `SpatialDropout1D`: inputs `[batch, steps, channels]`, always channels_last, as in Keras.
pub type SpatialDropout1D = SpatialDropout<1>;
/// `SpatialDropout2D`: inputs `[batch, rows, cols, channels]` or `[batch, channels, rows, cols]`.
pub type SpatialDropout2D = SpatialDropout<2>;
/// `SpatialDropout3D`: inputs `[batch, d1, d2, d3, channels]` or `[batch, channels, d1, d2, d3]`.
pub type SpatialDropout3D = SpatialDropout<3>;

/// Keras's class names and default layer names, by spatial rank.
pub(crate) const CLASS_NAMES: [&str; 3] =
    ["SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D"];
pub(crate) const DEFAULT_NAMES: [&str; 3] = [
    "spatial_dropout1d",
    "spatial_dropout2d",
    "spatial_dropout3d",
];

impl SpatialDropoutNd {
    /// A layer of spatial rank `rank` (1, 2 or 3) with Keras's defaults: channels_last, Keras's
    /// masks, no seed, the default name. Fails with [`Error::InvalidValue`] on another rank and
    /// [`Error::InvalidRate`] on a rate outside `[0, 1]`.
    pub fn new(rank: usize, rate: f64) -> Result<Self, Error> {
        Self::with_rate(rank, Rate::new(rate)?)
    }

    /// [`new`](Self::new) with a rate already checked.
    pub const fn with_rate(rank: usize, rate: Rate) -> Result<Self, Error> {
        match rank {
            1..=3 => Ok(Self::of_rank(rank as u8, rate, LayerName::Default)),
            _ => Err(Error::InvalidValue {
                key: "rank",
                expected: "1, 2 or 3 (SpatialDropout1D, 2D or 3D)",
            }),
        }
    }

    /// `rank` is 1, 2 or 3.
    const fn of_rank(rank: u8, rate: Rate, name: LayerName) -> Self {
        SpatialDropoutNd {
            rank,
            rate,
            format: DataFormat::ChannelsLast,
            seed: None,
            stream_seed: 0,
            masks: Masks::Keras,
            calls: 0,
            xorshift: None,
            name,
            last: None,
        }
    }

    /// Sets the config seed and restarts the masks from it (call number 0).
    pub const fn with_seed(mut self, seed: u64) -> Self {
        self.set_seed(seed);
        self
    }

    const fn set_seed(&mut self, seed: u64) {
        self.seed = Some(seed);
        self.stream_seed = seed;
        self.calls = 0;
        self.xorshift = None;
    }

    /// Chooses the mask scheme ([`Masks::Keras`] by default). The call number stays; an
    /// XorShift generator starts from the layer's seed.
    pub const fn with_masks(mut self, masks: Masks) -> Self {
        self.set_masks(masks);
        self
    }

    /// [`with_masks`](Self::with_masks) on a layer in place.
    pub const fn set_masks(&mut self, masks: Masks) {
        self.masks = masks;
        self.xorshift = None;
    }

    /// Sets the memory order of inputs. Fails with [`Error::InvalidValue`] (`data_format`) for
    /// channels_first on a 1D layer: Keras's `SpatialDropout1D` is always channels_last (inputs
    /// `[batch, steps, channels]`).
    pub fn with_data_format(mut self, format: DataFormat) -> Result<Self, Error> {
        self.set_data_format(format)?;
        Ok(self)
    }

    /// [`with_data_format`](Self::with_data_format) on a layer in place, leaving it unchanged
    /// on error. The one place the rule "SpatialDropout1D is channels_last" is written: the
    /// JSON reader, the npm package and the C API all come here.
    pub fn set_data_format(&mut self, format: DataFormat) -> Result<(), Error> {
        if self.rank == 1 && format != DataFormat::ChannelsLast {
            return Err(Error::InvalidValue {
                key: "data_format",
                expected: "channels_last or absent (SpatialDropout1D is always channels_last)",
            });
        }
        self.format = format;
        Ok(())
    }

    /// Sets the layer name; fails with [`Error::NameTooLong`] past [`MAX_NAME_LEN`] bytes.
    pub fn with_name(mut self, name: &str) -> Result<Self, Error> {
        self.set_name(name)?;
        Ok(self)
    }

    /// Replaces the layer name with one already bounded (the JSON reader's).
    #[cfg(feature = "json")]
    pub(crate) fn set_bounded_name(&mut self, name: Name) {
        self.name = LayerName::Owned(name);
    }

    /// Replaces the layer name, leaving it unchanged on error.
    pub fn set_name(&mut self, name: &str) -> Result<(), Error> {
        let name = Name::try_from(name).map_err(|_| Error::NameTooLong { max: MAX_NAME_LEN })?;
        self.name = LayerName::Owned(name);
        Ok(())
    }

    /// Restarts the masks from `seed` at call number 0, leaving the config seed as it is (as a
    /// Keras `SeedGenerator` built with that seed starts at `[seed, 0]`). A layer built from a
    /// config with `"seed": null` calls this with entropy from the platform.
    pub fn reseed(&mut self, seed: u64) {
        self.stream_seed = seed;
        self.calls = 0;
        self.xorshift = None;
    }

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

    /// The spatial rank: 1, 2 or 3.
    pub const fn rank(&self) -> usize {
        self.rank as usize
    }

    /// Keras's `class_name`: `"SpatialDropout1D"`, `"SpatialDropout2D"` or `"SpatialDropout3D"`.
    pub const fn class_name(&self) -> &'static str {
        // A match, not an index: no bounds check, so no panic path for the link-time proof.
        match self.rank {
            1 => CLASS_NAMES[0],
            2 => CLASS_NAMES[1],
            _ => CLASS_NAMES[2],
        }
    }

    /// Keras's default name for the layer's class: `"spatial_dropout1d"`, `"…2d"` or `"…3d"`.
    pub const fn default_name(&self) -> &'static str {
        match self.rank {
            1 => DEFAULT_NAMES[0],
            2 => DEFAULT_NAMES[1],
            _ => DEFAULT_NAMES[2],
        }
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

    /// The mask scheme.
    pub fn masks(&self) -> Masks {
        self.masks
    }

    /// The call number: how many drawing calls (training calls with `0 < rate < 1`, empty
    /// tensors included) the layer has made since it was seeded. Keras's
    /// `seed_generator.state` is `[seed, calls]`; in `model.fit` it is the training step.
    pub fn calls(&self) -> u64 {
        self.calls
    }

    /// Sets the call number, so that the next drawing call draws Keras's mask of call `k`:
    /// resume a training run at step `k`, or reproduce step `k` of a `model.fit`. With
    /// [`Masks::XorShift`] only the count changes: that scheme's generator runs on from where
    /// it is.
    pub fn set_calls(&mut self, k: u64) {
        self.calls = k;
    }

    /// The layer name.
    pub fn name(&self) -> &str {
        match &self.name {
            LayerName::Default => self.default_name(),
            LayerName::Static(name) => name,
            LayerName::Owned(name) => name,
        }
    }

    /// The layout of an input of this layer, checked: `rank + 2` dims in memory order.
    fn layout(&self, dims: &[usize]) -> Result<Layout, Error> {
        Layout::from_dims(dims, self.rank(), self.format)
    }

    /// Keras's `compute_output_shape`: the input shape, after checking the rank.
    pub fn compute_output_shape<'d>(&self, dims: &'d [usize]) -> Result<&'d [usize], Error> {
        self.layout(dims)?;
        Ok(dims)
    }

    /// Keras's `call(inputs, training)`, out of place. `dims` are in memory order.
    ///
    /// A training call with `0 < rate < 1` is a drawing call: it applies the scheme's next mask
    /// and counts one call, even on a tensor with no elements (which draws nothing, as in
    /// Keras). Otherwise nothing is drawn or counted: inference copies the input bit for bit,
    /// rate 0 copies, rate 1 writes zeros. Fails on a wrong rank or slice length, changing
    /// nothing (output, call number, generator, backward state).
    pub fn call(
        &mut self,
        inputs: &[f32],
        dims: &[usize],
        outputs: &mut [f32],
        training: bool,
    ) -> Result<(), Error> {
        let layout = self.layout(dims)?;
        check_len("input", inputs.len(), layout.len)?;
        check_len("output", outputs.len(), layout.len)?;
        self.forward(dims, layout, training, Some(inputs), outputs);
        Ok(())
    }

    /// [`call`](Self::call) on one buffer. Inference and rate 0 leave `data` untouched.
    pub fn call_in_place(
        &mut self,
        data: &mut [f32],
        dims: &[usize],
        training: bool,
    ) -> Result<(), Error> {
        let layout = self.layout(dims)?;
        check_len("data", data.len(), layout.len)?;
        self.forward(dims, layout, training, None, data);
        Ok(())
    }

    /// The gradient of the last forward call: `grad_inputs = grad_outputs · scale` on the maps
    /// that call kept and `+0.0` on the others (after an inference call, a copy). The Keras
    /// schemes recompute that call's mask from `(seed, k)`; XorShift replays the generator
    /// state from before the call.
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
        let layout = self.layout(dims)?;
        if last.dims.get(..dims.len()) != Some(dims) {
            return Err(Error::ShapeMismatch);
        }
        check_len("grad_outputs", grad_outputs.len(), layout.len)?;
        check_len("grad_inputs", grad_inputs.len(), layout.len)?;
        let rate = if last.training { self.rate } else { Rate::ZERO };
        // One call of the walk for every scheme (one call site: less flash on a Cortex-M).
        let mut source = match &last.replay {
            Replay::Nothing => Source::Bits(Bits::new(&[])),
            Replay::Keras(stream) => Source::Philox(Philox::new(*stream, rate, layout.maps())),
            Replay::XorShift(before) => Source::Draws(OwnDraws::new(before.clone(), rate)),
        };
        source.forward(Some(grad_outputs), grad_inputs, layout, rate);
        Ok(())
    }

    /// The forward pass of `call` (`input` is `Some`: out of place into `output`) and
    /// `call_in_place` (`None`: `output` in place) with the decisions of this call, lengths
    /// checked; counts the call when it draws (`0 < rate < 1`, whatever the tensor holds) and
    /// keeps what backward needs to replay it. One function for both, with one call site of
    /// the walk for every scheme: a closure or generic per caller cost a Cortex-M flash
    /// (measured in examples/firmware).
    fn forward(
        &mut self,
        dims: &[usize],
        layout: Layout,
        training: bool,
        input: Option<&[f32]>,
        output: &mut [f32],
    ) {
        let rate = if training { self.rate } else { Rate::ZERO };
        let (mut source, replay) = if rate.is_zero() || rate.is_one() {
            (Source::Bits(Bits::new(&[])), Replay::Nothing)
        } else {
            let k = self.calls;
            self.calls = k.wrapping_add(1);
            if self.masks.is_keras() {
                let stream = KerasStream::new(self.masks, self.stream_seed, k);
                let philox = Philox::new(stream, rate, layout.maps());
                (Source::Philox(philox), Replay::Keras(stream))
            } else {
                let seed = self.stream_seed;
                let before = self
                    .xorshift
                    .get_or_insert_with(|| XorShiftRng::seed_from_u64(seed))
                    .clone();
                (
                    Source::Draws(OwnDraws::new(before.clone(), rate)),
                    Replay::XorShift(before),
                )
            }
        };
        source.forward(input, output, layout, rate);
        if let Source::Draws(draws) = source {
            self.xorshift = Some(draws.into_rng());
        }
        // Element by element: as a zip over `dims`, LLVM called `memcpy` for the run-time
        // length and read its result back at once, a store-forwarding stall (5 ns of a
        // 116 ns tiny call).
        let kept: [usize; MAX_DIMS] = core::array::from_fn(|i| dims.get(i).copied().unwrap_or(0));
        self.last = Some(LastCall {
            dims: kept,
            training,
            replay,
        });
    }
}

impl<const S: usize> SpatialDropout<S> {
    /// Keras's `class_name`: `"SpatialDropout1D"`, `"SpatialDropout2D"` or `"SpatialDropout3D"`.
    pub const CLASS_NAME: &'static str = CLASS_NAMES[S - 1];

    /// Keras's default layer name: `"spatial_dropout1d"`, `"…2d"` or `"…3d"`.
    pub const DEFAULT_NAME: &'static str = DEFAULT_NAMES[S - 1];

    /// A layer with Keras's defaults: channels_last, Keras's masks, no seed (the masks come
    /// from seed 0 until [`reseed`](SpatialDropoutNd::reseed)), the default name. Fails on a rate
    /// outside `[0, 1]`.
    pub fn new(rate: f64) -> Result<Self, Error> {
        Ok(Self::with_rate(Rate::new(rate)?))
    }

    /// A layer with a rate already checked. A `const fn`, like the builders that follow it
    /// (`with_seed`, `with_masks`, `with_data_format`), so a layer can be built in a `const` or
    /// a `static`:
    ///
    /// ```
    /// use spatial_dropout::{Masks, SpatialDropout3D, rate};
    /// static LAYER: SpatialDropout3D = SpatialDropout3D::with_rate(rate!(0.25)).with_seed(7);
    /// assert_eq!((LAYER.seed(), LAYER.masks(), LAYER.name()), (Some(7), Masks::Keras, "spatial_dropout3d"));
    /// ```
    pub const fn with_rate(rate: Rate) -> Self {
        SpatialDropout(SpatialDropoutNd::of_rank(S as u8, rate, LayerName::Default))
    }

    /// [`with_rate`](Self::with_rate) with a name fixed at compile time, stored as the
    /// `&'static str` itself (no copy, no 64-byte buffer filled). Build the name with
    /// [`static_name!`](crate::static_name), which fails to compile past [`MAX_NAME_LEN`] bytes:
    ///
    /// ```
    /// use spatial_dropout::{SpatialDropout2D, rate, static_name};
    /// static LAYER: SpatialDropout2D =
    ///     SpatialDropout2D::named(rate!(0.1), static_name!("mc_dropout")).with_seed(42);
    /// assert_eq!(LAYER.name(), "mc_dropout");
    /// ```
    pub const fn named(rate: Rate, name: StaticName) -> Self {
        SpatialDropout(SpatialDropoutNd::of_rank(
            S as u8,
            rate,
            LayerName::Static(name.0),
        ))
    }

    /// Sets the config seed and restarts the masks from it (call number 0).
    pub const fn with_seed(mut self, seed: u64) -> Self {
        self.0.set_seed(seed);
        self
    }

    /// Chooses the mask scheme ([`Masks::Keras`] by default). The call number stays; an
    /// XorShift generator starts from the layer's seed.
    pub const fn with_masks(mut self, masks: Masks) -> Self {
        self.0.set_masks(masks);
        self
    }

    /// Sets the layer name; fails with [`Error::NameTooLong`] past [`MAX_NAME_LEN`] bytes.
    pub fn with_name(self, name: &str) -> Result<Self, Error> {
        self.0.with_name(name).map(SpatialDropout)
    }

    /// The layer of any rank this is.
    pub fn into_nd(self) -> SpatialDropoutNd {
        self.0
    }

    /// `layer` as a layer of rank `S`; fails with [`Error::WrongClass`] when its rank is
    /// another.
    pub fn from_nd(layer: SpatialDropoutNd) -> Result<Self, Error> {
        if layer.rank() == S {
            Ok(SpatialDropout(layer))
        } else {
            Err(Error::WrongClass {
                expected: Self::CLASS_NAME,
                found: Some(layer.class_name()),
            })
        }
    }
}

impl<const S: usize> core::ops::Deref for SpatialDropout<S> {
    type Target = SpatialDropoutNd;
    fn deref(&self) -> &SpatialDropoutNd {
        &self.0
    }
}

impl<const S: usize> core::ops::DerefMut for SpatialDropout<S> {
    fn deref_mut(&mut self) -> &mut SpatialDropoutNd {
        &mut self.0
    }
}

impl<const S: usize> From<SpatialDropout<S>> for SpatialDropoutNd {
    fn from(layer: SpatialDropout<S>) -> Self {
        layer.0
    }
}

/// Keras's `data_format` applies to 2D and 3D layers only; `SpatialDropout1D` is always
/// channels_last, so it has no such builder (the rank-erased layer's returns an error for 1D).
macro_rules! with_data_format {
    ($($s:literal),*) => {$(
        impl SpatialDropout<$s> {
            /// Sets the memory order of inputs.
            pub const fn with_data_format(mut self, format: DataFormat) -> Self {
                self.0.format = format;
                self
            }
        }
    )*};
}
with_data_format!(2, 3);
