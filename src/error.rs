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
    /// A fallible generator (a hardware TRNG) reported an error; what it drew into was left
    /// as it was.
    RngFailed,
    /// A mask scheme name is none of `keras`, `keras-xla`, `keras-3.4`, `keras-3.4-xla`,
    /// `xorshift`.
    InvalidMasks,
    /// A Keras mask was asked of the XorShift scheme, whose masks are not a function of
    /// `(seed, call)`.
    NotKeras,
}

impl Error {
    /// A stable number per variant, for a log line or a status register without any
    /// formatting code: 1 to 19 are the C API's `SPATIAL_DROPOUT_ERROR_*` codes (20, `RngFailed`, has no C path), and a new
    /// variant takes the next free number. Never 0, never reused.
    ///
    /// ```
    /// use spatial_dropout::Rate;
    /// let e = Rate::new(1.5).unwrap_err();
    /// assert_eq!((e.code(), e.as_str()), (1, "invalid rate"));
    /// ```
    pub const fn code(&self) -> u16 {
        match self {
            Error::InvalidRate { .. } => 1,
            Error::InvalidDataFormat => 2,
            Error::RankMismatch { .. } => 3,
            Error::ShapeOverflow => 4,
            Error::LengthMismatch { .. } => 5,
            Error::MaskTooShort { .. } => 6,
            Error::NameTooLong { .. } => 7,
            Error::NoForwardCall => 8,
            Error::ShapeMismatch => 9,
            Error::Json { .. } => 10,
            Error::BufferTooSmall { .. } => 11,
            Error::WrongClass { .. } => 12,
            Error::UnsupportedDtype => 13,
            Error::NoiseShape => 14,
            Error::MissingKey { .. } => 15,
            Error::InvalidValue { .. } => 16,
            Error::LayerNotFound => 17,
            Error::InvalidMasks => 18,
            Error::NotKeras => 19,
            Error::RngFailed => 20,
        }
    }

    /// A short fixed message per variant, without the values [`Display`](fmt::Display) adds:
    /// printing it links no formatting code (on a Cortex-M4 `Display` links the float writer
    /// for [`Error::InvalidRate`]; see the README's size table).
    pub const fn as_str(&self) -> &'static str {
        match self {
            Error::InvalidRate { .. } => "invalid rate",
            Error::InvalidDataFormat => "invalid data format",
            Error::RankMismatch { .. } => "wrong number of dims",
            Error::ShapeOverflow => "shape overflows usize",
            Error::LengthMismatch { .. } => "slice length does not match the shape",
            Error::MaskTooShort { .. } => "keep mask too short",
            Error::NameTooLong { .. } => "layer name too long",
            Error::NoForwardCall => "backward before any forward call",
            Error::ShapeMismatch => "backward shape differs from the last call's",
            Error::Json { .. } => "malformed JSON",
            Error::BufferTooSmall { .. } => "output buffer too small",
            Error::WrongClass { .. } => "JSON describes another layer class",
            Error::UnsupportedDtype => "dtype is not float32",
            Error::NoiseShape => "noise_shape must be null",
            Error::MissingKey { .. } => "JSON key missing",
            Error::InvalidValue { .. } => "JSON value invalid",
            Error::LayerNotFound => "no SpatialDropout layer of that name",
            Error::RngFailed => "random generator failed",
            Error::InvalidMasks => "unknown mask scheme",
            Error::NotKeras => "xorshift masks have no (seed, call) form",
        }
    }
}

impl fmt::Display for Error {
    // The messages are written piece by piece, numbers through `num`'s digit writer, not with
    // `write!`: `core::fmt`'s padding and integer formatting are a few KB of the wasm module.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::InvalidRate { rate } => {
                f.write_str(
                    "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=",
                )?;
                fmt::Display::fmt(&PyFloat(rate), f)
            }
            Error::InvalidDataFormat => f.write_str(
                "The `data_format` argument must be one of {'channels_first', 'channels_last'}",
            ),
            Error::RankMismatch { expected, found } => pieces(
                f,
                &[
                    Piece::Str("Input is incompatible with the layer: expected ndim="),
                    Piece::Num(expected),
                    Piece::Str(", found ndim="),
                    Piece::Num(found),
                ],
            ),
            Error::ShapeOverflow => {
                f.write_str("the product of the dims overflows usize on this target")
            }
            Error::LengthMismatch {
                what,
                expected,
                found,
            } => pieces(
                f,
                &[
                    Piece::Str("`"),
                    Piece::Str(what),
                    Piece::Str("` holds "),
                    Piece::Num(found),
                    Piece::Str(" elements but the shape needs "),
                    Piece::Num(expected),
                ],
            ),
            Error::MaskTooShort { expected, found } => pieces(
                f,
                &[
                    Piece::Str("the keep mask holds "),
                    Piece::Num(found),
                    Piece::Str(" words but "),
                    Piece::Num(expected),
                    Piece::Str(" are needed (one bit per map)"),
                ],
            ),
            Error::NameTooLong { max } => pieces(
                f,
                &[
                    Piece::Str("the layer name is longer than "),
                    Piece::Num(max),
                    Piece::Str(" bytes"),
                ],
            ),
            Error::NoForwardCall => {
                f.write_str("`backward` needs a forward call of the layer first")
            }
            Error::ShapeMismatch => f.write_str(
                "`backward` got a shape other than the one of the layer's last forward call",
            ),
            Error::Json { reason, offset } => pieces(
                f,
                &[
                    Piece::Str("malformed JSON at byte "),
                    Piece::Num(offset),
                    Piece::Str(": "),
                    Piece::Str(reason),
                ],
            ),
            Error::BufferTooSmall { needed, found } => pieces(
                f,
                &[
                    Piece::Str("the output buffer holds "),
                    Piece::Num(found),
                    Piece::Str(" bytes but the JSON text needs "),
                    Piece::Num(needed),
                ],
            ),
            Error::WrongClass {
                expected,
                found: Some(found),
            } => pieces(
                f,
                &[
                    Piece::Str("the JSON describes a "),
                    Piece::Str(found),
                    Piece::Str(" layer, not a "),
                    Piece::Str(expected),
                ],
            ),
            Error::WrongClass {
                expected,
                found: None,
            } => pieces(
                f,
                &[
                    Piece::Str("the JSON describes another layer class, not a "),
                    Piece::Str(expected),
                ],
            ),
            Error::UnsupportedDtype => f.write_str(
                "only float32 layers are supported: `dtype` must be \"float32\" or a float32 DTypePolicy",
            ),
            Error::NoiseShape => f.write_str(
                "`noise_shape` must be null: SpatialDropout derives the noise shape from the input",
            ),
            Error::MissingKey { key } => pieces(
                f,
                &[
                    Piece::Str("the JSON has no `"),
                    Piece::Str(key),
                    Piece::Str("`"),
                ],
            ),
            Error::InvalidValue { key, expected } => pieces(
                f,
                &[
                    Piece::Str("`"),
                    Piece::Str(key),
                    Piece::Str("` must be "),
                    Piece::Str(expected),
                ],
            ),
            Error::LayerNotFound => {
                f.write_str("the model JSON has no SpatialDropout layer of that name")
            }
            Error::RngFailed => f.write_str(
                "the random generator reported an error: nothing was drawn into or written",
            ),
            Error::InvalidMasks => f.write_str(
                "the mask scheme must be one of 'keras', 'keras-xla', 'keras-3.4', 'keras-3.4-xla', 'xorshift'",
            ),
            Error::NotKeras => f.write_str(
                "the xorshift scheme's masks are not a function of (seed, call): each depends on every earlier call",
            ),
        }
    }
}

/// A part of a message: text, or a count written in decimal.
enum Piece {
    Str(&'static str),
    Num(usize),
}

/// Writes the parts of a message in order.
fn pieces(f: &mut fmt::Formatter<'_>, parts: &[Piece]) -> fmt::Result {
    for part in parts {
        match *part {
            Piece::Str(s) => f.write_str(s)?,
            Piece::Num(n) => {
                let mut digits = [0u8; 20];
                let len =
                    crate::num::decimal_digits(u64::try_from(n).unwrap_or(u64::MAX), &mut digits);
                let text = digits.get(..len).and_then(|d| core::str::from_utf8(d).ok());
                f.write_str(text.ok_or(fmt::Error)?)?;
            }
        }
    }
    Ok(())
}

impl core::error::Error for Error {}

/// A float written as Python's `repr` writes it, so that messages read as Keras's do:
/// `nan`, `inf`, `2.0`, `1.5`, `1e+20`, `1e-05`. Finite values go through the JSON writer's
/// exact shortest-digits formatter, so no `core` float formatting is linked anywhere.
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
        let mut out = FmtSink { f, result: Ok(()) };
        crate::num::write_repr(x, &mut out);
        out.result
    }
}

/// A formatter as the number writer's sink, keeping the first error.
struct FmtSink<'a, 'b> {
    f: &'a mut fmt::Formatter<'b>,
    result: fmt::Result,
}

impl crate::num::TextSink for FmtSink<'_, '_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.result.is_ok() {
            self.result = core::str::from_utf8(bytes)
                .map_err(|_| fmt::Error)
                .and_then(|s| self.f.write_str(s));
        }
    }
}
