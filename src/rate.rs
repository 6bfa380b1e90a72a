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
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    /// Keeps every map.
    pub const ZERO: Rate = Rate(0.0);

    /// Checks `rate` as Keras does: NaN, infinities, negatives and values above 1 are errors.
    pub fn new(rate: f64) -> Result<Self, Error> {
        // `contains` is false for NaN.
        if (0.0..=1.0).contains(&rate) {
            // Normalise -0.0 so that it serializes as 0.0, as Keras does.
            Ok(Rate(rate + 0.0))
        } else {
            Err(Error::InvalidRate { rate })
        }
    }

    /// The rate as given.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// The factor for kept maps, `1 / (1 − rate)` computed in `f64` and rounded to `f32`, as
    /// TensorFlow casts it. `+inf` at rate 1, where no map is kept.
    pub fn scale(self) -> f32 {
        (1.0_f64 / (1.0_f64 - self.0)) as f32
    }

    /// A map is kept iff `u64::from(draw) < threshold`: `round((1 − rate) · 2³²)`, rounding half
    /// away from zero. Ranges over `0 ..= 2³²`.
    pub fn threshold(self) -> u64 {
        // In [0, 2^32]: the `as` conversion is exact.
        libm::round((1.0 - self.0) * 4_294_967_296.0) as u64
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
        rate.0
    }
}
