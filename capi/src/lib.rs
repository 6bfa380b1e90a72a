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
    DataFormat, Error, MAX_DIMS, MAX_NAME_LEN, Masks, Rate, SpatialDropoutNd, keras_mask,
};

/// Defines each export and its `_ex` twin over one implementation returning
/// `Result<(), Fail>`.
///
/// The implementations are `#[inline(always)]`, and so are `Layer::call`, `call_in_place`
/// and `backward`: measured on the Cortex-M4F (`make -C examples/c-firmware stack`), that
/// costs the least stack of the arrangements tried (one out-of-line implementation shared by
/// both exports, or the export calling its `_ex` twin, each cost 60 to 250 bytes more),
/// though still 64 to 192 bytes more than before the twins (docs/c.md has the table).
macro_rules! exports {
    ($(
        $(#[$doc:meta])*
        fn $name:ident / $name_ex:ident = $imp:ident ( $($arg:ident : $ty:ty),* $(,)? );
    )*) => {$(
        $(#[$doc])*
        ///
        /// # Safety
        /// As the header says for this function.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> i32 {
            // SAFETY: the caller's guarantees are the implementation's.
            code(unsafe { $imp($($arg),*) })
        }

        $(#[$doc])*
        /// Also fills `*err` (if not null) with the detail of the outcome.
        ///
        /// # Safety
        /// As the function without `_ex`; `err` is null or points to a writable
        /// `spatial_dropout_error`.
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name_ex($($arg: $ty,)* err: *mut spatial_dropout_error) -> i32 {
            // SAFETY: forwarded from the caller; `report` checks `err` before the call runs.
            unsafe { report(err, || $imp($($arg),*)) }
        }
    )*};
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

/// Checks at compile time that the header's `#define NAME` is the number of `arg`.
macro_rules! arg_define {
    ($($name:literal = $arg:expr;)*) => {$(
        #[allow(clippy::as_conversions)] // a small non-negative `i32` (compile time only)
        const _: () = assert!(
            header_define(HEADER.as_bytes(), $name) == $arg.number() as usize,
            "a SPATIAL_DROPOUT_ARG_* number of the header is not the Rust side's"
        );
    )*};
}

arg_define! {
    b"SPATIAL_DROPOUT_ARG_NONE" = Arg::None;
    b"SPATIAL_DROPOUT_ARG_LAYER" = Arg::Layer;
    b"SPATIAL_DROPOUT_ARG_RANK" = Arg::Rank;
    b"SPATIAL_DROPOUT_ARG_RATE" = Arg::Rate;
    b"SPATIAL_DROPOUT_ARG_DATA_FORMAT" = Arg::DataFormat;
    b"SPATIAL_DROPOUT_ARG_NAME" = Arg::Name;
    b"SPATIAL_DROPOUT_ARG_JSON" = Arg::Json;
    b"SPATIAL_DROPOUT_ARG_MODEL_JSON" = Arg::ModelJson;
    b"SPATIAL_DROPOUT_ARG_INPUT" = Arg::Input;
    b"SPATIAL_DROPOUT_ARG_OUTPUT" = Arg::Output;
    b"SPATIAL_DROPOUT_ARG_DATA" = Arg::Data;
    b"SPATIAL_DROPOUT_ARG_DIMS" = Arg::Dims;
    b"SPATIAL_DROPOUT_ARG_GRAD_OUTPUTS" = Arg::GradOutputs;
    b"SPATIAL_DROPOUT_ARG_GRAD_INPUTS" = Arg::GradInputs;
    b"SPATIAL_DROPOUT_ARG_MASKS" = Arg::Masks;
    b"SPATIAL_DROPOUT_ARG_CALLS" = Arg::Calls;
    b"SPATIAL_DROPOUT_ARG_HAS_SEED" = Arg::HasSeed;
    b"SPATIAL_DROPOUT_ARG_SEED" = Arg::Seed;
    b"SPATIAL_DROPOUT_ARG_KEEP" = Arg::Keep;
    b"SPATIAL_DROPOUT_ARG_BUF" = Arg::Buf;
    b"SPATIAL_DROPOUT_ARG_LEN" = Arg::Len;
    b"SPATIAL_DROPOUT_ARG_ERR" = Arg::Err;
}

/// Marks storage that a create function has initialised ("SDL1"). A zeroed static that was
/// never created fails with `SPATIAL_DROPOUT_ERROR_NOT_CREATED` instead of being misread.
const MAGIC: u32 = 0x5344_4c31;

/// What the caller's `spatial_dropout_layer` storage holds once created.
#[repr(C)]
struct Handle {
    magic: u32,
    layer: Layer,
}

/// The core's layer of any spatial rank: one type, so one copy of its code.
type Layer = SpatialDropoutNd;

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
fn masks_of(code: i32) -> Result<Masks, Fail> {
    usize::try_from(code)
        .ok()
        .and_then(|i| MASKS.get(i).copied())
        .ok_or(Fail::c(SPATIAL_DROPOUT_ERROR_INVALID_MASKS, Arg::Masks))
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
// Exports in pairs: `spatial_dropout_X` returns the status code, `spatial_dropout_X_ex` also
// fills a caller's `spatial_dropout_error`. Both run the same `X` below.

/// Runs an export's implementation and writes its detail through `err` (if not null). A
/// misaligned `err` fails the call before it runs, with nothing written.
///
/// # Safety
/// `err` is null or points to a writable `spatial_dropout_error`.
unsafe fn report(err: *mut spatial_dropout_error, run: impl FnOnce() -> Result<(), Fail>) -> i32 {
    if !err.is_null() && !err.is_aligned() {
        return SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT;
    }
    let result = run();
    if !err.is_null() {
        // SAFETY: non-null and aligned (checked above); the caller passes a writable one.
        unsafe { err.write(spatial_dropout_error::of(result)) };
    }
    code(result)
}

exports! {
    /// Creates a layer in `layer`'s storage. See the header.
    fn spatial_dropout_create / spatial_dropout_create_ex = create(
        layer: *mut spatial_dropout_layer,
        rank: u32,
        rate: f64,
        data_format: i32,
        has_seed: c_int,
        seed: u64,
        name: *const c_char,
    );
    /// Keras's `call(inputs, training)` out of place. See the header.
    fn spatial_dropout_call / spatial_dropout_call_ex = call(
        layer: *mut spatial_dropout_layer,
        input: *const f32,
        input_len: usize,
        output: *mut f32,
        output_len: usize,
        dims: *const usize,
        ndim: usize,
        training: c_int,
    );
    /// Keras's `call(inputs, training)` in place. See the header.
    fn spatial_dropout_call_in_place / spatial_dropout_call_in_place_ex = call_in_place(
        layer: *mut spatial_dropout_layer,
        data: *mut f32,
        len: usize,
        dims: *const usize,
        ndim: usize,
        training: c_int,
    );
    /// The gradient of the last forward call. See the header.
    fn spatial_dropout_backward / spatial_dropout_backward_ex = backward(
        layer: *const spatial_dropout_layer,
        grad_outputs: *const f32,
        grad_outputs_len: usize,
        grad_inputs: *mut f32,
        grad_inputs_len: usize,
        dims: *const usize,
        ndim: usize,
    );
    /// Restarts the layer's generator from `seed`. See the header.
    fn spatial_dropout_reseed / spatial_dropout_reseed_ex = reseed(
        layer: *mut spatial_dropout_layer,
        seed: u64,
    );
    /// Chooses the layer's mask scheme. See the header.
    fn spatial_dropout_set_masks / spatial_dropout_set_masks_ex = set_masks(
        layer: *mut spatial_dropout_layer,
        masks: i32,
    );
    /// The layer's mask scheme. See the header.
    fn spatial_dropout_get_masks / spatial_dropout_get_masks_ex = get_masks(
        layer: *const spatial_dropout_layer,
        masks: *mut i32,
    );
    /// Sets the layer's call number. See the header.
    fn spatial_dropout_set_calls / spatial_dropout_set_calls_ex = set_calls(
        layer: *mut spatial_dropout_layer,
        calls: u64,
    );
    /// The layer's call number. See the header.
    fn spatial_dropout_get_calls / spatial_dropout_get_calls_ex = get_calls(
        layer: *const spatial_dropout_layer,
        calls: *mut u64,
    );
    /// The mask a Keras layer draws on call `call`, with no layer. See the header.
    fn spatial_dropout_keras_mask / spatial_dropout_keras_mask_ex = keras_mask_into(
        keep: *mut u32,
        keep_words: usize,
        maps: usize,
        rate: f64,
        seed: u64,
        call: u64,
        masks: i32,
    );
    /// The layer's settings. See the header.
    fn spatial_dropout_get_info / spatial_dropout_get_info_ex = get_info(
        layer: *const spatial_dropout_layer,
        rank: *mut u32,
        rate: *mut f64,
        data_format: *mut i32,
        has_seed: *mut c_int,
        seed: *mut u64,
    );
    /// Copies the layer name, NUL-terminated, into `buf`. See the header.
    fn spatial_dropout_get_name / spatial_dropout_get_name_ex = get_name(
        layer: *const spatial_dropout_layer,
        buf: *mut c_char,
        capacity: usize,
        len: *mut usize,
    );
}

// ---------------------------------------------------------------------------------------------
// Creation

/// # Safety
/// `layer` is null or points to `SPATIAL_DROPOUT_LAYER_SIZE` writable bytes; `name` is null or
/// a NUL-terminated string (read up to its NUL or `MAX_NAME_LEN + 1` bytes, whichever is first).
#[inline(always)] // see `exports!`
unsafe fn create(
    layer: *mut spatial_dropout_layer,
    rank: u32,
    rate: f64,
    data_format: i32,
    has_seed: c_int,
    seed: u64,
    name: *const c_char,
) -> Result<(), Fail> {
    let storage = storage(layer)?;
    // SAFETY: the caller passes null or a NUL-terminated string.
    let name = unsafe { c_name(name) }?;
    let rate = Rate::new(rate)?;
    let bad_format = Fail::c(SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT, Arg::DataFormat);
    let format = match data_format {
        CHANNELS_LAST => DataFormat::ChannelsLast,
        CHANNELS_FIRST => DataFormat::ChannelsFirst,
        _ => return Err(bad_format),
    };
    let seed = (has_seed != 0).then_some(seed);
    match rank {
        1..=3 => build_into(storage, || {
            // `rank` is 1 to 3: `with_rate` takes it. The core says whether the rank takes the
            // format (SpatialDropout1D is always channels_last).
            let mut layer = SpatialDropoutNd::with_rate(usize::try_from(rank).unwrap_or(0), rate)?;
            layer
                .set_data_format(format)
                .map_err(|e| Fail::from(e).about(Arg::DataFormat))?;
            Ok(configure(layer, seed, name)?)
        }),
        _ => Err(bad_rank(rank)),
    }
}

/// `SPATIAL_DROPOUT_ERROR_BAD_RANK` for the `rank` argument.
fn bad_rank(rank: u32) -> Fail {
    Fail::C {
        code: SPATIAL_DROPOUT_ERROR_BAD_RANK,
        arg: Arg::Rank,
        expected: 0,
        found: usize::try_from(rank).unwrap_or(usize::MAX),
    }
}

/// Builds the layer and stores it. Not inlined, so that the caller's stack frame holds none of
/// the builder's temporaries.
#[inline(never)]
fn build_into(
    storage: *mut Handle,
    build: impl FnOnce() -> Result<Layer, Fail>,
) -> Result<(), Fail> {
    store(storage, build(), |fail| fail)
}

fn configure(layer: Layer, seed: Option<u64>, name: Option<&str>) -> Result<Layer, Error> {
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

/// # Safety
/// Each non-null pointer points to as many valid elements as its length says; `output` does not
/// overlap `layer`, `input` or `dims` unless it is exactly `input` (then the call is in place).
#[allow(clippy::too_many_arguments)]
#[inline(always)] // see `exports!`
unsafe fn call(
    layer: *mut spatial_dropout_layer,
    input: *const f32,
    input_len: usize,
    output: *mut f32,
    output_len: usize,
    dims: *const usize,
    ndim: usize,
    training: c_int,
) -> Result<(), Fail> {
    if ptr::eq(input, output.cast_const()) && input_len == output_len {
        // One buffer: Rust must see a single `&mut`, so this is the in-place call.
        // SAFETY: the caller's guarantees for one buffer are those of `call_in_place`.
        return unsafe { call_in_place(layer, output, output_len, dims, ndim, training) };
    }
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_mut(layer) }?;
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = unsafe { copy_dims(dims, ndim, layer.rank()) }?;
    if overlap(input, input_len, output.cast_const(), output_len) {
        return Err(Fail::c(SPATIAL_DROPOUT_ERROR_OVERLAP, Arg::Output));
    }
    // SAFETY: `input` holds `input_len` elements or is null; it does not overlap `output`.
    let input = unsafe { slice(input, input_len, Arg::Input) }?;
    // SAFETY: `output` holds `output_len` elements or is null; it does not overlap `input`.
    let output = unsafe { slice_mut(output, output_len, Arg::Output) }?;
    Ok(layer.call(input, dims.as_slice(), output, training != 0)?)
}

/// # Safety
/// `data` points to `len` valid elements or is null; it does not overlap `layer` or `dims`.
#[inline(always)] // see `exports!`
unsafe fn call_in_place(
    layer: *mut spatial_dropout_layer,
    data: *mut f32,
    len: usize,
    dims: *const usize,
    ndim: usize,
    training: c_int,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_mut(layer) }?;
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = unsafe { copy_dims(dims, ndim, layer.rank()) }?;
    // SAFETY: `data` holds `len` elements or is null.
    let data = unsafe { slice_mut(data, len, Arg::Data) }?;
    Ok(layer.call_in_place(data, dims.as_slice(), training != 0)?)
}

/// # Safety
/// Each non-null pointer points to as many valid elements as its length says; `grad_inputs`
/// overlaps neither `grad_outputs`, `layer` nor `dims`.
#[inline(always)] // see `exports!`
unsafe fn backward(
    layer: *const spatial_dropout_layer,
    grad_outputs: *const f32,
    grad_outputs_len: usize,
    grad_inputs: *mut f32,
    grad_inputs_len: usize,
    dims: *const usize,
    ndim: usize,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    // SAFETY: `dims` holds `ndim` elements or is null.
    let dims = unsafe { copy_dims(dims, ndim, layer.rank()) }?;
    let out = grad_inputs.cast_const();
    if overlap(grad_outputs, grad_outputs_len, out, grad_inputs_len) {
        return Err(Fail::c(SPATIAL_DROPOUT_ERROR_OVERLAP, Arg::GradInputs));
    }
    // SAFETY: `grad_outputs` holds `grad_outputs_len` elements or is null; no overlap.
    let grad_outputs = unsafe { slice(grad_outputs, grad_outputs_len, Arg::GradOutputs) }?;
    // SAFETY: `grad_inputs` holds `grad_inputs_len` elements or is null; no overlap.
    let grad_inputs = unsafe { slice_mut(grad_inputs, grad_inputs_len, Arg::GradInputs) }?;
    Ok(layer.backward(grad_outputs, dims.as_slice(), grad_inputs)?)
}

/// # Safety
/// `layer` is null or a created layer.
#[inline(always)] // see `exports!`
unsafe fn reseed(layer: *mut spatial_dropout_layer, seed: u64) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    unsafe { layer_mut(layer) }?.reseed(seed);
    Ok(())
}

/// # Safety
/// `layer` is null or a created layer.
#[inline(always)] // see `exports!`
unsafe fn set_masks(layer: *mut spatial_dropout_layer, masks: i32) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_mut(layer) }?;
    layer.set_masks(masks_of(masks)?);
    Ok(())
}

/// # Safety
/// `layer` is null or a created layer; `masks` is null or writable.
#[inline(always)] // see `exports!`
unsafe fn get_masks(layer: *const spatial_dropout_layer, masks: *mut i32) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    // SAFETY: the caller passes null or a writable `int32_t`.
    unsafe { write_out(masks, masks_code(layer.masks()), Arg::Masks) }
}

/// # Safety
/// `layer` is null or a created layer.
#[inline(always)] // see `exports!`
unsafe fn set_calls(layer: *mut spatial_dropout_layer, calls: u64) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    unsafe { layer_mut(layer) }?.set_calls(calls);
    Ok(())
}

/// # Safety
/// `layer` is null or a created layer; `calls` is null or writable.
#[inline(always)] // see `exports!`
unsafe fn get_calls(layer: *const spatial_dropout_layer, calls: *mut u64) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    // SAFETY: the caller passes null or a writable `uint64_t`.
    unsafe { write_out(calls, layer.calls(), Arg::Calls) }
}

/// # Safety
/// `keep` is null or points to `keep_words` writable `uint32_t`s.
#[inline(always)] // see `exports!`
unsafe fn keras_mask_into(
    keep: *mut u32,
    keep_words: usize,
    maps: usize,
    rate: f64,
    seed: u64,
    call: u64,
    masks: i32,
) -> Result<(), Fail> {
    let masks = masks_of(masks)?;
    let rate = Rate::new(rate)?;
    if !masks.is_keras() {
        return Err(Error::NotKeras.into());
    }
    // SAFETY: `keep` holds `keep_words` words or is null.
    let keep = unsafe { slice_mut(keep, keep_words, Arg::Keep) }?;
    Ok(keras_mask(keep, maps, rate, seed, call, masks)?)
}

/// # Safety
/// `layer` is null or a created layer; each out-pointer is null or writable.
#[inline(always)] // see `exports!`
unsafe fn get_info(
    layer: *const spatial_dropout_layer,
    rank: *mut u32,
    rate: *mut f64,
    data_format: *mut i32,
    has_seed: *mut c_int,
    seed: *mut u64,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    out_ok(rank, Arg::Rank)?;
    out_ok(rate, Arg::Rate)?;
    out_ok(data_format, Arg::DataFormat)?;
    out_ok(has_seed, Arg::HasSeed)?;
    out_ok(seed, Arg::Seed)?;
    let format = match layer.data_format() {
        DataFormat::ChannelsLast => CHANNELS_LAST,
        DataFormat::ChannelsFirst => CHANNELS_FIRST,
    };
    // SAFETY: every pointer is non-null and aligned (checked above) and the caller passes
    // writable ones.
    unsafe {
        // 1, 2 or 3.
        rank.write(u32::try_from(layer.rank()).unwrap_or(0));
        rate.write(layer.rate().get());
        data_format.write(format);
        has_seed.write(c_int::from(layer.seed().is_some()));
        seed.write(layer.seed().unwrap_or(0));
    }
    Ok(())
}

/// # Safety
/// `layer` is null or a created layer; `buf` is null or holds `capacity` writable bytes;
/// `len` is null or writable.
#[inline(always)] // see `exports!`
unsafe fn get_name(
    layer: *const spatial_dropout_layer,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
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

/// The name of a `SPATIAL_DROPOUT_ARG_*` number, static and NUL-terminated. See the header.
#[unsafe(no_mangle)]
pub extern "C" fn spatial_dropout_argument_name(argument: i32) -> *const c_char {
    Arg::of(argument).name().as_ptr()
}

/// Writes the message of a filled `spatial_dropout_error`, NUL-terminated and cut to fit `buf`,
/// and returns its whole length without the NUL. See the header.
///
/// # Safety
/// `err` is null or points to a `spatial_dropout_error` an `_ex` function filled (or one that
/// is zeroed); `buf` is null or holds `capacity` writable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn spatial_dropout_describe(
    err: *const spatial_dropout_error,
    buf: *mut c_char,
    capacity: usize,
) -> usize {
    let fail = if err.is_null() {
        Some(Fail::null(Arg::Err))
    } else if !err.is_aligned() {
        Some(Fail::misaligned(
            Arg::Err,
            align_of::<spatial_dropout_error>(),
        ))
    } else {
        // SAFETY: non-null and aligned (checked above); the caller passes a filled one, whose
        // texts are the static ones `spatial_dropout_error::of` wrote.
        unsafe { (*err).fail() }
    };
    let mut empty = [];
    let out = if buf.is_null() || capacity == 0 {
        &mut empty[..]
    } else {
        // No buffer holds more than `isize::MAX` bytes (`from_raw_parts_mut` requires it);
        // no message comes near it.
        let capacity = capacity.min(isize::MAX.unsigned_abs());
        // SAFETY: the caller passes `capacity` writable bytes at `buf`; `u8` has alignment 1.
        unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), capacity) }
    };
    let mut out = Bounded::new(out);
    // `Bounded` never fails; a `Display` that did would leave the text cut short, NUL-ended.
    let _ = describe(fail, &mut out);
    out.finish()
}

// ---------------------------------------------------------------------------------------------
// Pointers to references, each check once

/// Checks the storage pointer of a create function.
fn storage(layer: *mut spatial_dropout_layer) -> Result<*mut Handle, Fail> {
    let handle = layer.cast::<Handle>();
    if handle.is_null() {
        Err(Fail::null(Arg::Layer))
    } else if !handle.is_aligned() {
        Err(Fail::misaligned(Arg::Layer, LAYER_ALIGN))
    } else {
        Ok(handle)
    }
}

/// Writes a built layer into checked storage, replacing whatever it held; a layer that could
/// not be built leaves the storage untouched and returns why.
///
/// `fail` turns the builder's error into the failure: mapping the error of `built` first
/// would move the layer into another `Result`, a copy of it on the stack.
#[inline(always)] // a call would pass the layer by value: a copy of it on the stack
fn store<E>(
    handle: *mut Handle,
    built: Result<Layer, E>,
    fail: impl FnOnce(E) -> Fail,
) -> Result<(), Fail> {
    let layer = match built {
        Ok(layer) => layer,
        Err(e) => return Err(fail(e)),
    };
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
    Ok(())
}

/// A created layer, mutable.
///
/// # Safety
/// `layer` is null or points to storage that a create function initialised (or that holds
/// something else whose first four bytes are not the magic), with no other live reference.
unsafe fn layer_mut<'a>(layer: *mut spatial_dropout_layer) -> Result<&'a mut Layer, Fail> {
    let handle = storage(layer)?;
    // SAFETY: non-null and aligned (checked by `storage`); the caller guarantees the bytes are
    // readable. `magic` is a plain `u32` at offset 0 of the `repr(C)` struct.
    if unsafe { ptr::addr_of!((*handle).magic).read() } != MAGIC {
        return Err(Fail::c(SPATIAL_DROPOUT_ERROR_NOT_CREATED, Arg::Layer));
    }
    // SAFETY: the magic says a create function wrote a `Handle` here, and the caller holds no
    // other reference to it for the duration of the call.
    Ok(unsafe { &mut (*handle).layer })
}

/// A created layer, shared.
///
/// # Safety
/// As [`layer_mut`], except that other shared uses may exist.
unsafe fn layer_ref<'a>(layer: *const spatial_dropout_layer) -> Result<&'a Layer, Fail> {
    let handle = storage(layer.cast_mut())?;
    // SAFETY: as in `layer_mut`.
    if unsafe { ptr::addr_of!((*handle).magic).read() } != MAGIC {
        return Err(Fail::c(SPATIAL_DROPOUT_ERROR_NOT_CREATED, Arg::Layer));
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
unsafe fn copy_dims(dims: *const usize, ndim: usize, rank: usize) -> Result<DimsBuf, Fail> {
    if ndim > MAX_DIMS {
        // No layer takes more than 5 dims: the error the layer's own check would give.
        let expected = rank.saturating_add(2);
        return Err(Error::RankMismatch {
            expected,
            found: ndim,
        }
        .into());
    }
    // SAFETY: forwarded from the caller.
    let src = unsafe { slice(dims, ndim, Arg::Dims)? };
    let mut out = DimsBuf {
        buf: [0; MAX_DIMS],
        len: ndim,
    };
    for (slot, &d) in out.buf.iter_mut().zip(src) {
        *slot = d;
    }
    Ok(out)
}

/// A shared slice from the C pointer `arg` and its element count; null is accepted for an
/// empty slice.
///
/// # Safety
/// `ptr` is null or points to `len` initialised, readable `T`s not mutated during the call.
unsafe fn slice<'a, T>(ptr: *const T, len: usize, arg: Arg) -> Result<&'a [T], Fail> {
    if len == 0 {
        return Ok(&[]);
    }
    check(ptr, len, arg)?;
    // SAFETY: non-null, aligned and not larger than `isize::MAX` bytes (checked by `check`);
    // the caller guarantees `len` readable elements.
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A mutable slice from the C pointer `arg` and its element count; null is accepted for an
/// empty slice.
///
/// # Safety
/// `ptr` is null or points to `len` initialised, writable `T`s that nothing else accesses
/// during the call.
unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize, arg: Arg) -> Result<&'a mut [T], Fail> {
    if len == 0 {
        return Ok(&mut []);
    }
    check(ptr.cast_const(), len, arg)?;
    // SAFETY: as in `slice`, and the caller guarantees exclusive access.
    Ok(unsafe { core::slice::from_raw_parts_mut(ptr, len) })
}

fn check<T>(ptr: *const T, len: usize, arg: Arg) -> Result<(), Fail> {
    if ptr.is_null() {
        return Err(Fail::null(arg));
    }
    if !ptr.is_aligned() {
        return Err(Fail::misaligned(arg, align_of::<T>()));
    }
    // No real buffer is this large; `from_raw_parts` requires it not to be.
    let fits = len
        .checked_mul(size_of::<T>())
        .is_some_and(|bytes| bytes <= isize::MAX.unsigned_abs());
    if fits {
        Ok(())
    } else {
        Err(Fail::C {
            code: SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH,
            arg,
            expected: 0,
            found: len,
        })
    }
}

/// Checks an out-pointer `arg`: non-null and aligned.
fn out_ok<T>(out: *mut T, arg: Arg) -> Result<(), Fail> {
    if out.is_null() {
        Err(Fail::null(arg))
    } else if !out.is_aligned() {
        Err(Fail::misaligned(arg, align_of::<T>()))
    } else {
        Ok(())
    }
}

/// Writes `value` through a caller's out-pointer `arg`, after checking it.
///
/// # Safety
/// `out` is null or points to a writable `T`.
unsafe fn write_out<T>(out: *mut T, value: T, arg: Arg) -> Result<(), Fail> {
    out_ok(out, arg)?;
    // SAFETY: non-null and aligned (checked above); the caller passes a writable `T`.
    unsafe { out.write(value) };
    Ok(())
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
unsafe fn c_name<'a>(name: *const c_char) -> Result<Option<&'a str>, Fail> {
    if name.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    loop {
        if len > MAX_NAME_LEN {
            return Err(Error::NameTooLong { max: MAX_NAME_LEN }.into());
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
        Err(e) => Err(Fail::C {
            code: SPATIAL_DROPOUT_ERROR_INVALID_UTF8,
            arg: Arg::Name,
            expected: 0,
            found: e.valid_up_to(),
        }),
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
) -> Result<(), Fail> {
    out_ok(len, Arg::Len)?;
    if needed >= capacity {
        if buf.is_null() && capacity > 0 {
            return Err(Fail::null(Arg::Buf));
        }
        // SAFETY: non-null and aligned (checked above); the caller passes a writable `size_t`.
        unsafe { len.write(needed) };
        return Err(too_small(needed, capacity));
    }
    // SAFETY: `buf` holds `capacity` bytes or is null (then `slice_mut` fails).
    let out = unsafe { slice_mut(buf.cast::<u8>(), capacity, Arg::Buf) }?;
    let Some((body, rest)) = out.split_at_mut_checked(needed) else {
        return Err(too_small(needed, capacity));
    };
    let written = fill(body).map_err(|e| Fail::from(e).about(Arg::Buf))?;
    if let Some(nul) = rest.first_mut() {
        *nul = 0;
    }
    // SAFETY: as above.
    unsafe { len.write(written) };
    Ok(())
}

/// `BUFFER_TOO_SMALL` for a text of `needed` bytes and a buffer of `capacity`: the buffer
/// needs one more byte than the text, for the NUL.
fn too_small(needed: usize, capacity: usize) -> Fail {
    Fail::C {
        code: SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL,
        arg: Arg::Buf,
        expected: needed.saturating_add(1),
        found: capacity,
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
