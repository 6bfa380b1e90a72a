//! The crate's one error type.

use core::fmt::{self, Write as _};

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
    /// JSON text is malformed: `reason` says what was wrong at byte `offset`.
    Json {
        /// What the reader expected, e.g. "expected `,` or `}`".
        reason: &'static str,
        /// Byte offset into the JSON text.
        offset: usize,
    },
    /// An output buffer is too small for the JSON text; nothing was written.
    BufferTooSmall {
        /// Bytes the text needs.
        needed: usize,
        /// Bytes the buffer holds.
        found: usize,
    },
    /// The JSON describes another layer class than the one being built.
    WrongClass {
        /// The class being built, e.g. `"SpatialDropout2D"`.
        expected: &'static str,
        /// The SpatialDropout class the JSON names, or `None` for any other class.
        found: Option<&'static str>,
    },
    /// The layer's `dtype` is not float32 (the only one these kernels compute in).
    UnsupportedDtype,
    /// The config has a non-null `noise_shape`: SpatialDropout derives it from the input.
    NoiseShape,
    /// A key the JSON must have is missing.
    MissingKey {
        /// The key, e.g. `"rate"`.
        key: &'static str,
    },
    /// A key has a value of the wrong JSON type or out of range.
    InvalidValue {
        /// The key, e.g. `"seed"`.
        key: &'static str,
        /// What it must be.
        expected: &'static str,
    },
    /// No SpatialDropout layer of the model JSON has the requested name.
    LayerNotFound,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidRate { rate } => write!(
                f,
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate={}",
                PyFloat(rate)
            ),
            Error::InvalidDataFormat => f.write_str(
                "The `data_format` argument must be one of {'channels_first', 'channels_last'}",
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
            Error::Json { reason, offset } => {
                write!(f, "malformed JSON at byte {offset}: {reason}")
            }
            Error::BufferTooSmall { needed, found } => write!(
                f,
                "the output buffer holds {found} bytes but the JSON text needs {needed}"
            ),
            Error::WrongClass {
                expected,
                found: Some(found),
            } => write!(f, "the JSON describes a {found} layer, not a {expected}"),
            Error::WrongClass {
                expected,
                found: None,
            } => write!(f, "the JSON describes another layer class, not a {expected}"),
            Error::UnsupportedDtype => f.write_str(
                "only float32 layers are supported: `dtype` must be \"float32\" or a float32 DTypePolicy",
            ),
            Error::NoiseShape => f.write_str(
                "`noise_shape` must be null: SpatialDropout derives the noise shape from the input",
            ),
            Error::MissingKey { key } => write!(f, "the JSON has no `{key}`"),
            Error::InvalidValue { key, expected } => write!(f, "`{key}` must be {expected}"),
            Error::LayerNotFound => {
                f.write_str("the model JSON has no SpatialDropout layer of that name")
            }
        }
    }
}

impl core::error::Error for Error {}

/// A float written as Python's `repr` writes it, so that messages read as Keras's do:
/// `nan`, `inf`, `2.0`, `1.5`, `1e+20`, `1e-05`.
struct PyFloat(f64);

impl fmt::Display for PyFloat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        if x.is_nan() {
            return f.write_str("nan");
        }
        if x.is_infinite() {
            return f.write_str(if x < 0.0 { "-inf" } else { "inf" });
        }
        // `{:e}` gives the shortest digits that round-trip, as `repr` does: `-1.25e-7`.
        let mut buf = Buf::default();
        fmt::write(&mut buf, format_args!("{:e}", x.abs()))?;
        let text = buf.as_str();
        let (mantissa, exp) = text.split_once('e').ok_or(fmt::Error)?;
        let exp: i32 = exp.parse().map_err(|_| fmt::Error)?;
        let (lead, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if x.is_sign_negative() {
            f.write_str("-")?;
        }
        // `repr` switches to scientific notation below 1e-4 and from 1e16 on.
        if (-4..16).contains(&exp) {
            let point = exp + 1;
            let digits = lead.chars().chain(frac.chars());
            if point <= 0 {
                f.write_str("0.")?;
                for _ in point..0 {
                    f.write_str("0")?;
                }
                for d in digits {
                    f.write_char(d)?;
                }
            } else {
                let count = lead.len() + frac.len();
                let mut written: i32 = 0;
                for d in digits {
                    if written == point {
                        f.write_str(".")?;
                    }
                    f.write_char(d)?;
                    written += 1;
                }
                for _ in written..point {
                    f.write_str("0")?;
                }
                if i32::try_from(count).map_or(true, |c| c <= point) {
                    f.write_str(".0")?;
                }
            }
            Ok(())
        } else {
            f.write_str(lead)?;
            if !frac.is_empty() {
                write!(f, ".{frac}")?;
            }
            let sign = if exp < 0 { '-' } else { '+' };
            write!(f, "e{sign}{:02}", exp.unsigned_abs())
        }
    }
}

/// Room for the shortest `{:e}` text of any finite `f64`: 17 digits, a point, `e-324`.
#[derive(Default)]
struct Buf {
    bytes: [u8; 32],
    len: usize,
}

impl Buf {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| core::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
