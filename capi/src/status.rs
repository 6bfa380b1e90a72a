//! Status codes: one per variant of the core's `Error`, then the C side's own, and their
//! messages. The numbers are the header's `spatial_dropout_status` values and never change.

use core::ffi::{CStr, c_char};
use core::fmt;

use spatial_dropout::Error;

pub const SPATIAL_DROPOUT_OK: i32 = 0;
pub const SPATIAL_DROPOUT_ERROR_INVALID_RATE: i32 = 1;
pub const SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT: i32 = 2;
pub const SPATIAL_DROPOUT_ERROR_RANK_MISMATCH: i32 = 3;
pub const SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW: i32 = 4;
pub const SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH: i32 = 5;
pub const SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT: i32 = 6;
pub const SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG: i32 = 7;
pub const SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL: i32 = 8;
pub const SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH: i32 = 9;
pub const SPATIAL_DROPOUT_ERROR_JSON: i32 = 10;
pub const SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL: i32 = 11;
pub const SPATIAL_DROPOUT_ERROR_WRONG_CLASS: i32 = 12;
pub const SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE: i32 = 13;
pub const SPATIAL_DROPOUT_ERROR_NOISE_SHAPE: i32 = 14;
pub const SPATIAL_DROPOUT_ERROR_MISSING_KEY: i32 = 15;
pub const SPATIAL_DROPOUT_ERROR_INVALID_VALUE: i32 = 16;
pub const SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND: i32 = 17;
pub const SPATIAL_DROPOUT_ERROR_INVALID_MASKS: i32 = 18;
pub const SPATIAL_DROPOUT_ERROR_NOT_KERAS: i32 = 19;
pub const SPATIAL_DROPOUT_ERROR_NULL_POINTER: i32 = 100;
pub const SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT: i32 = 101;
pub const SPATIAL_DROPOUT_ERROR_BAD_RANK: i32 = 102;
pub const SPATIAL_DROPOUT_ERROR_INVALID_UTF8: i32 = 103;
pub const SPATIAL_DROPOUT_ERROR_NOT_CREATED: i32 = 104;
pub const SPATIAL_DROPOUT_ERROR_OVERLAP: i32 = 105;
pub const SPATIAL_DROPOUT_ERROR_UNKNOWN: i32 = 199;

/// The status code of a core error.
pub fn code_of(error: Error) -> i32 {
    match error {
        Error::InvalidRate { .. } => SPATIAL_DROPOUT_ERROR_INVALID_RATE,
        Error::InvalidDataFormat => SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT,
        Error::RankMismatch { .. } => SPATIAL_DROPOUT_ERROR_RANK_MISMATCH,
        Error::ShapeOverflow => SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW,
        Error::LengthMismatch { .. } => SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH,
        Error::MaskTooShort { .. } => SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT,
        Error::NameTooLong { .. } => SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG,
        Error::NoForwardCall => SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL,
        Error::ShapeMismatch => SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH,
        Error::Json { .. } => SPATIAL_DROPOUT_ERROR_JSON,
        Error::BufferTooSmall { .. } => SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL,
        Error::WrongClass { .. } => SPATIAL_DROPOUT_ERROR_WRONG_CLASS,
        Error::UnsupportedDtype => SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE,
        Error::NoiseShape => SPATIAL_DROPOUT_ERROR_NOISE_SHAPE,
        Error::MissingKey { .. } => SPATIAL_DROPOUT_ERROR_MISSING_KEY,
        Error::InvalidValue { .. } => SPATIAL_DROPOUT_ERROR_INVALID_VALUE,
        Error::LayerNotFound => SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND,
        Error::InvalidMasks => SPATIAL_DROPOUT_ERROR_INVALID_MASKS,
        Error::NotKeras => SPATIAL_DROPOUT_ERROR_NOT_KERAS,
        // `Error` is non-exhaustive: a variant added to the core after this list was written
        // still gets a code, and the unit test below names every variant this list knows.
        _ => SPATIAL_DROPOUT_ERROR_UNKNOWN,
    }
}

/// The message of a status code; unknown numbers get a message that says so.
pub fn message(code: i32) -> &'static CStr {
    match code {
        SPATIAL_DROPOUT_OK => c"ok",
        SPATIAL_DROPOUT_ERROR_INVALID_RATE => {
            c"Invalid value received for argument `rate`. Expected a float value between 0 and 1."
        }
        SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT => {
            c"data_format must be SPATIAL_DROPOUT_CHANNELS_LAST or SPATIAL_DROPOUT_CHANNELS_FIRST"
        }
        SPATIAL_DROPOUT_ERROR_RANK_MISMATCH => {
            c"Input is incompatible with the layer: ndim must be the layer's spatial rank + 2"
        }
        SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW => {
            c"the product of the dims overflows size_t on this target"
        }
        SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH => {
            c"a buffer length is not the number of elements the dims describe"
        }
        SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT => {
            c"the keep mask holds fewer than ceil(maps / 32) words"
        }
        SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG => c"the layer name is longer than 64 bytes",
        SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL => {
            c"backward needs a forward call of the layer first"
        }
        SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH => {
            c"backward got dims other than those of the layer's last forward call"
        }
        SPATIAL_DROPOUT_ERROR_JSON => {
            c"the JSON text is malformed (an _ex function's spatial_dropout_error holds the byte offset and the reason)"
        }
        SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL => {
            c"the buffer is too small: the length out-parameter holds the length needed"
        }
        SPATIAL_DROPOUT_ERROR_WRONG_CLASS => {
            c"the JSON describes another layer class or spatial rank"
        }
        SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE => c"the layer's dtype is not float32",
        SPATIAL_DROPOUT_ERROR_NOISE_SHAPE => {
            c"the config has a non-null noise_shape; SpatialDropout derives it from the input"
        }
        SPATIAL_DROPOUT_ERROR_MISSING_KEY => {
            c"a required JSON key is missing (rate; config after class_name; class_name when rank is 0)"
        }
        SPATIAL_DROPOUT_ERROR_INVALID_VALUE => {
            c"a JSON key has a value of the wrong type or out of range, or channels_first for a 1D layer (an _ex function's spatial_dropout_error names the key and what it must be)"
        }
        SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND => {
            c"no SpatialDropout layer of the model JSON has that name"
        }
        SPATIAL_DROPOUT_ERROR_INVALID_MASKS => {
            c"the mask scheme is none of SPATIAL_DROPOUT_MASKS_KERAS, _KERAS_XLA, _KERAS_3_4, _KERAS_3_4_XLA, _XORSHIFT"
        }
        SPATIAL_DROPOUT_ERROR_NOT_KERAS => {
            c"a Keras mask was asked of the XorShift scheme, whose masks are not a function of (seed, call)"
        }
        SPATIAL_DROPOUT_ERROR_NULL_POINTER => c"a required pointer is NULL (an _ex function's spatial_dropout_error names the argument)",
        SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT => {
            c"a pointer is not aligned for its type (layer storage: SPATIAL_DROPOUT_LAYER_ALIGN; an _ex function's spatial_dropout_error names the argument)"
        }
        SPATIAL_DROPOUT_ERROR_BAD_RANK => c"the spatial rank must be 1, 2 or 3",
        SPATIAL_DROPOUT_ERROR_INVALID_UTF8 => c"the layer name is not valid UTF-8",
        SPATIAL_DROPOUT_ERROR_NOT_CREATED => {
            c"the layer storage was not initialised by a spatial_dropout_create function"
        }
        SPATIAL_DROPOUT_ERROR_OVERLAP => {
            c"the output buffer overlaps the input buffer without being the same buffer"
        }
        SPATIAL_DROPOUT_ERROR_UNKNOWN => {
            c"an error this version of the C API has no code for"
        }
        _ => c"not a spatial_dropout status code",
    }
}

// ---------------------------------------------------------------------------------------------
// The detail of a failure: `spatial_dropout_error`, filled by the `_ex` functions

/// The header's `SPATIAL_DROPOUT_ARG_*` numbers: which argument of a call a failure is about.
/// The numbers never change; a new argument name gets the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Arg {
    None = 0,
    Layer = 1,
    Rank = 2,
    Rate = 3,
    DataFormat = 4,
    Name = 5,
    Json = 6,
    ModelJson = 7,
    Input = 8,
    Output = 9,
    Data = 10,
    Dims = 11,
    GradOutputs = 12,
    GradInputs = 13,
    Masks = 14,
    Calls = 15,
    HasSeed = 16,
    Seed = 17,
    Keep = 18,
    Buf = 19,
    Len = 20,
    Err = 21,
}

/// Every [`Arg`], in number order.
const ARGS: [Arg; 22] = [
    Arg::None,
    Arg::Layer,
    Arg::Rank,
    Arg::Rate,
    Arg::DataFormat,
    Arg::Name,
    Arg::Json,
    Arg::ModelJson,
    Arg::Input,
    Arg::Output,
    Arg::Data,
    Arg::Dims,
    Arg::GradOutputs,
    Arg::GradInputs,
    Arg::Masks,
    Arg::Calls,
    Arg::HasSeed,
    Arg::Seed,
    Arg::Keep,
    Arg::Buf,
    Arg::Len,
    Arg::Err,
];

impl Arg {
    /// The argument of a `SPATIAL_DROPOUT_ARG_*` number; unknown numbers are `None`.
    pub fn of(number: i32) -> Arg {
        usize::try_from(number)
            .ok()
            .and_then(|i| ARGS.get(i).copied())
            .unwrap_or(Arg::None)
    }

    /// The `SPATIAL_DROPOUT_ARG_*` number.
    #[allow(clippy::as_conversions)] // a `repr(i32)` enum's discriminant: exact
    pub const fn number(self) -> i32 {
        self as i32
    }

    /// The parameter's name as the header spells it (`""` for none).
    pub fn name(self) -> &'static CStr {
        match self {
            Arg::None => c"",
            Arg::Layer => c"layer",
            Arg::Rank => c"rank",
            Arg::Rate => c"rate",
            Arg::DataFormat => c"data_format",
            Arg::Name => c"name",
            Arg::Json => c"json",
            Arg::ModelJson => c"model_json",
            Arg::Input => c"input",
            Arg::Output => c"output",
            Arg::Data => c"data",
            Arg::Dims => c"dims",
            Arg::GradOutputs => c"grad_outputs",
            Arg::GradInputs => c"grad_inputs",
            Arg::Masks => c"masks",
            Arg::Calls => c"calls",
            Arg::HasSeed => c"has_seed",
            Arg::Seed => c"seed",
            Arg::Keep => c"keep",
            Arg::Buf => c"buf",
            Arg::Len => c"len",
            Arg::Err => c"err",
        }
    }

    /// The argument a core error is about when the call does not say otherwise.
    fn of_error(error: Error) -> Arg {
        match error {
            Error::InvalidRate { .. } => Arg::Rate,
            Error::RankMismatch { .. } | Error::ShapeOverflow | Error::ShapeMismatch => Arg::Dims,
            Error::LengthMismatch { what, .. } => match what {
                "input" => Arg::Input,
                "output" => Arg::Output,
                "data" => Arg::Data,
                "grad_outputs" => Arg::GradOutputs,
                "grad_inputs" => Arg::GradInputs,
                _ => Arg::None,
            },
            Error::MaskTooShort { .. } => Arg::Keep,
            Error::NameTooLong { .. } | Error::LayerNotFound => Arg::Name,
            Error::NoForwardCall => Arg::Layer,
            Error::BufferTooSmall { .. } => Arg::Buf,
            Error::InvalidMasks | Error::NotKeras => Arg::Masks,
            Error::InvalidDataFormat
            | Error::Json { .. }
            | Error::WrongClass { .. }
            | Error::UnsupportedDtype
            | Error::NoiseShape
            | Error::MissingKey { .. }
            | Error::InvalidValue { .. } => Arg::Json,
            _ => Arg::None,
        }
    }
}

/// Why an export failed: an error of the core (with the argument it is about), or one of the
/// C side's own checks (with the argument that failed it and, where one helps, a number).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fail {
    /// An error of the core crate.
    Core { error: Error, arg: Arg },
    /// A C-side check: `code` is one of this file's codes; `expected` and `found` as in
    /// `spatial_dropout_error` (e.g. the alignment needed; the bad rank; the bad UTF-8 offset).
    C {
        code: i32,
        arg: Arg,
        expected: usize,
        found: usize,
    },
}

impl From<Error> for Fail {
    fn from(error: Error) -> Fail {
        Fail::Core {
            error,
            arg: Arg::of_error(error),
        }
    }
}

impl Fail {
    /// A C-side check with no numbers.
    pub const fn c(code: i32, arg: Arg) -> Fail {
        Fail::C {
            code,
            arg,
            expected: 0,
            found: 0,
        }
    }

    /// A null pointer for `arg`.
    pub const fn null(arg: Arg) -> Fail {
        Fail::c(SPATIAL_DROPOUT_ERROR_NULL_POINTER, arg)
    }

    /// A pointer for `arg` not aligned to `align` bytes.
    pub const fn misaligned(arg: Arg, align: usize) -> Fail {
        Fail::C {
            code: SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT,
            arg,
            expected: align,
            found: 0,
        }
    }

    /// The same failure, about `arg` (a core error of JSON text read from `model_json`, say).
    pub fn about(self, arg: Arg) -> Fail {
        match self {
            Fail::Core { error, .. } => Fail::Core { error, arg },
            Fail::C {
                code,
                expected,
                found,
                ..
            } => Fail::C {
                code,
                arg,
                expected,
                found,
            },
        }
    }

    /// The status code the export returns.
    pub fn code(self) -> i32 {
        match self {
            Fail::Core { error, .. } => code_of(error),
            Fail::C { code, .. } => code,
        }
    }
}

/// The status code of an export's result.
pub fn code(result: Result<(), Fail>) -> i32 {
    match result {
        Ok(()) => SPATIAL_DROPOUT_OK,
        Err(fail) => fail.code(),
    }
}

/// A static text as C sees it: `len` bytes at `ptr`, not NUL-terminated, never a null `ptr`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct spatial_dropout_text {
    ptr: *const c_char,
    len: usize,
}

impl spatial_dropout_text {
    const fn of(s: &'static str) -> Self {
        spatial_dropout_text {
            ptr: s.as_ptr().cast(),
            len: s.len(),
        }
    }

    /// The text again.
    ///
    /// # Safety
    /// `ptr` and `len` are those [`Self::of`] wrote, or `len` is 0.
    unsafe fn get(self) -> &'static str {
        if self.len == 0 || self.ptr.is_null() {
            return "";
        }
        // SAFETY: the caller guarantees a text `of` made: `len` bytes of a `&'static str`.
        let bytes = unsafe { core::slice::from_raw_parts(self.ptr.cast::<u8>(), self.len) };
        core::str::from_utf8(bytes).unwrap_or("")
    }
}

/// The header's `spatial_dropout_error`: what went wrong, field by field.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct spatial_dropout_error {
    pub(crate) code: i32,
    pub(crate) argument: i32,
    pub(crate) offset: usize,
    pub(crate) expected: usize,
    pub(crate) found: usize,
    pub(crate) rate: f64,
    pub(crate) key: spatial_dropout_text,
    pub(crate) detail: spatial_dropout_text,
}

impl spatial_dropout_error {
    /// The detail of a result (all fields zero or empty, and `code` 0, for `Ok`).
    pub fn of(result: Result<(), Fail>) -> Self {
        let mut out = spatial_dropout_error {
            code: code(result),
            argument: 0,
            offset: 0,
            expected: 0,
            found: 0,
            rate: 0.0,
            key: spatial_dropout_text::of(""),
            detail: spatial_dropout_text::of(""),
        };
        match result {
            Ok(()) => {}
            Err(Fail::C {
                arg,
                expected,
                found,
                code,
            }) => {
                out.argument = arg.number();
                out.expected = expected;
                out.found = found;
                if code == SPATIAL_DROPOUT_ERROR_INVALID_UTF8 {
                    out.offset = found;
                }
            }
            Err(Fail::Core { error, arg }) => {
                out.argument = arg.number();
                match error {
                    Error::InvalidRate { rate } => out.rate = rate,
                    Error::RankMismatch { expected, found }
                    | Error::MaskTooShort { expected, found } => {
                        (out.expected, out.found) = (expected, found);
                    }
                    Error::LengthMismatch {
                        what,
                        expected,
                        found,
                    } => {
                        (out.expected, out.found) = (expected, found);
                        out.key = spatial_dropout_text::of(what);
                    }
                    Error::NameTooLong { max } => out.expected = max,
                    Error::Json { reason, offset } => {
                        out.offset = offset;
                        out.detail = spatial_dropout_text::of(reason);
                    }
                    Error::BufferTooSmall { needed, found } => {
                        (out.expected, out.found) = (needed, found);
                    }
                    Error::WrongClass { expected, found } => {
                        out.detail = spatial_dropout_text::of(expected);
                        out.key = spatial_dropout_text::of(found.unwrap_or(""));
                    }
                    Error::MissingKey { key } => out.key = spatial_dropout_text::of(key),
                    Error::InvalidValue { key, expected } => {
                        out.key = spatial_dropout_text::of(key);
                        out.detail = spatial_dropout_text::of(expected);
                    }
                    _ => {}
                }
            }
        }
        out
    }

    /// The failure again, from the fields (`None` for `code` 0).
    ///
    /// # Safety
    /// `key` and `detail` are as [`Self::of`] wrote them, or empty.
    pub unsafe fn fail(&self) -> Option<Fail> {
        // SAFETY: forwarded from the caller.
        let (key, detail) = unsafe { (self.key.get(), self.detail.get()) };
        let arg = Arg::of(self.argument);
        let (expected, found) = (self.expected, self.found);
        let core = |error| Some(Fail::Core { error, arg });
        let c = || {
            Some(Fail::C {
                code: self.code,
                arg,
                expected,
                found,
            })
        };
        match self.code {
            SPATIAL_DROPOUT_OK => None,
            SPATIAL_DROPOUT_ERROR_INVALID_RATE => core(Error::InvalidRate { rate: self.rate }),
            SPATIAL_DROPOUT_ERROR_INVALID_DATA_FORMAT if arg != Arg::DataFormat => {
                core(Error::InvalidDataFormat)
            }
            SPATIAL_DROPOUT_ERROR_RANK_MISMATCH => core(Error::RankMismatch { expected, found }),
            SPATIAL_DROPOUT_ERROR_SHAPE_OVERFLOW => core(Error::ShapeOverflow),
            SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH if !key.is_empty() => {
                core(Error::LengthMismatch {
                    what: key,
                    expected,
                    found,
                })
            }
            SPATIAL_DROPOUT_ERROR_MASK_TOO_SHORT => core(Error::MaskTooShort { expected, found }),
            SPATIAL_DROPOUT_ERROR_NAME_TOO_LONG => core(Error::NameTooLong { max: expected }),
            SPATIAL_DROPOUT_ERROR_NO_FORWARD_CALL => core(Error::NoForwardCall),
            SPATIAL_DROPOUT_ERROR_SHAPE_MISMATCH => core(Error::ShapeMismatch),
            SPATIAL_DROPOUT_ERROR_JSON => core(Error::Json {
                reason: detail,
                offset: self.offset,
            }),
            SPATIAL_DROPOUT_ERROR_WRONG_CLASS => core(Error::WrongClass {
                expected: detail,
                found: (!key.is_empty()).then_some(key),
            }),
            SPATIAL_DROPOUT_ERROR_UNSUPPORTED_DTYPE => core(Error::UnsupportedDtype),
            SPATIAL_DROPOUT_ERROR_NOISE_SHAPE => core(Error::NoiseShape),
            SPATIAL_DROPOUT_ERROR_MISSING_KEY => core(Error::MissingKey { key }),
            SPATIAL_DROPOUT_ERROR_INVALID_VALUE => core(Error::InvalidValue {
                key,
                expected: detail,
            }),
            SPATIAL_DROPOUT_ERROR_LAYER_NOT_FOUND => core(Error::LayerNotFound),
            SPATIAL_DROPOUT_ERROR_NOT_KERAS => core(Error::NotKeras),
            _ => c(),
        }
    }
}

/// Writes the message of a failure: the core's `Display` for its errors, a message naming the
/// argument for the C side's checks.
pub fn describe(fail: Option<Fail>, out: &mut impl fmt::Write) -> fmt::Result {
    let Some(fail) = fail else {
        return out.write_str("ok");
    };
    let (code, arg, expected, found) = match fail {
        Fail::Core { error, .. } => return write!(out, "{error}"),
        Fail::C {
            code,
            arg,
            expected,
            found,
        } => (code, arg, expected, found),
    };
    let name = arg.name().to_str().unwrap_or("");
    let quoted = |out: &mut dyn fmt::Write| {
        out.write_str("`")?;
        out.write_str(name)?;
        out.write_str("`")
    };
    match code {
        SPATIAL_DROPOUT_ERROR_NULL_POINTER if arg != Arg::None => {
            quoted(out)?;
            out.write_str(" is NULL")
        }
        SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT if arg != Arg::None => {
            quoted(out)?;
            out.write_str(" is not aligned to ")?;
            decimal(out, expected)?;
            out.write_str(" bytes")?;
            if arg == Arg::Layer {
                out.write_str(" (SPATIAL_DROPOUT_LAYER_ALIGN)")?;
            }
            Ok(())
        }
        SPATIAL_DROPOUT_ERROR_BAD_RANK => {
            out.write_str("`rank` must be 1, 2 or 3, not ")?;
            decimal(out, found)
        }
        SPATIAL_DROPOUT_ERROR_INVALID_UTF8 => {
            quoted(out)?;
            out.write_str(" is not valid UTF-8 from byte ")?;
            decimal(out, found)
        }
        SPATIAL_DROPOUT_ERROR_NOT_CREATED => {
            out.write_str("`layer` was not initialised by a spatial_dropout_create function")
        }
        SPATIAL_DROPOUT_ERROR_OVERLAP if arg != Arg::None => {
            quoted(out)?;
            out.write_str(" overlaps ")?;
            out.write_str(if arg == Arg::GradInputs {
                "`grad_outputs`"
            } else {
                "`input`"
            })?;
            out.write_str(" without being the same buffer")
        }
        SPATIAL_DROPOUT_ERROR_LENGTH_MISMATCH if arg != Arg::None => {
            quoted(out)?;
            out.write_str(" holds ")?;
            decimal(out, found)?;
            out.write_str(" elements: more than any buffer can")
        }
        SPATIAL_DROPOUT_ERROR_BUFFER_TOO_SMALL => {
            out.write_str("`buf` holds ")?;
            decimal(out, found)?;
            out.write_str(" bytes but the text and its NUL need ")?;
            decimal(out, expected)
        }
        _ => out.write_str(message(code).to_str().unwrap_or("")),
    }
}

/// `n` in decimal, without `core::fmt`'s integer formatting.
fn decimal(out: &mut (impl fmt::Write + ?Sized), n: usize) -> fmt::Result {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + u8::try_from(n % 10).unwrap_or(0);
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    let text = digits.get(i..).and_then(|d| core::str::from_utf8(d).ok());
    out.write_str(text.unwrap_or(""))
}

/// A `fmt::Write` into a C buffer: keeps what fits before the NUL, counts everything.
pub struct Bounded<'a> {
    buf: &'a mut [u8],
    written: usize,
    needed: usize,
    cut: bool,
}

impl<'a> Bounded<'a> {
    /// A writer into `buf`, which keeps one byte for the NUL.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Bounded {
            buf,
            written: 0,
            needed: 0,
            cut: false,
        }
    }

    /// Writes the NUL and returns the length of the whole message without it.
    pub fn finish(self) -> usize {
        if let Some(nul) = self.buf.get_mut(self.written) {
            *nul = 0;
        }
        self.needed
    }
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.needed = self.needed.saturating_add(s.len());
        let room = self
            .buf
            .len()
            .saturating_sub(1)
            .saturating_sub(self.written);
        let mut n = if self.cut { 0 } else { room.min(s.len()) };
        self.cut |= n < s.len();
        // Cut at a character boundary, so that the buffer always holds valid UTF-8.
        while n > 0 && !s.is_char_boundary(n) {
            n -= 1;
        }
        // Byte by byte (not `copy_from_slice`, whose length check is a panic path).
        let to = self.buf.get_mut(self.written..).unwrap_or(&mut []);
        for (to, &from) in to.iter_mut().zip(s.as_bytes().get(..n).unwrap_or(&[])) {
            *to = from;
            self.written += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant of the core's error has its own code, and every code its own message.
    #[test]
    fn codes_are_distinct_and_named() {
        let errors = [
            Error::InvalidRate { rate: -1.0 },
            Error::InvalidDataFormat,
            Error::RankMismatch {
                expected: 4,
                found: 3,
            },
            Error::ShapeOverflow,
            Error::LengthMismatch {
                what: "input",
                expected: 1,
                found: 2,
            },
            Error::MaskTooShort {
                expected: 2,
                found: 1,
            },
            Error::NameTooLong { max: 64 },
            Error::NoForwardCall,
            Error::ShapeMismatch,
            Error::Json {
                reason: "expected a value",
                offset: 0,
            },
            Error::BufferTooSmall {
                needed: 2,
                found: 1,
            },
            Error::WrongClass {
                expected: "SpatialDropout2D",
                found: None,
            },
            Error::UnsupportedDtype,
            Error::NoiseShape,
            Error::MissingKey { key: "rate" },
            Error::InvalidValue {
                key: "seed",
                expected: "an integer",
            },
            Error::LayerNotFound,
            Error::InvalidMasks,
            Error::NotKeras,
        ];
        let mut codes: Vec<i32> = errors.iter().map(|&e| code_of(e)).collect();
        assert!(!codes.contains(&SPATIAL_DROPOUT_ERROR_UNKNOWN));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        let unknown = message(-1);
        for code in codes {
            assert_ne!(message(code), unknown, "code {code}");
        }
    }
}
