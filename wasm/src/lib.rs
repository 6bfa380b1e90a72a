//! wasm-bindgen bindings of the `spatial-dropout` crate: the engine of the npm package.
//!
//! These exports are internal: JavaScript users import the package's `index.js`, which checks
//! every argument, gives errors the right JavaScript type and message, copies arrays in and out
//! of wasm memory, and wraps these classes in the documented API. The checks here are the second
//! line: whatever reaches Rust is checked again by the core, and every core error becomes a
//! JavaScript `Error` through [`into_error`], never a trap.
//!
//! All tensors cross the boundary as [`Buffer`]s, so each entry point has one small shim and the
//! copies happen once, in JavaScript, where the zero-copy path can skip them.

use spatial_dropout::{
    DataFormat, Error, MAX_CONFIG_LEN, MAX_DIMS, Rate, SeedableRng, Shape, SpatialDropout,
    XorShiftRng, spatial_dropout,
};
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
pub mod alloc;

/// The module's allocator: [`alloc::FreeList`], 8 KB smaller than the standard library's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: alloc::FreeList = alloc::FreeList::new();

/// The one conversion of core errors to JavaScript: an `Error` with the core's message.
#[inline(never)]
pub fn into_error(error: Error) -> JsError {
    JsError::new(&error.to_string())
}

/// A block of `f32` in wasm memory. JavaScript views it as a `Float32Array`; the layers read
/// and write it in place.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Buffer {
    data: Vec<f32>,
}

#[wasm_bindgen]
impl Buffer {
    /// `len` zeroed floats; an error, not the allocator's trap, when memory runs out.
    #[wasm_bindgen(constructor)]
    pub fn new(len: usize) -> Result<Buffer, JsError> {
        let mut data = Vec::new();
        data.try_reserve_exact(len)
            .map_err(|_| JsError::new("out of wasm memory: the tensor does not fit in 4 GiB"))?;
        data.resize(len, 0.0);
        Ok(Buffer { data })
    }

    /// Address of the first float in wasm memory: the byte offset of a view.
    #[wasm_bindgen(getter)]
    pub fn ptr(&self) -> *const f32 {
        self.data.as_ptr()
    }

    /// Number of floats.
    #[wasm_bindgen(getter)]
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for a buffer of no floats.
    #[wasm_bindgen(js_name = isEmpty)]
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl Buffer {
    /// The floats, for Rust callers of this crate.
    pub fn as_slice(&self) -> &[f32] {
        &self.data
    }

    /// The floats, mutable, for Rust callers of this crate.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        &mut self.data
    }
}

/// Dims from JavaScript (`Uint32Array`) as the core's `usize`, at most [`MAX_DIMS`] of them.
/// `rank` is the number of dims the caller needs, for the error message.
fn to_dims(dims: &[u32], rank: usize) -> Result<([usize; MAX_DIMS], usize), Error> {
    let mut buf = [0_usize; MAX_DIMS];
    if dims.len() > MAX_DIMS {
        return Err(Error::RankMismatch {
            expected: rank,
            found: dims.len(),
        });
    }
    for (slot, &d) in buf.iter_mut().zip(dims) {
        *slot = usize::try_from(d).map_err(|_| Error::ShapeOverflow)?;
    }
    Ok((buf, dims.len()))
}

/// One layer of any spatial rank: one JavaScript class in the shims, three in the API.
#[derive(Debug, Clone)]
enum AnyLayer {
    D1(SpatialDropout<1>),
    D2(SpatialDropout<2>),
    D3(SpatialDropout<3>),
}

/// Runs `$body` with `$l` bound to the layer of whatever rank `$self` holds.
macro_rules! each {
    ($self:expr, $l:ident => $body:expr) => {
        match $self {
            AnyLayer::D1($l) => $body,
            AnyLayer::D2($l) => $body,
            AnyLayer::D3($l) => $body,
        }
    };
}

/// `SpatialDropout1D/2D/3D` as one class; the rank is fixed at construction.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Layer {
    inner: AnyLayer,
}

#[wasm_bindgen]
impl Layer {
    /// A layer of spatial rank `rank` (1, 2 or 3). `format` is Keras's `data_format` spelling,
    /// `seed` the config seed (`undefined` for none: the caller then reseeds it with entropy).
    #[wasm_bindgen(constructor)]
    pub fn new(
        rank: u8,
        rate: f64,
        format: &str,
        seed: Option<u64>,
        name: Option<String>,
    ) -> Result<Layer, JsError> {
        let rate = Rate::new(rate).map_err(into_error)?;
        let format: DataFormat = format.parse().map_err(into_error)?;
        let mut inner = match (rank, format) {
            (1, DataFormat::ChannelsLast) => AnyLayer::D1(SpatialDropout::with_rate(rate)),
            (1, DataFormat::ChannelsFirst) => {
                return Err(JsError::new(
                    "SpatialDropout1D is always channels_last, as in Keras: its inputs are [batch, steps, channels]",
                ));
            }
            (2, f) => AnyLayer::D2(SpatialDropout::<2>::with_rate(rate).with_data_format(f)),
            (3, f) => AnyLayer::D3(SpatialDropout::<3>::with_rate(rate).with_data_format(f)),
            _ => return Err(JsError::new("the spatial rank must be 1, 2 or 3")),
        };
        if let Some(seed) = seed {
            inner = each!(inner, l => l.with_seed(seed).into());
        }
        if let Some(name) = name {
            each!(&mut inner, l => l.set_name(&name)).map_err(into_error)?;
        }
        Ok(Layer { inner })
    }

    /// A layer of spatial rank `rank` from Keras JSON (any form the core reads); a config
    /// without a seed leaves the generator at seed 0, for the caller to reseed with entropy.
    #[wasm_bindgen(js_name = fromConfig)]
    pub fn from_config(rank: u8, json: &str) -> Result<Layer, JsError> {
        let json = json.as_bytes();
        let inner = match rank {
            1 => SpatialDropout::<1>::from_config(json).map(AnyLayer::D1),
            2 => SpatialDropout::<2>::from_config(json).map(AnyLayer::D2),
            3 => SpatialDropout::<3>::from_config(json).map(AnyLayer::D3),
            _ => return Err(JsError::new("the spatial rank must be 1, 2 or 3")),
        };
        Ok(Layer {
            inner: inner.map_err(into_error)?,
        })
    }

    /// Keras's `get_config()` as the core writes it: Keras 3's bytes.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> Result<String, JsError> {
        let mut buf = [0_u8; MAX_CONFIG_LEN];
        let n = each!(&self.inner, l => l.write_config(&mut buf)).map_err(into_error)?;
        let text = core::str::from_utf8(buf.get(..n).unwrap_or_default())
            .map_err(|_| JsError::new("the config writer produced invalid UTF-8"))?;
        Ok(text.into())
    }

    /// Restarts the generator from `seed`; the config seed stays as it is.
    pub fn reseed(&mut self, seed: u64) {
        each!(&mut self.inner, l => l.reseed(seed));
    }

    /// Keras's `call`: `inputs` to `outputs` (buffers of the same length).
    pub fn call(
        &mut self,
        inputs: &Buffer,
        outputs: &mut Buffer,
        dims: &[u32],
        training: bool,
    ) -> Result<(), JsError> {
        let (buf, n) = to_dims(dims, self.dims()).map_err(into_error)?;
        let dims = buf.get(..n).unwrap_or_default();
        each!(&mut self.inner, l => l.call(&inputs.data, dims, &mut outputs.data, training))
            .map_err(into_error)
    }

    /// Keras's `call` in place.
    #[wasm_bindgen(js_name = callInPlace)]
    pub fn call_in_place(
        &mut self,
        data: &mut Buffer,
        dims: &[u32],
        training: bool,
    ) -> Result<(), JsError> {
        let (buf, n) = to_dims(dims, self.dims()).map_err(into_error)?;
        let dims = buf.get(..n).unwrap_or_default();
        each!(&mut self.inner, l => l.call_in_place(&mut data.data, dims, training))
            .map_err(into_error)
    }

    /// The gradient of the last forward call.
    pub fn backward(
        &self,
        grad_outputs: &Buffer,
        grad_inputs: &mut Buffer,
        dims: &[u32],
    ) -> Result<(), JsError> {
        let (buf, n) = to_dims(dims, self.dims()).map_err(into_error)?;
        let dims = buf.get(..n).unwrap_or_default();
        each!(&self.inner, l => l.backward(&grad_outputs.data, dims, &mut grad_inputs.data))
            .map_err(into_error)
    }

    /// The spatial rank: 1, 2 or 3.
    #[wasm_bindgen(getter)]
    pub fn rank(&self) -> u8 {
        match self.inner {
            AnyLayer::D1(_) => 1,
            AnyLayer::D2(_) => 2,
            AnyLayer::D3(_) => 3,
        }
    }

    /// The dropout rate.
    #[wasm_bindgen(getter)]
    pub fn rate(&self) -> f64 {
        each!(&self.inner, l => l.rate().get())
    }

    /// `"channels_first"` or `"channels_last"`.
    #[wasm_bindgen(getter, js_name = dataFormat)]
    pub fn data_format(&self) -> String {
        each!(&self.inner, l => l.data_format().as_str().into())
    }

    /// The config seed, `undefined` for none.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> Option<u64> {
        each!(&self.inner, l => l.seed())
    }

    /// The layer name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        each!(&self.inner, l => l.name().into())
    }
}

impl Layer {
    /// Dims of an input: the spatial rank plus batch and channels.
    fn dims(&self) -> usize {
        usize::from(self.rank()) + 2
    }
}

impl From<SpatialDropout<1>> for AnyLayer {
    fn from(l: SpatialDropout<1>) -> Self {
        AnyLayer::D1(l)
    }
}
impl From<SpatialDropout<2>> for AnyLayer {
    fn from(l: SpatialDropout<2>) -> Self {
        AnyLayer::D2(l)
    }
}
impl From<SpatialDropout<3>> for AnyLayer {
    fn from(l: SpatialDropout<3>) -> Self {
        AnyLayer::D3(l)
    }
}

/// The stateless op: one mask from a fresh generator seeded with `seed`, the spatial rank from
/// the number of dims (3, 4 or 5). `training == false` copies.
#[wasm_bindgen(js_name = spatialDropout)]
pub fn spatial_dropout_op(
    inputs: &Buffer,
    outputs: &mut Buffer,
    dims: &[u32],
    rate: f64,
    format: &str,
    seed: u64,
    training: bool,
) -> Result<(), JsError> {
    let rate = Rate::new(rate).map_err(into_error)?;
    let format: DataFormat = format.parse().map_err(into_error)?;
    let (buf, n) = to_dims(dims, 5).map_err(into_error)?;
    let dims = buf.get(..n).unwrap_or_default();
    // Inference draws nothing and copies, as rate 0 does.
    let rate = if training { rate } else { Rate::ZERO };
    let mut rng = XorShiftRng::seed_from_u64(seed);
    let (input, output) = (&inputs.data[..], &mut outputs.data[..]);
    match n {
        3 => run::<1>(input, output, dims, format, rate, &mut rng),
        4 => run::<2>(input, output, dims, format, rate, &mut rng),
        5 => run::<3>(input, output, dims, format, rate, &mut rng),
        found => Err(JsError::new(&format!(
            "spatialDropout needs 3, 4 or 5 dims (batch, 1 to 3 spatial dims, channels), found {found}"
        ))),
    }
}

fn run<const S: usize>(
    inputs: &[f32],
    outputs: &mut [f32],
    dims: &[usize],
    format: DataFormat,
    rate: Rate,
    rng: &mut XorShiftRng,
) -> Result<(), JsError> {
    let shape = Shape::<S>::from_dims(dims, format).map_err(into_error)?;
    spatial_dropout(inputs, outputs, &shape, rate, rng).map_err(into_error)
}
