//! Status codes: one per variant of the core's `Error`, then the C side's own, and their
//! messages. The numbers are the header's `spatial_dropout_status` values and never change.

use core::ffi::CStr;

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
            c"data_format must be SPATIAL_DROPOUT_CHANNELS_LAST or SPATIAL_DROPOUT_CHANNELS_FIRST (rank 1 is always channels_last)"
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
        SPATIAL_DROPOUT_ERROR_JSON => c"the JSON text is malformed",
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
            c"a JSON key has a value of the wrong type or out of range (or channels_first for a 1D layer)"
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
        SPATIAL_DROPOUT_ERROR_NULL_POINTER => c"a required pointer is NULL",
        SPATIAL_DROPOUT_ERROR_BAD_ALIGNMENT => {
            c"a pointer is not aligned for its type (layer storage: SPATIAL_DROPOUT_LAYER_ALIGN)"
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
