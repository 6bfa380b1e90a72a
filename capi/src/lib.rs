//! C ABI for `spatial-dropout`: Keras's `SpatialDropout1D/2D/3D` for C and C++ firmware.
//!
//! The header `include/spatial_dropout.h` is the documentation of every function; this file keeps
//! the Rust side of the contract. The rules it follows:
//!
//! - The layer lives in caller-owned storage (`spatial_dropout_layer`, whose size and alignment
//!   the header publishes and a const assertion below checks), so nothing is allocated.
//! - Every pointer is checked for null and alignment before it becomes a reference, and every
//!   error leaves every caller buffer and the layer as they were.
//! - No panics: with the `link-check` feature the panic handler references a symbol that
//!   exists nowhere. `.ci/capi.sh` checks that no archive needs it, with and without `json`,
//!   and `tests/panic_paths.py` prints the path from any export that ever reaches it again.
#![cfg_attr(not(test), no_std)]

use core::ffi::{c_char, c_int};
use core::mem::{align_of, size_of};
use core::ptr;

use spatial_dropout::{
    DataFormat, Error, MAX_DIMS, MAX_NAME_LEN, Masks, Rate, SpatialDropout, SpatialDropout1D,
    SpatialDropout2D, SpatialDropout3D, keras_mask,
};

/// `?` for the exports, which return status codes: the value of `Ok`, or `return` the code of
/// `Err` from the export.
macro_rules! try_status {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(code) => return code,
        }
    };
}

mod header;
#[cfg(feature = "json")]
mod json;
#[cfg(test)]
mod miri_tests;
mod status;

use header::header_define;

use status::*;

/// The header, read at compile time so that its published size and alignment are checked
/// against the Rust type they describe, on every target this crate is built for.
const HEADER: &str = include_str!("../include/spatial_dropout.h");

/// `SPATIAL_DROPOUT_LAYER_SIZE` as the header defines it.
const LAYER_SIZE: usize = header_define(HEADER.as_bytes(), b"SPATIAL_DROPOUT_LAYER_SIZE");
/// `SPATIAL_DROPOUT_LAYER_ALIGN` as the header defines it.
const LAYER_ALIGN: usize = header_define(HEADER.as_bytes(), b"SPATIAL_DROPOUT_LAYER_ALIGN");

const _: () = assert!(
    size_of::<Handle>() <= LAYER_SIZE,
    "SPATIAL_DROPOUT_LAYER_SIZE in the header is smaller than the layer"
);
const _: () = assert!(
    align_of::<Handle>() <= LAYER_ALIGN,
    "SPATIAL_DROPOUT_LAYER_ALIGN in the header is smaller than the layer's alignment"
);
const _: () = assert!(
    header_define(HEADER.as_bytes(), b"SPATIAL_DROPOUT_MAX_NAME_LEN") == MAX_NAME_LEN,
    "SPATIAL_DROPOUT_MAX_NAME_LEN in the header is not the crate's MAX_NAME_LEN"
);
const _: () = assert!(LAYER_ALIGN.is_power_of_two() && LAYER_SIZE.is_multiple_of(LAYER_ALIGN));

/// Marks storage that a create function has initialised ("SDL1"). A zeroed static that was
/// never created fails with `SPATIAL_DROPOUT_ERROR_NOT_CREATED` instead of being misread.
const MAGIC: u32 = 0x5344_4c31;

/// What the caller's `spatial_dropout_layer` storage holds once created.
#[repr(C)]
struct Handle {
    magic: u32,
    layer: Layer,
}

/// A layer of any of the three spatial ranks.
#[derive(Debug, Clone)]
enum Layer {
    D1(SpatialDropout1D),
    D2(SpatialDropout2D),
    D3(SpatialDropout3D),
}

/// The C type of the storage; only its address is used, its bytes belong to [`Handle`].
#[repr(C)]
#[derive(Debug)]
pub struct spatial_dropout_layer {
    _opaque: [u8; 0],
}

/// `SPATIAL_DROPOUT_CHANNELS_LAST`.
const CHANNELS_LAST: i32 = 0;
/// `SPATIAL_DROPOUT_CHANNELS_FIRST`.
const CHANNELS_FIRST: i32 = 1;

/// The header's `SPATIAL_DROPOUT_MASKS_*` numbers, in order: the scheme of number `i` is
/// `MASKS[i]`. The numbers never change; a new scheme gets the next one.
const MASKS: [Masks; 5] = [
    Masks::Keras,
    Masks::KerasXla,
    Masks::Keras34,
    Masks::Keras34Xla,
    Masks::XorShift,
];

/// The scheme of a `SPATIAL_DROPOUT_MASKS_*` number.
fn masks_of(code: i32) -> Result<Masks, i32> {
    usize::try_from(code)
        .ok()
        .and_then(|i| MASKS.get(i).copied())
        .ok_or(SPATIAL_DROPOUT_ERROR_INVALID_MASKS)
}

/// The `SPATIAL_DROPOUT_MASKS_*` number of a scheme.
fn masks_code(masks: Masks) -> i32 {
    match masks {
        Masks::Keras => 0,
        Masks::KerasXla => 1,
        Masks::Keras34 => 2,
        Masks::Keras34Xla => 3,
        Masks::XorShift => 4,
    }
}

// ---------------------------------------------------------------------------------------------
// Creation

/// Creates a layer in `layer`'s storage. See the header.
///
/// # Safety
/// `layer` is null or points to `SPATIAL_DROPOUT_LAYER_SIZE` writable bytes; `name` is null or
/// a NUL-terminated string (read up to its NUL or `MAX_NAME_LEN + 1` bytes, whichever is first).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_create(
    layer: *mut spatial_dropout_layer,
    rank: u32,
    rate: f64,
    data_format: i32,
    has_seed: c_int,
    seed: u64,
    name: *const c_char,
) -> i32 {
    let storage = try_status!(storage(layer));
    // SAFETY: the caller passes null or a NUL-terminated string.
    let name = try_status!(unsafe { c_name(name) });
    let rate = try_status!(Rate::new(rate).map_err(code_of));
    let format = match data_format {
        CHANNELS_LAST => DataFormat::ChannelsLast,
        CHANNELS_FIRST => DataFormat::ChannelsFirst,
        _ => return SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT,
    };
    let seed = (has_seed != 0).then_some(seed);
    match rank {
        // Keras's SpatialDropout1D has no data_format: it is always channels_last.
        1 if format == DataFormat::ChannelsFirst => SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT,
        1 => build_into(storage, || {
            configure(SpatialDropout1D::with_rate(rate), seed, name).map(Layer::D1)
        }),
        2 => build_into(storage, || {
            let layer = SpatialDropout2D::with_rate(rate).with_data_format(format);
            configure(layer, seed, name).map(Layer::D2)
        }),
        3 => build_into(storage, || {
            let layer = SpatialDropout3D::with_rate(rate).with_data_format(format);
            configure(layer, seed, name).map(Layer::D3)
        }),
        _ => SPATIAL_DROPOUT_ERROR_BAD_RANK,
    }
}

/// Builds one rank's layer and stores it. Not inlined, so that the caller's stack frame holds
/// no rank's temporaries: the three would otherwise take three sets of slots on a Cortex-M.
#[inline(never)]
fn build_into(storage: *mut Handle, build: impl FnOnce() -> Result<Layer, Error>) -> i32 {
    store(storage, build().map_err(code_of))
}

fn configure<const S: usize>(
    layer: SpatialDropout<S>,
    seed: Option<u64>,
    name: Option<&str>,
) -> Result<SpatialDropout<S>, Error> {
    let layer = match seed {
        Some(seed) => layer.with_seed(seed),
        None => layer,
    };
    match name {
        Some(name) => layer.with_name(name),
        None => Ok(layer),
    }
}

// ---------------------------------------------------------------------------------------------
// Calls

/// Keras's `call(inputs, training)` out of place. See the header.
///
/// # Safety
/// Each non-null pointer points to as many valid elements as its length says; `output` does not
/// overlap `layer`, `input` or `dims` unless it is exactly `input` (then the call is in place).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_call(
    layer: *mut spatial_dropout_layer,
    input: *const f32,
    input_len: usize,
    output: *mut f32,
    output_len: usize,
    dims: *const usize,
    ndim: usize,
    training: c_int,
) -> i32 {
    if ptr::eq(input, output.cast_const()) && input_len == output_len {
        // One buffer: Rust must see a single `&mut`, so this is the in-place call.
        // SAFETY: the caller's guarantees for one buffer are those of `call_in_place`.
        return unsafe {
            spatial_dropout_call_in_place(layer, output, output_len, dims, ndim, training)
        };
    }
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_mut(layer) });
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = try_status!(unsafe { copy_dims(dims, ndim) });
    if overlap(input, input_len, output.cast_const(), output_len) {
        return SPATIAL_DROPOUT_ERROR_OVERLAP;
    }
    // SAFETY: `input` holds `input_len` elements or is null; it does not overlap `output`.
    let input = try_status!(unsafe { slice(input, input_len) });
    // SAFETY: `output` holds `output_len` elements or is null; it does not overlap `input`.
    let output = try_status!(unsafe { slice_mut(output, output_len) });
    status(layer.call(input, dims.as_slice(), output, training != 0))
}

/// Keras's `call(inputs, training)` in place. See the header.
///
/// # Safety
/// `data` points to `len` valid elements or is null; it does not overlap `layer` or `dims`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_call_in_place(
    layer: *mut spatial_dropout_layer,
    data: *mut f32,
    len: usize,
    dims: *const usize,
    ndim: usize,
    training: c_int,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_mut(layer) });
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = try_status!(unsafe { copy_dims(dims, ndim) });
    // SAFETY: `data` holds `len` elements or is null.
    let data = try_status!(unsafe { slice_mut(data, len) });
    status(layer.call_in_place(data, dims.as_slice(), training != 0))
}

/// The gradient of the last forward call. See the header.
///
/// # Safety
/// Each non-null pointer points to as many valid elements as its length says; `grad_inputs`
/// overlaps neither `grad_outputs`, `layer` nor `dims`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_backward(
    layer: *const spatial_dropout_layer,
    grad_outputs: *const f32,
    grad_outputs_len: usize,
    grad_inputs: *mut f32,
    grad_inputs_len: usize,
    dims: *const usize,
    ndim: usize,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_ref(layer) });
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = try_status!(unsafe { copy_dims(dims, ndim) });
    let out = grad_inputs.cast_const();
    if overlap(grad_outputs, grad_outputs_len, out, grad_inputs_len) {
        return SPATIAL_DROPOUT_ERROR_OVERLAP;
    }
    // SAFETY: `grad_outputs` holds `grad_outputs_len` elements or is null; no overlap.
    let grad_outputs = try_status!(unsafe { slice(grad_outputs, grad_outputs_len) });
    // SAFETY: `grad_inputs` holds `grad_inputs_len` elements or is null; no overlap.
    let grad_inputs = try_status!(unsafe { slice_mut(grad_inputs, grad_inputs_len) });
    status(layer.backward(grad_outputs, dims.as_slice(), grad_inputs))
}

/// Restarts the layer's generator from `seed`. See the header.
///
/// # Safety
/// `layer` is null or a created layer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_reseed(
    layer: *mut spatial_dropout_layer,
    seed: u64,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    match unsafe { layer_mut(layer) } {
        Ok(layer) => {
            layer.reseed(seed);
            SPATIAL_DROPOUT_OK
        }
        Err(code) => code,
    }
}

/// Chooses the layer's mask scheme. See the header.
///
/// # Safety
/// `layer` is null or a created layer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_set_masks(
    layer: *mut spatial_dropout_layer,
    masks: i32,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_mut(layer) });
    let masks = try_status!(masks_of(masks));
    layer.set_masks(masks);
    SPATIAL_DROPOUT_OK
}

/// The layer's mask scheme. See the header.
///
/// # Safety
/// `layer` is null or a created layer; `masks` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_get_masks(
    layer: *const spatial_dropout_layer,
    masks: *mut i32,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_ref(layer) });
    // SAFETY: the caller passes null or a writable `int32_t`.
    unsafe { write_out(masks, masks_code(layer.masks())) }
}

/// Sets the layer's call number. See the header.
///
/// # Safety
/// `layer` is null or a created layer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_set_calls(
    layer: *mut spatial_dropout_layer,
    calls: u64,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_mut(layer) });
    layer.set_calls(calls);
    SPATIAL_DROPOUT_OK
}

/// The layer's call number. See the header.
///
/// # Safety
/// `layer` is null or a created layer; `calls` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_get_calls(
    layer: *const spatial_dropout_layer,
    calls: *mut u64,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_ref(layer) });
    // SAFETY: the caller passes null or a writable `uint64_t`.
    unsafe { write_out(calls, layer.calls()) }
}

/// The mask a Keras layer draws on call `call`, with no layer. See the header.
///
/// # Safety
/// `keep` is null or points to `keep_words` writable `uint32_t`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_keras_mask(
    keep: *mut u32,
    keep_words: usize,
    maps: usize,
    rate: f64,
    seed: u64,
    call: u64,
    masks: i32,
) -> i32 {
    let masks = try_status!(masks_of(masks));
    let rate = try_status!(Rate::new(rate).map_err(code_of));
    if !masks.is_keras() {
        return SPATIAL_DROPOUT_ERROR_NOT_KERAS;
    }
    // SAFETY: `keep` holds `keep_words` words or is null.
    let keep = try_status!(unsafe { slice_mut(keep, keep_words) });
    status(keras_mask(keep, maps, rate, seed, call, masks))
}

/// The layer's settings. See the header.
///
/// # Safety
/// `layer` is null or a created layer; each out-pointer is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_get_info(
    layer: *const spatial_dropout_layer,
    rank: *mut u32,
    rate: *mut f64,
    data_format: *mut i32,
    has_seed: *mut c_int,
    seed: *mut u64,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_ref(layer) });
    if rank.is_null()
        || rate.is_null()
        || data_format.is_null()
        || has_seed.is_null()
        || seed.is_null()
    {
        return SPATIAL_DROPOUT_ERROR_NULL_POINTER;
    }
    if !(rank.is_aligned()
        && rate.is_aligned()
        && data_format.is_aligned()
        && has_seed.is_aligned()
        && seed.is_aligned())
    {
        return SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT;
    }
    let format = match layer.data_format() {
        DataFormat::ChannelsLast => CHANNELS_LAST,
        DataFormat::ChannelsFirst => CHANNELS_FIRST,
    };
    // SAFETY: every pointer is non-null and aligned (checked above) and the caller passes
    // writable ones.
    unsafe {
        rank.write(layer.rank());
        rate.write(layer.rate().get());
        data_format.write(format);
        has_seed.write(c_int::from(layer.seed().is_some()));
        seed.write(layer.seed().unwrap_or(0));
    }
    SPATIAL_DROPOUT_OK
}

/// Copies the layer name, NUL-terminated, into `buf`. See the header.
///
/// # Safety
/// `layer` is null or a created layer; `buf` is null or holds `capacity` writable bytes;
/// `len` is null or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_get_name(
    layer: *const spatial_dropout_layer,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> i32 {
    // SAFETY: the caller passes a created layer or null.
    let layer = try_status!(unsafe { layer_ref(layer) });
    let name = layer.name().as_bytes();
    let fill = |out: &mut [u8]| {
        let n = out.len().min(name.len());
        if let (Some(to), Some(from)) = (out.get_mut(..n), name.get(..n)) {
            to.copy_from_slice(from);
        }
        Ok(n)
    };
    // SAFETY: `buf` holds `capacity` bytes, `len` is writable, or either is null.
    unsafe { write_text(name.len(), buf, capacity, len, fill) }
}

/// The static, NUL-terminated message of a status code. See the header.
#[unsafe(no_mangle)]
pub extern "C" fn spatial_dropout_error_message(code: i32) -> *const c_char {
    message(code).as_ptr()
}

// ---------------------------------------------------------------------------------------------
// The layer behind the enum

impl Layer {
    fn rank(&self) -> u32 {
        match self {
            Layer::D1(_) => 1,
            Layer::D2(_) => 2,
            Layer::D3(_) => 3,
        }
    }

    fn rate(&self) -> Rate {
        match self {
            Layer::D1(l) => l.rate(),
            Layer::D2(l) => l.rate(),
            Layer::D3(l) => l.rate(),
        }
    }

    fn data_format(&self) -> DataFormat {
        match self {
            Layer::D1(l) => l.data_format(),
            Layer::D2(l) => l.data_format(),
            Layer::D3(l) => l.data_format(),
        }
    }

    fn seed(&self) -> Option<u64> {
        match self {
            Layer::D1(l) => l.seed(),
            Layer::D2(l) => l.seed(),
            Layer::D3(l) => l.seed(),
        }
    }

    fn name(&self) -> &str {
        match self {
            Layer::D1(l) => l.name(),
            Layer::D2(l) => l.name(),
            Layer::D3(l) => l.name(),
        }
    }

    fn masks(&self) -> Masks {
        match self {
            Layer::D1(l) => l.masks(),
            Layer::D2(l) => l.masks(),
            Layer::D3(l) => l.masks(),
        }
    }

    fn set_masks(&mut self, masks: Masks) {
        // `with_masks` is a builder: run it on a copy (a layer owns nothing to drop).
        *self = match self {
            Layer::D1(l) => Layer::D1(l.clone().with_masks(masks)),
            Layer::D2(l) => Layer::D2(l.clone().with_masks(masks)),
            Layer::D3(l) => Layer::D3(l.clone().with_masks(masks)),
        };
    }

    fn calls(&self) -> u64 {
        match self {
            Layer::D1(l) => l.calls(),
            Layer::D2(l) => l.calls(),
            Layer::D3(l) => l.calls(),
        }
    }

    fn set_calls(&mut self, calls: u64) {
        match self {
            Layer::D1(l) => l.set_calls(calls),
            Layer::D2(l) => l.set_calls(calls),
            Layer::D3(l) => l.set_calls(calls),
        }
    }

    fn reseed(&mut self, seed: u64) {
        match self {
            Layer::D1(l) => l.reseed(seed),
            Layer::D2(l) => l.reseed(seed),
            Layer::D3(l) => l.reseed(seed),
        }
    }

    fn call(
        &mut self,
        input: &[f32],
        dims: &[usize],
        output: &mut [f32],
        training: bool,
    ) -> Result<(), Error> {
        match self {
            Layer::D1(l) => l.call(input, dims, output, training),
            Layer::D2(l) => l.call(input, dims, output, training),
            Layer::D3(l) => l.call(input, dims, output, training),
        }
    }

    fn call_in_place(
        &mut self,
        data: &mut [f32],
        dims: &[usize],
        training: bool,
    ) -> Result<(), Error> {
        match self {
            Layer::D1(l) => l.call_in_place(data, dims, training),
            Layer::D2(l) => l.call_in_place(data, dims, training),
            Layer::D3(l) => l.call_in_place(data, dims, training),
        }
    }

    fn backward(
        &self,
        grad_outputs: &[f32],
        dims: &[usize],
        grad_inputs: &mut [f32],
    ) -> Result<(), Error> {
        match self {
            Layer::D1(l) => l.backward(grad_outputs, dims, grad_inputs),
            Layer::D2(l) => l.backward(grad_outputs, dims, grad_inputs),
            Layer::D3(l) => l.backward(grad_outputs, dims, grad_inputs),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pointers to references, each check once

/// Checks the storage pointer of a create function.
fn storage(layer: *mut spatial_dropout_layer) -> Result<*mut Handle, i32> {
    let handle = layer.cast::<Handle>();
    if handle.is_null() {
        Err(SPATIAL_DROPOUT_ERROR_NULL_POINTER)
    } else if !handle.is_aligned() {
        Err(SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT)
    } else {
        Ok(handle)
    }
}

/// Writes a built layer into checked storage, replacing whatever it held, and returns
/// `SPATIAL_DROPOUT_OK`; a layer that could not be built leaves the storage untouched and
/// returns its status code.
fn store(handle: *mut Handle, built: Result<Layer, i32>) -> i32 {
    let layer = try_status!(built);
    // SAFETY: `storage` checked that `handle` is non-null and aligned; the caller of the create
    // function guarantees `SPATIAL_DROPOUT_LAYER_SIZE` writable bytes there, which cover a
    // `Handle` (const assertion above). `write` does not read or drop the old bytes, which may
    // be uninitialised; a `Layer` owns nothing that needs dropping.
    unsafe {
        handle.write(Handle {
            magic: MAGIC,
            layer,
        })
    };
    SPATIAL_DROPOUT_OK
}

/// A created layer, mutable.
///
/// # Safety
/// `layer` is null or points to storage that a create function initialised (or that holds
/// something else whose first four bytes are not the magic), with no other live reference.
unsafe fn layer_mut<'a>(layer: *mut spatial_dropout_layer) -> Result<&'a mut Layer, i32> {
    let handle = storage(layer)?;
    // SAFETY: non-null and aligned (checked by `storage`); the caller guarantees the bytes are
    // readable. `magic` is a plain `u32` at offset 0 of the `repr(C)` struct.
    if unsafe { ptr::addr_of!((*handle).magic).read() } != MAGIC {
        return Err(SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    }
    // SAFETY: the magic says a create function wrote a `Handle` here, and the caller holds no
    // other reference to it for the duration of the call.
    Ok(unsafe { &mut (*handle).layer })
}

/// A created layer, shared.
///
/// # Safety
/// As [`layer_mut`], except that other shared uses may exist.
unsafe fn layer_ref<'a>(layer: *const spatial_dropout_layer) -> Result<&'a Layer, i32> {
    let handle = storage(layer.cast_mut())?;
    // SAFETY: as in `layer_mut`.
    if unsafe { ptr::addr_of!((*handle).magic).read() } != MAGIC {
        return Err(SPATIAL_DROPOUT_ERROR_NOT_CREATED);
    }
    // SAFETY: the magic says a create function wrote a `Handle` here; nothing mutates it while
    // this call runs.
    Ok(unsafe { &(*handle).layer })
}

/// Dims copied out of caller memory, so that no reference to it outlives the check.
struct DimsBuf {
    buf: [usize; MAX_DIMS],
    len: usize,
}

impl DimsBuf {
    fn as_slice(&self) -> &[usize] {
        self.buf.get(..self.len).unwrap_or(&[])
    }
}

/// # Safety
/// `dims` is null or points to `ndim` readable `size_t`s.
unsafe fn copy_dims(dims: *const usize, ndim: usize) -> Result<DimsBuf, i32> {
    if ndim > MAX_DIMS {
        // No layer takes more than 5 dims: the layer's own check names the expected rank.
        return Err(SPATIAL_DROPOUT_ERROR_RANK_MISMATCH);
    }
    // SAFETY: forwarded from the caller.
    let src = unsafe { slice(dims, ndim)? };
    let mut out = DimsBuf {
        buf: [0; MAX_DIMS],
        len: ndim,
    };
    for (slot, &d) in out.buf.iter_mut().zip(src) {
        *slot = d;
    }
    Ok(out)
}

/// A shared slice from a C pointer and element count; null is accepted for an empty slice.
///
/// # Safety
/// `ptr` is null or points to `len` initialised, readable `T`s not mutated during the call.
unsafe fn slice<'a, T>(ptr: *const T, len: usize) -> Result<&'a [T], i32> {
    if len == 0 {
        return Ok(&[]);
    }
    check(ptr, len)?;
    // SAFETY: non-null, aligned and not larger than `isize::MAX` bytes (checked by `check`);
    // the caller guarantees `len` readable elements.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A mutable slice from a C pointer and element count; null is accepted for an empty slice.
///
/// # Safety
/// `ptr` is null or points to `len` initialised, writable `T`s that nothing else accesses
/// during the call.
unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize) -> Result<&'a mut [T], i32> {
    if len == 0 {
        return Ok(&mut []);
    }
    check(ptr.cast_const(), len)?;
    // SAFETY: as in `slice`, and the caller guarantees exclusive access.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

fn check<T>(ptr: *const T, len: usize) -> Result<(), i32> {
    if ptr.is_null() {
        return Err(SPATIAL_DROPOUT_ERROR_NULL_POINTER);
    }
    if !ptr.is_aligned() {
        return Err(SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT);
    }
    // No real buffer is this large; `from_raw_parts` requires it not to be.
    let fits = len
        .checked_mul(size_of::<T>())
        .is_some_and(|bytes| bytes <= isize::MAX.unsigned_abs());
    if fits {
        Ok(())
    } else {
        Err(SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH)
    }
}

/// Writes `value` through a caller's out-pointer, after checking it.
///
/// # Safety
/// `out` is null or points to a writable `T`.
unsafe fn write_out<T>(out: *mut T, value: T) -> i32 {
    if out.is_null() {
        return SPATIAL_DROPOUT_ERROR_NULL_POINTER;
    }
    if !out.is_aligned() {
        return SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT;
    }
    // SAFETY: non-null and aligned (checked above); the caller passes a writable `T`.
    unsafe { out.write(value) };
    SPATIAL_DROPOUT_OK
}

/// Whether two element ranges share a byte. Empty ranges overlap nothing.
fn overlap(a: *const f32, a_len: usize, b: *const f32, b_len: usize) -> bool {
    if a_len == 0 || b_len == 0 {
        return false;
    }
    let (a, b) = (a.addr(), b.addr());
    let end = |start: usize, len: usize| {
        len.checked_mul(size_of::<f32>())
            .and_then(|bytes| start.checked_add(bytes))
            .unwrap_or(usize::MAX)
    };
    a < end(b, b_len) && b < end(a, a_len)
}

/// A NUL-terminated name of at most `MAX_NAME_LEN` bytes; null means the Keras default.
///
/// # Safety
/// `name` is null or points to a NUL-terminated string.
unsafe fn c_name<'a>(name: *const c_char) -> Result<Option<&'a str>, i32> {
    if name.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    loop {
        if len > MAX_NAME_LEN {
            return Err(SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG);
        }
        // SAFETY: the string is NUL-terminated and no NUL came before offset `len`, so offset
        // `len` is still inside it.
        if unsafe { name.add(len).read() } == 0 {
            break;
        }
        len += 1;
    }
    // SAFETY: the `len` bytes before the NUL are readable (just read one by one).
    let bytes = unsafe { core::slice::from_raw_parts(name.cast::<u8>(), len) };
    match core::str::from_utf8(bytes) {
        Ok(s) => Ok(Some(s)),
        Err(_) => Err(SPATIAL_DROPOUT_ERROR_INVALID_UTF8),
    }
}

/// Writes a text of `needed` bytes (produced by `fill`) and a NUL into `buf`, and `needed`
/// into `*len`.
///
/// On `BUFFER_TOO_SMALL`, `*len` still receives the length needed (without the NUL) and `buf`
/// is left unchanged, so a caller can size its buffer and retry.
///
/// # Safety
/// `buf` is null or holds `capacity` writable bytes; `len` is null or writable.
unsafe fn write_text(
    needed: usize,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
    fill: impl FnOnce(&mut [u8]) -> Result<usize, Error>,
) -> i32 {
    if len.is_null() {
        return SPATIAL_DROPOUT_ERROR_NULL_POINTER;
    }
    if !len.is_aligned() {
        return SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT;
    }
    if needed >= capacity {
        if buf.is_null() && capacity > 0 {
            return SPATIAL_DROPOUT_ERROR_NULL_POINTER;
        }
        // SAFETY: non-null and aligned (checked above); the caller passes a writable `size_t`.
        unsafe { len.write(needed) };
        return SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL;
    }
    // SAFETY: `buf` holds `capacity` bytes or is null (then `slice_mut` fails).
    let out = try_status!(unsafe { slice_mut(buf.cast::<u8>(), capacity) });
    let Some((body, rest)) = out.split_at_mut_checked(needed) else {
        return SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL;
    };
    let written = try_status!(fill(body).map_err(code_of));
    if let Some(nul) = rest.first_mut() {
        *nul = 0;
    }
    // SAFETY: as above.
    unsafe { len.write(written) };
    SPATIAL_DROPOUT_OK
}

fn status(result: Result<(), Error>) -> i32 {
    match result {
        Ok(()) => SPATIAL_DROPOUT_OK,
        Err(e) => code_of(e),
    }
}

/// Tells `tests/panic_paths.py` that this archive was built with the `link-check` handler.
#[cfg(feature = "link-check")]
#[unsafe(no_mangle)]
pub static spatial_dropout_capi_link_check: u8 = 1;

#[cfg(all(not(test), feature = "link-check"))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        /// Defined nowhere: the archive needs it only if an exported function can panic.
        fn spatial_dropout_capi_can_panic() -> !;
    }
    // SAFETY: never runs; if it is reachable the link fails, which is the point.
    unsafe { spatial_dropout_capi_can_panic() }
}

#[cfg(all(not(test), not(feature = "link-check")))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    // Unreachable by the link-check proof; if it were reached, stop rather than continue.
    loop {
        core::hint::spin_loop();
    }
}
