//! wasm-bindgen bindings of the `spatial-dropout` crate: the engine of the npm package.
//!
//! These exports are internal: JavaScript users import the package's `index.js`, which checks
//! the JavaScript types of the arguments (and that numbers fit the wasm integer types), copies
//! arrays in and out of wasm memory, and wraps these classes in the documented API. Every value
//! rule (rate, data format, rank, dims against lengths, scheme names, configs) is the core's:
//! each core error becomes a JavaScript `Error` through [`into_error`], never a trap, with the
//! variant's code in front of the message for `api.js` to pick the error class from.
//!
//! All tensors cross the boundary as [`Buffer`]s, so each entry point has one small shim and the
//! copies happen once, in JavaScript, where the zero-copy path can skip them.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc as rust_alloc;

use rust_alloc::string::String;
use rust_alloc::vec::Vec;
use spatial_dropout::{
    DataFormat, Error, MAX_CONFIG_LEN, MAX_DIMS, Masks, Rate, SpatialDropoutNd, keras_mask,
    mask_words,
};
use wasm_bindgen::prelude::*;

#[cfg(target_arch = "wasm32")]
pub mod alloc;

/// The module's allocator: [`alloc::FreeList`], 8 KB smaller than the standard library's.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: alloc::FreeList = alloc::FreeList::new();

/// Without `std` (the npm build): a panic traps, as std's handler does on this target after its
/// hook, which prints nothing here. Nothing in the crate is meant to panic.
#[cfg(all(not(feature = "std"), target_arch = "wasm32"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

/// The one conversion of core errors to JavaScript: an `Error` whose message is the variant's
/// [`Error::code`], a `:`, and the core's message (`"1:Invalid value received for argument
/// ..."`). The package's one JavaScript helper (`rustError` in `api.js`) strips the code and
/// throws the class docs/wasm.md's table gives it, so every entry point maps a variant the same
/// way. (`JsError` carries only a message: the prefix costs a few bytes, a `js_sys` error object
/// with a `code` property several hundred.)
#[inline(never)]
pub fn into_error(error: Error) -> JsError {
    let mut text = Message {
        bytes: [0; MESSAGE_LEN],
        len: 0,
    };
    // Cannot fail: every message fits (see `MESSAGE_LEN`); on failure the text so far is kept.
    let _ = code_prefix(error.code(), &mut text)
        .and_then(|()| core::fmt::write(&mut text, format_args!("{error}")));
    JsError::new(text.as_str())
}

/// Writes `code` in decimal and a `:`, without `core::fmt`'s integer formatting.
fn code_prefix(code: u16, out: &mut Message) -> core::fmt::Result {
    use core::fmt::Write as _;
    let mut digits = [0_u8; 6];
    let mut start = digits.len() - 1;
    let mut rest = code;
    if let Some(colon) = digits.get_mut(start) {
        *colon = b':';
    }
    loop {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (rest % 10) as u8;
        }
        rest /= 10;
        if rest == 0 || start == 0 {
            break;
        }
    }
    let text = digits.get(start..).unwrap_or_default();
    out.write_str(core::str::from_utf8(text).map_err(|_| core::fmt::Error)?)
}

// The errors only the bindings raise carry codes after the core's 1-20, written into their
// static messages: 101 a buffer of more than `MAX_BUFFER_LEN` floats, 102 out of wasm memory,
// 103 a spatial rank other than 1, 2 or 3, 104 config text that is not UTF-8. Messages that
// match a core variant carry its code (2 for a channels_first 1D layer, 3 for the op's dims).
// docs/wasm.md's table gives each code its JavaScript class.

/// Room for the longest core message (the longest is under 200 bytes: fixed text, counts, one
/// float and `&'static str` parts; names and JSON text never appear in messages).
const MESSAGE_LEN: usize = 512;

/// A core message on the stack: `to_string`'s `String` growth and its `expect` panic are not
/// linked.
struct Message {
    bytes: [u8; MESSAGE_LEN],
    len: usize,
}

impl Message {
    fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..self.len).unwrap_or_default();
        core::str::from_utf8(bytes).unwrap_or_default()
    }
}

impl core::fmt::Write for Message {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(core::fmt::Error)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(core::fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// The most floats of a [`Buffer`]: `isize::MAX` bytes, the largest allocation Rust makes.
pub const MAX_BUFFER_LEN: usize = isize::MAX as usize / core::mem::size_of::<f32>();

/// A block of `f32` in wasm memory. JavaScript views it as a `Float32Array`; the layers read
/// and write it in place.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Buffer {
    data: rust_alloc::vec::Vec<f32>,
}

#[wasm_bindgen]
impl Buffer {
    /// `len` zeroed floats; an error, not the allocator's trap, when memory runs out. One
    /// allocation holds at most `isize::MAX` bytes (2 GiB - 1 on wasm32): [`MAX_BUFFER_LEN`].
    #[wasm_bindgen(constructor)]
    pub fn new(len: usize) -> Result<Buffer, JsError> {
        if len > MAX_BUFFER_LEN {
            return Err(JsError::new(
                "101:a buffer holds at most 536870911 floats: one wasm32 allocation is under 2 GiB",
            ));
        }
        let mut data = rust_alloc::vec::Vec::new();
        data.try_reserve_exact(len).map_err(|_| {
            JsError::new("102:out of wasm memory: wasm32 memory is at most 4 GiB, shared by every live tensor, layer and buffer")
        })?;
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

/// Dims from JavaScript (`Uint32Array`) as the core's `usize` dims: a buffer of
/// [`MAX_DIMS`] and how many of it are used. Fails as the core does on a layer of spatial rank
/// `rank`: [`Error::RankMismatch`] for more dims than any layer takes.
fn dims_of(dims: &[u32], rank: usize) -> Result<([usize; MAX_DIMS], usize), Error> {
    let mut out = [0_usize; MAX_DIMS];
    if dims.len() > MAX_DIMS {
        return Err(Error::RankMismatch {
            expected: rank + 2,
            found: dims.len(),
        });
    }
    for (slot, &d) in out.iter_mut().zip(dims) {
        *slot = usize::try_from(d).map_err(|_| Error::ShapeOverflow)?;
    }
    Ok((out, dims.len()))
}

/// `SpatialDropout1D/2D/3D` as one class: the core's rank-erased layer, its rank fixed at
/// construction.
#[wasm_bindgen]
#[derive(Debug)]
pub struct Layer {
    inner: SpatialDropoutNd,
}

#[wasm_bindgen]
impl Layer {
    /// A layer of spatial rank `rank` (1, 2 or 3). `format` is Keras's `data_format` spelling,
    /// `seed` the config seed (`undefined` for none: the caller then reseeds it with entropy),
    /// `masks` the mask scheme's name (`undefined`: Keras's own).
    #[wasm_bindgen(constructor)]
    pub fn new(
        rank: u8,
        rate: f64,
        format: &str,
        seed: Option<u64>,
        name: Option<String>,
        masks: Option<String>,
    ) -> Result<Layer, JsError> {
        let rate = Rate::new(rate).map_err(into_error)?;
        let format: DataFormat = format.parse().map_err(into_error)?;
        let masks = parse_masks(masks.as_deref())?;
        if !(1..=3).contains(&rank) {
            return Err(JsError::new("103:the spatial rank must be 1, 2 or 3"));
        }
        let mut inner = SpatialDropoutNd::with_rate(usize::from(rank), rate)
            .and_then(|layer| layer.with_data_format(format))
            .map_err(into_error)?
            .with_masks(masks);
        if let Some(seed) = seed {
            inner = inner.with_seed(seed);
        }
        if let Some(name) = name {
            inner.set_name(&name).map_err(into_error)?;
        }
        Ok(Layer { inner })
    }

    /// A layer of spatial rank `rank` from Keras JSON (any form the core reads); a config
    /// without a seed leaves the generator at seed 0, for the caller to reseed with entropy.
    #[wasm_bindgen(js_name = fromConfig)]
    pub fn from_config(rank: u8, json: &str) -> Result<Layer, JsError> {
        if !(1..=3).contains(&rank) {
            return Err(JsError::new("103:the spatial rank must be 1, 2 or 3"));
        }
        let inner = SpatialDropoutNd::from_config(usize::from(rank), json.as_bytes())
            .map_err(into_error)?;
        Ok(Layer { inner })
    }

    /// Keras's `get_config()` as the core writes it for the layer's class: Keras 3's bytes.
    #[wasm_bindgen(js_name = configJson)]
    pub fn config_json(&self) -> Result<String, JsError> {
        let mut buf = [0_u8; MAX_CONFIG_LEN];
        let n = self.inner.write_config(&mut buf).map_err(into_error)?;
        let text = core::str::from_utf8(buf.get(..n).unwrap_or_default())
            .map_err(|_| JsError::new("104:the config writer produced invalid UTF-8"))?;
        Ok(text.into())
    }

    /// Restarts the masks from `seed` at call number 0; the config seed stays as it is.
    pub fn reseed(&mut self, seed: u64) {
        self.inner.reseed(seed);
    }

    /// The call number: drawing calls so far (Keras's `seed_generator.state[1]`).
    #[wasm_bindgen(getter)]
    pub fn calls(&self) -> u64 {
        self.inner.calls()
    }

    /// Sets the call number: the next drawing call draws Keras's mask of call `k`.
    #[wasm_bindgen(js_name = setCalls)]
    pub fn set_calls(&mut self, k: u64) {
        self.inner.set_calls(k);
    }

    /// The mask scheme's name.
    #[wasm_bindgen(getter)]
    pub fn masks(&self) -> String {
        self.inner.masks().as_str().into()
    }

    /// Keras's `call`: `inputs` to `outputs` (buffers of the same length).
    pub fn call(
        &mut self,
        inputs: &Buffer,
        outputs: &mut Buffer,
        dims: &[u32],
        training: bool,
    ) -> Result<(), JsError> {
        let (dims, n) = self.dims(dims)?;
        self.inner
            .call(&inputs.data, &dims[..n], &mut outputs.data, training)
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
        let (dims, n) = self.dims(dims)?;
        self.inner
            .call_in_place(&mut data.data, &dims[..n], training)
            .map_err(into_error)
    }

    /// The gradient of the last forward call.
    pub fn backward(
        &self,
        grad_outputs: &Buffer,
        grad_inputs: &mut Buffer,
        dims: &[u32],
    ) -> Result<(), JsError> {
        let (dims, n) = match dims_of(dims, self.inner.rank()) {
            Ok(dims) => dims,
            // The core reports a missing forward call before wrong dims: ask it (with no
            // dims, which it rejects after that check; `backward` changes nothing).
            Err(wrong_dims) => {
                let error = match self.inner.backward(&[], &[], &mut []) {
                    Err(Error::NoForwardCall) => Error::NoForwardCall,
                    _ => wrong_dims,
                };
                return Err(into_error(error));
            }
        };
        self.inner
            .backward(&grad_outputs.data, &dims[..n], &mut grad_inputs.data)
            .map_err(into_error)
    }

    /// The spatial rank: 1, 2 or 3.
    #[wasm_bindgen(getter)]
    pub fn rank(&self) -> u8 {
        // 1, 2 or 3.
        self.inner.rank() as u8
    }

    /// The dropout rate.
    #[wasm_bindgen(getter)]
    pub fn rate(&self) -> f64 {
        self.inner.rate().get()
    }

    /// `"channels_first"` or `"channels_last"`.
    #[wasm_bindgen(getter, js_name = dataFormat)]
    pub fn data_format(&self) -> String {
        self.inner.data_format().as_str().into()
    }

    /// The config seed, `undefined` for none.
    #[wasm_bindgen(getter)]
    pub fn seed(&self) -> Option<u64> {
        self.inner.seed()
    }

    /// The layer name.
    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().into()
    }
}

impl Layer {
    /// `dims` of an input of this layer as the core's dims.
    fn dims(&self, dims: &[u32]) -> Result<([usize; MAX_DIMS], usize), JsError> {
        dims_of(dims, self.inner.rank()).map_err(into_error)
    }
}

/// The stateless op: the first mask of a fresh layer seeded with `seed` (Keras's mask of
/// `(seed, call 0)` by default; `masks` names another scheme), the spatial rank from the number
/// of dims (3, 4 or 5). `training == false` copies.
#[wasm_bindgen(js_name = spatialDropout)]
#[allow(clippy::too_many_arguments)] // the JS options object, flattened for wasm-bindgen
pub fn spatial_dropout_op(
    inputs: &Buffer,
    outputs: &mut Buffer,
    dims: &[u32],
    rate: f64,
    format: &str,
    seed: u64,
    training: bool,
    masks: Option<String>,
) -> Result<(), JsError> {
    let rate = Rate::new(rate).map_err(into_error)?;
    let format: DataFormat = format.parse().map_err(into_error)?;
    let masks = parse_masks(masks.as_deref())?;
    let n = dims.len();
    if n > MAX_DIMS {
        return Err(into_error(Error::RankMismatch {
            expected: MAX_DIMS,
            found: n,
        }));
    }
    let Some(rank) = n.checked_sub(2).filter(|&r| r >= 1) else {
        // Whole static messages: a `concat` links `alloc`'s string joining and its panics.
        let message = match n {
            0 => {
                "3:spatialDropout needs 3, 4 or 5 dims (batch, 1 to 3 spatial dims, channels), found 0"
            }
            1 => {
                "3:spatialDropout needs 3, 4 or 5 dims (batch, 1 to 3 spatial dims, channels), found 1"
            }
            _ => {
                "3:spatialDropout needs 3, 4 or 5 dims (batch, 1 to 3 spatial dims, channels), found 2"
            }
        };
        return Err(JsError::new(message));
    };
    let (dims, n) = dims_of(dims, rank).map_err(into_error)?;
    SpatialDropoutNd::with_rate(rank, rate)
        .and_then(|layer| layer.with_data_format(format))
        .map_err(into_error)?
        .with_masks(masks)
        .with_seed(seed)
        .call(&inputs.data, &dims[..n], &mut outputs.data, training)
        .map_err(into_error)
}

/// Keras's keep mask for call `call` of a layer with seed `seed` over `maps` maps: bit `m % 32`
/// of word `m / 32` set = map `m` kept. `masks` names a Keras scheme (`undefined`: `"keras"`).
#[wasm_bindgen(js_name = maskWords)]
pub fn mask_words_op(
    masks: Option<String>,
    seed: u64,
    call: u64,
    maps: u32,
    rate: f64,
) -> Result<Vec<u32>, JsError> {
    let rate = Rate::new(rate).map_err(into_error)?;
    let masks = parse_masks(masks.as_deref())?;
    let maps = maps as usize;
    let mut keep = rust_alloc::vec![0u32; mask_words(maps)];
    keras_mask(&mut keep, maps, rate, seed, call, masks).map_err(into_error)?;
    Ok(keep)
}

/// A scheme name, `None` for the default (Keras's own).
fn parse_masks(masks: Option<&str>) -> Result<Masks, JsError> {
    masks.map_or(Ok(Masks::Keras), |m| m.parse().map_err(into_error))
}
