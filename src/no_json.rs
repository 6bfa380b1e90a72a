//! Without the `json` feature the Keras JSON methods are still declared, so that a call says
//! which feature it needs instead of "no function or associated item named `from_config`".

use crate::{Error, SpatialDropout};

/// Implemented by no type: a JSON method's unmet bound, whose message names the feature.
#[diagnostic::on_unimplemented(
    message = "`{Self}`'s Keras JSON methods need the `json` feature of spatial-dropout",
    label = "needs the `json` feature",
    note = "`json` is a default feature: use `spatial-dropout = \"0.1\"`, or add `features = [\"json\"]` to a dependency with `default-features = false`"
)]
pub trait JsonFeature {}

impl<const S: usize> SpatialDropout<S> {
    /// Needs the `json` feature.
    #[doc(hidden)]
    pub fn from_config(_json: &[u8]) -> Result<Self, Error>
    where
        Self: JsonFeature,
    {
        Err(Error::Json {
            reason: "the `json` feature is off",
            offset: 0,
        })
    }

    /// Needs the `json` feature.
    #[doc(hidden)]
    pub fn from_model_json(_model_json: &[u8], _name: &str) -> Result<Self, Error>
    where
        Self: JsonFeature,
    {
        Self::from_config(&[])
    }

    /// Needs the `json` feature.
    #[doc(hidden)]
    pub fn write_config(&self, _buf: &mut [u8]) -> Result<usize, Error>
    where
        Self: JsonFeature,
    {
        Err(Error::Json {
            reason: "the `json` feature is off",
            offset: 0,
        })
    }
}
