#![doc = include_str!("../README.md")]
#![no_std]

#[cfg(feature = "json")]
mod config;
mod entropy;
mod error;
mod format;
mod kernel;
mod layer;
mod mask;
#[cfg(not(feature = "json"))]
mod no_json;
// Python-repr floats for `Error`'s messages and the JSON writer; its reader only with `json`.
#[cfg_attr(not(feature = "json"), allow(dead_code))]
mod num;
mod profile;
mod rate;
mod shape;

#[cfg(feature = "json")]
pub use config::{LayerJson, MAX_CONFIG_LEN, MAX_SERIALIZED_LEN, ModelLayers};
#[cfg(feature = "rand_core_06")]
pub use entropy::{Rng06, Rng06Error, TryRng06};
pub use entropy::{seed_from, try_spatial_dropout, try_spatial_dropout_in_place};
pub use error::Error;
pub use format::DataFormat;
pub use kernel::{apply_mask, apply_mask_in_place, spatial_dropout, spatial_dropout_in_place};
pub use layer::{
    MAX_NAME_LEN, Name, SpatialDropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
    SpatialDropoutNd, StaticName,
};
pub use mask::{Masks, draw_mask, keras_mask, keras_word, mask_words};
pub use rate::Rate;
pub use shape::{Dims, MAX_DIMS, Shape, Shape1D, Shape2D, Shape3D};

/// The generator traits the kernels take, and what implementing one needs (`TryRng` with
/// `type Error = Infallible` is an `Rng`), re-exported so callers need no version match.
pub use rand_core::{Infallible, Rng, SeedableRng, TryRng};
/// The generator of [`SpatialDropout`], re-exported so callers can seed the kernels the same way.
pub use rand_xorshift::XorShiftRng;
