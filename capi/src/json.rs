//! Keras JSON in and out: `from_config`, `from_model_json`, `get_config`, `get_serialized`.
//! Built with the `json` feature (the default), which turns on the core's `json` feature.

use core::ffi::c_char;

use spatial_dropout::{
    Error, MAX_CONFIG_LEN, MAX_SERIALIZED_LEN, ModelLayers, SpatialDropout1D, SpatialDropoutNd,
};

use crate::header::header_define;
use crate::status::*;
use crate::{
    HEADER, bad_rank, build_into, c_name, layer_ref, report, slice, spatial_dropout_layer, storage,
    store, write_text,
};

const _: () = assert!(
    header_define(HEADER.as_bytes(), b"SPATIAL_DROPOUT_MAX_CONFIG_LEN") == MAX_CONFIG_LEN,
    "SPATIAL_DROPOUT_MAX_CONFIG_LEN in the header is not the crate's MAX_CONFIG_LEN"
);
const _: () = assert!(
    header_define(HEADER.as_bytes(), b"SPATIAL_DROPOUT_MAX_SERIALIZED_LEN") == MAX_SERIALIZED_LEN,
    "SPATIAL_DROPOUT_MAX_SERIALIZED_LEN in the header is not the crate's MAX_SERIALIZED_LEN"
);

exports! {
    /// Creates a layer from Keras JSON: a config or a serialized layer. See the header.
    fn spatial_dropout_from_config / spatial_dropout_from_config_ex = from_config(
        layer: *mut spatial_dropout_layer,
        rank: u32,
        json: *const c_char,
        json_len: usize,
    );
    /// Creates the SpatialDropout layer called `name` of a whole `model.to_json()`. See the
    /// header.
    fn spatial_dropout_from_model_json / spatial_dropout_from_model_json_ex = from_model_json(
        layer: *mut spatial_dropout_layer,
        model_json: *const c_char,
        model_json_len: usize,
        name: *const c_char,
    );
    /// Keras's `get_config()` as compact JSON. See the header.
    ///
    /// (`get_config` and `get_serialized` are two functions with one writer type rather than
    /// one function with a flag, so that a firmware linking one does not carry the other's
    /// writer: 524 bytes on a Cortex-M4.)
    fn spatial_dropout_get_config / spatial_dropout_get_config_ex = get_config(
        layer: *const spatial_dropout_layer,
        buf: *mut c_char,
        capacity: usize,
        len: *mut usize,
    );
    /// Keras's `serialize_keras_object(layer)` as compact JSON. See the header.
    fn spatial_dropout_get_serialized / spatial_dropout_get_serialized_ex = get_serialized(
        layer: *const spatial_dropout_layer,
        buf: *mut c_char,
        capacity: usize,
        len: *mut usize,
    );
}

/// # Safety
/// `layer` is null or points to `SPATIAL_DROPOUT_LAYER_SIZE` writable bytes; `json` is null or
/// points to `json_len` readable bytes.
#[inline(always)] // see `exports!`
unsafe fn from_config(
    layer: *mut spatial_dropout_layer,
    rank: u32,
    json: *const c_char,
    json_len: usize,
) -> Result<(), Fail> {
    let storage = storage(layer)?;
    // SAFETY: `json` holds `json_len` bytes or is null.
    let json = unsafe { slice(json.cast::<u8>(), json_len, Arg::Json) }?;
    let rank = match rank {
        0 => class_rank(json)?,
        _ => rank,
    };
    match rank {
        // 1 to 3: `from_config` takes it.
        1..=3 => build_into(storage, || {
            Ok(SpatialDropoutNd::from_config(
                usize::try_from(rank).unwrap_or(0),
                json,
            )?)
        }),
        _ => Err(bad_rank(rank)),
    }
}

/// # Safety
/// As [`from_config`]; `name` is null or a NUL-terminated string.
#[inline(always)] // see `exports!`
unsafe fn from_model_json(
    layer: *mut spatial_dropout_layer,
    model_json: *const c_char,
    model_json_len: usize,
    name: *const c_char,
) -> Result<(), Fail> {
    let storage = storage(layer)?;
    // SAFETY: `model_json` holds `model_json_len` bytes or is null.
    let json = unsafe { slice(model_json.cast::<u8>(), model_json_len, Arg::ModelJson) }?;
    // SAFETY: the caller passes null or a NUL-terminated string.
    let Some(name) = (unsafe { c_name(name) })? else {
        return Err(Fail::null(Arg::Name));
    };
    let in_model = |e: Error| Fail::from(e).about(Arg::ModelJson);
    let found = ModelLayers::new(json)
        .map_err(in_model)?
        .find(|l| l.is_named(name));
    let Some(found) = found else {
        return Err(Error::LayerNotFound.into());
    };
    store(storage, found.build_nd(), in_model)
}

/// # Safety
/// `layer` is null or a created layer; `buf` is null or holds `capacity` writable bytes;
/// `len` is null or writable.
#[inline(always)] // see `exports!`
unsafe fn get_config(
    layer: *const spatial_dropout_layer,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    // SAFETY: `buf` holds `capacity` bytes, `len` is writable, or either is null.
    unsafe {
        write_text(layer.config_len(), buf, capacity, len, |out| {
            layer.write_config(out)
        })
    }
}

/// # Safety
/// As [`get_config`].
#[inline(always)] // see `exports!`
unsafe fn get_serialized(
    layer: *const spatial_dropout_layer,
    buf: *mut c_char,
    capacity: usize,
    len: *mut usize,
) -> Result<(), Fail> {
    // SAFETY: the caller passes a created layer or null.
    let layer = unsafe { layer_ref(layer) }?;
    // SAFETY: `buf` holds `capacity` bytes, `len` is writable, or either is null.
    unsafe {
        write_text(layer.serialized_len(), buf, capacity, len, |out| {
            layer.write_serialized(out)
        })
    }
}

/// The rank a serialized layer names in its `class_name`. A bare config names none: then
/// [`Error::MissingKey`] for `class_name`, or [`Error::WrongClass`] for another class.
fn class_rank(json: &[u8]) -> Result<u32, Error> {
    let root = json
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        .unwrap_or(json.len());
    let first = ModelLayers::new(json)?.next();
    if let Some(layer) = first.filter(|l| l.range().start == root) {
        return match layer.rank() {
            1 => Ok(1),
            2 => Ok(2),
            _ => Ok(3),
        };
    }
    // Not one of ours at the root: let the reader say why (another class, or no class_name).
    match SpatialDropout1D::from_config(json) {
        Err(e @ Error::WrongClass { .. }) => Err(e),
        _ => Err(Error::MissingKey { key: "class_name" }),
    }
}
