//! The crate's one error type.

use core::fmt;

/// Everything that can go wrong in a call. A call that returns an error has written nothing to
/// any caller buffer and has drawn nothing from any generator.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The dropout rate is NaN, infinite, negative or above 1.
    InvalidRate {
        /// The value that was passed.
        rate: f64,
    },
    /// A data format string is neither `channels_first` nor `channels_last`.
    InvalidDataFormat,
    /// The number of dims does not match the layer: `expected` is the spatial rank + 2.
    RankMismatch {
        /// Dims the layer needs (3, 4 or 5).
        expected: usize,
        /// Dims that were passed.
        found: usize,
    },
    /// The product of the dims does not fit in `usize` on this target.
    ShapeOverflow,
    /// A slice's length is not the number of elements the shape describes.
    LengthMismatch {
        /// Which argument: `"input"`, `"output"`, `"data"`, `"grad_outputs"`, `"grad_inputs"`.
        what: &'static str,
        /// Elements the shape needs.
        expected: usize,
        /// Elements the slice holds.
        found: usize,
    },
    /// The keep-mask slice holds fewer than `ceil(maps / 32)` words.
    MaskTooShort {
        /// Words needed.
        expected: usize,
        /// Words passed.
        found: usize,
    },
    /// A layer name is longer than the name buffer.
    NameTooLong {
        /// The longest name that fits, in bytes.
        max: usize,
    },
    /// `backward` was called before any forward call of the layer.
    NoForwardCall,
    /// `backward` got a shape other than the one of the last forward call.
    ShapeMismatch,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidRate { rate } => write!(
                f,
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={rate}"
            ),
            Error::InvalidDataFormat => f.write_str(
                "The `data_format` argument must be one of {\"channels_first\", \"channels_last\"}",
            ),
            Error::RankMismatch { expected, found } => write!(
                f,
                "Input is incompatible with the layer: expected ndim={expected}, found ndim={found}"
            ),
            Error::ShapeOverflow => {
                f.write_str("the product of the dims overflows usize on this target")
            }
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => write!(
                f,
                "`{what}` holds {found} elements but the shape needs {expected}"
            ),
            Error::MaskTooShort { expected, found } => write!(
                f,
                "the keep mask holds {found} words but {expected} are needed (one bit per map)"
            ),
            Error::NameTooLong { max } => {
                write!(f, "the layer name is longer than {max} bytes")
            }
            Error::NoForwardCall => {
                f.write_str("`backward` needs a forward call of the layer first")
            }
            Error::ShapeMismatch => f.write_str(
                "`backward` got a shape other than the one of the layer's last forward call",
            ),
        }
    }
}

impl core::error::Error for Error {}
