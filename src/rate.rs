//! The dropout rate and the numbers derived from it.

use crate::Error;

/// A dropout rate: a finite `f64` in `[0, 1]`, the probability that a map is dropped.
///
/// Stored as `f64` so that a rate read from JSON (`0.3`) is written back as the same text.
///
/// # Precision
///
/// A map is kept when a uniform `u32` draw is below [`Rate::threshold`],
/// `round((1 − rate) · 2³²)`, so the keep probability is `threshold / 2³²`: within `2⁻³³` of
/// `1 − rate`. Rates below `2⁻³³` keep every map, rates above `1 − 2⁻³³` drop every map, though
/// both still draw one value per map (only exactly 0 and exactly 1 draw nothing).
///
/// The scale and the threshold are computed once, when the rate is checked: a kernel call does
/// no `f64` arithmetic (soft-float on a Cortex-M4F), and a rate built in a `const` costs none
/// at run time. [`rate!`](crate::rate!) builds one in a `const` and fails the build on a bad
/// value.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate {
    rate: f64,
    scale: f32,
    threshold: u64,
    keras_threshold: u32,
}

impl Rate {
    /// Keeps every map.
    pub const ZERO: Rate = Rate::from_valid(0.0);

    /// Checks `rate` as Keras does: NaN, infinities, negatives and values above 1 are errors.
    pub const fn new(rate: f64) -> Result<Self, Error> {
        // Both comparisons are false for NaN.
        if rate >= 0.0 && rate <= 1.0 {
            // Normalise -0.0 so that it serializes as 0.0, as Keras does.
            Ok(Rate::from_valid(rate + 0.0))
        } else {
            Err(Error::InvalidRate { rate })
        }
    }

    /// `rate` is in `[0, 1]`.
    const fn from_valid(rate: f64) -> Self {
        Rate {
            rate,
            scale: (1.0_f64 / (1.0_f64 - rate)) as f32,
            threshold: round_half_away((1.0 - rate) * 4_294_967_296.0),
            keras_threshold: ceil_u32(rate as f32 * 8_388_608.0),
        }
    }

    /// The rate as given.
    pub const fn get(self) -> f64 {
        self.rate
    }

    /// `get() == 0.0`, by the bits (`new` stores `+0.0`, never `−0.0`): an integer compare
    /// instead of a soft-float call on a Cortex-M, in every kernel and layer call.
    pub(crate) const fn is_zero(self) -> bool {
        self.rate.to_bits() == 0
    }

    /// `get() == 1.0`, by the bits.
    pub(crate) const fn is_one(self) -> bool {
        self.rate.to_bits() == 1.0_f64.to_bits()
    }

    /// The factor for kept maps, `1 / (1 − rate)` computed in `f64` and rounded to `f32`, as
    /// TensorFlow casts it. `+inf` at rate 1, where no map is kept.
    pub const fn scale(self) -> f32 {
        self.scale
    }

    /// A map is kept iff `u64::from(draw) < threshold`: `round((1 − rate) · 2³²)`, rounding half
    /// away from zero. Ranges over `0 ..= 2³²`.
    pub const fn threshold(self) -> u64 {
        self.threshold
    }

    /// The Keras schemes keep a map iff the 23 bits TensorFlow takes from its Philox word are
    /// at least `ceil(f32(rate) · 2²³)`: TensorFlow's uniform float `bits / 2²³` compared with
    /// the rate rounded to `f32`, `>=`. Ranges over `0 ..= 2²³`.
    pub const fn keras_threshold(self) -> u32 {
        self.keras_threshold
    }
}

/// `ceil(x)` for `x` in `[0, 2²³]`, as a `const fn`. In `f32`: `f32(rate) · 2²³` is exact
/// there, and a Cortex-M4F does it in hardware instead of with soft-float `f64` routines.
const fn ceil_u32(x: f32) -> u32 {
    let whole = x as u32;
    if (whole as f32) < x { whole + 1 } else { whole }
}

/// A [`Rate`] checked at compile time: `rate!(0.25)` is a `Rate` computed in an inline
/// `const { }`, so a bad value fails the build instead of returning an [`Error`] at run time,
/// and no check, `f64` arithmetic or panic path is left in the binary.
///
/// ```
/// use spatial_dropout::{Rate, rate};
///
/// const RATE: Rate = rate!(0.25);
/// static ALSO: Rate = rate!(1.0 / 3.0);
/// assert_eq!((RATE.get(), RATE.scale()), (0.25, 4.0 / 3.0));
/// assert_eq!(ALSO, Rate::new(1.0 / 3.0).unwrap());
/// ```
///
/// The argument must be a constant expression, and a rate outside `[0, 1]` does not compile:
///
/// ```compile_fail
/// use spatial_dropout::{Rate, rate};
///
/// const RATE: Rate = rate!(1.5); // error: "rate! needs a finite rate in [0, 1]"
/// ```
#[macro_export]
macro_rules! rate {
    ($rate:expr) => {
        const {
            match $crate::Rate::new($rate) {
                ::core::result::Result::Ok(rate) => rate,
                ::core::result::Result::Err(_) => {
                    ::core::panic!("rate! needs a finite rate in [0, 1]")
                }
            }
        }
    };
}

/// `round(x)`, half away from zero, for `x` in `[0, 2³²]`, as a `const fn` (`libm::round` is
/// not one). The integer part is exact as `u64`, and `x − trunc(x)` is exact in `f64`, so
/// comparing it with 0.5 rounds exactly as `libm::round` does (no `x + 0.5` double rounding).
const fn round_half_away(x: f64) -> u64 {
    let whole = x as u64;
    if x - whole as f64 >= 0.5 {
        whole + 1
    } else {
        whole
    }
}

impl TryFrom<f64> for Rate {
    type Error = Error;
    fn try_from(rate: f64) -> Result<Self, Error> {
        Rate::new(rate)
    }
}

impl From<Rate> for f64 {
    fn from(rate: Rate) -> f64 {
        rate.rate
    }
}
