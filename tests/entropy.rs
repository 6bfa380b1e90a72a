//! Generators from outside: a fallible TRNG (rand_core 0.10 `TryRng` with a real error, and a
//! rand_core 0.6 one through `TryRng06`), a rand_core 0.6 PRNG through `Rng06`, the one-call
//! seeding, and the rule that a failed call writes nothing: no output, no layer state.

use core::fmt;
use core::num::NonZeroU32;

use spatial_dropout::{
    DataFormat, Error, Infallible, Rate, Rng, Rng06, SeedableRng, Shape2D, SpatialDropout2D,
    TryRng, TryRng06, XorShiftRng, apply_mask, draw_mask, seed_from, spatial_dropout,
    spatial_dropout_in_place, try_spatial_dropout, try_spatial_dropout_in_place,
};

const UNTOUCHED: f32 = f32::from_bits(0x7fc0_0bad);

/// A TRNG that yields an xorshift stream for `good` draws of any width, then fails every time;
/// it counts the calls made after its first failure.
struct FlakyTrng {
    inner: XorShiftRng,
    good: usize,
    calls_after_failure: usize,
}

impl FlakyTrng {
    fn new(seed: u64, good: usize) -> Self {
        FlakyTrng {
            inner: XorShiftRng::seed_from_u64(seed),
            good,
            calls_after_failure: 0,
        }
    }

    fn take(&mut self) -> Result<(), SeedError> {
        if self.good == 0 {
            self.calls_after_failure += 1;
            return Err(SeedError);
        }
        self.good -= 1;
        Ok(())
    }
}

#[derive(Debug, PartialEq)]
struct SeedError;

impl fmt::Display for SeedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("seed error flag set")
    }
}

impl core::error::Error for SeedError {}

impl TryRng for FlakyTrng {
    type Error = SeedError;
    fn try_next_u32(&mut self) -> Result<u32, SeedError> {
        self.take()?;
        Ok(self.inner.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, SeedError> {
        self.take()?;
        Ok(self.inner.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), SeedError> {
        self.take()?;
        self.inner.fill_bytes(dst);
        Ok(())
    }
}

fn shape() -> Shape2D {
    Shape2D::new(3, 40, [2, 3], DataFormat::ChannelsLast).unwrap()
}

fn input(n: usize) -> Vec<f32> {
    (0..n).map(|i| 1.0 + i as f32 * 0.25).collect()
}

fn bits(v: &[f32]) -> Vec<u32> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn seed_from_draws_one_u64() {
    let mut expected = XorShiftRng::seed_from_u64(5);
    let seed = seed_from(&mut XorShiftRng::seed_from_u64(5)).unwrap();
    assert_eq!(seed, expected.next_u64());
    assert_eq!(seed_from(&mut FlakyTrng::new(5, 1)), Ok(expected_u64(5)));
}

fn expected_u64(seed: u64) -> u64 {
    XorShiftRng::seed_from_u64(seed).next_u64()
}

#[test]
fn seed_from_a_failing_generator_is_rng_failed() {
    assert_eq!(seed_from(&mut FlakyTrng::new(5, 0)), Err(Error::RngFailed));
}

#[test]
fn reseed_from_returns_the_seed_and_replays_like_reseed() {
    let (shape, x) = (shape(), input(shape().len()));
    let dims = shape.dims();
    let mut from_trng = SpatialDropout2D::new(0.4).unwrap();
    let seed = from_trng.reseed_from(&mut FlakyTrng::new(9, 1)).unwrap();
    assert_eq!(seed, expected_u64(9));
    let mut by_hand = SpatialDropout2D::new(0.4).unwrap();
    by_hand.reseed(seed);
    let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    from_trng.call(&x, &dims, &mut a, true).unwrap();
    by_hand.call(&x, &dims, &mut b, true).unwrap();
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(from_trng.seed(), None, "the config seed is left as it was");
}

#[test]
fn reseed_from_a_failing_generator_changes_nothing() {
    let (shape, x) = (shape(), input(shape().len()));
    let dims = shape.dims();
    let mut layer = SpatialDropout2D::new(0.4).unwrap().with_seed(3);
    let mut fresh = layer.clone();
    assert_eq!(
        layer.reseed_from(&mut FlakyTrng::new(1, 0)),
        Err(Error::RngFailed)
    );
    let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    layer.call(&x, &dims, &mut a, true).unwrap();
    fresh.call(&x, &dims, &mut b, true).unwrap();
    assert_eq!(bits(&a), bits(&b));
}

#[test]
fn try_kernels_equal_the_kernels_for_a_generator_that_does_not_fail() {
    let shape = shape();
    let x = input(shape.len());
    for r in [0.0, 0.3, 0.5, 1.0] {
        let rate = Rate::new(r).unwrap();
        let mut expected = vec![0.0; x.len()];
        spatial_dropout(
            &x,
            &mut expected,
            &shape,
            rate,
            &mut XorShiftRng::seed_from_u64(4),
        )
        .unwrap();
        let mut keep = [0u32; 4];
        let mut out = vec![UNTOUCHED; x.len()];
        let mut trng = FlakyTrng::new(4, usize::MAX);
        try_spatial_dropout(&x, &mut out, &shape, rate, &mut trng, &mut keep).unwrap();
        assert_eq!(bits(&out), bits(&expected), "rate {r}");

        // `keep` is the call's mask: what draw_mask gives and what backward applies.
        let mut mask = [0u32; 4];
        draw_mask(
            &mut mask,
            shape.maps(),
            rate,
            &mut XorShiftRng::seed_from_u64(4),
        )
        .unwrap();
        assert_eq!(keep, mask);
        let mut grad_in = vec![0.0; x.len()];
        apply_mask(&x, &mut grad_in, &shape, rate, &keep).unwrap();
        assert_eq!(bits(&grad_in), bits(&expected));

        let mut data = x.clone();
        try_spatial_dropout_in_place(
            &mut data,
            &shape,
            rate,
            &mut FlakyTrng::new(4, usize::MAX),
            &mut keep,
        )
        .unwrap();
        let mut in_place = x.clone();
        spatial_dropout_in_place(
            &mut in_place,
            &shape,
            rate,
            &mut XorShiftRng::seed_from_u64(4),
        )
        .unwrap();
        assert_eq!(bits(&data), bits(&in_place));
    }
}

#[test]
fn a_generator_failing_mid_mask_leaves_the_output_untouched_and_is_not_called_again() {
    let shape = shape();
    let x = input(shape.len());
    let rate = Rate::new(0.5).unwrap();
    for good in [0, 1, 31, 32, 119] {
        let mut trng = FlakyTrng::new(8, good);
        let mut out = vec![UNTOUCHED; x.len()];
        let mut keep = [0u32; 4];
        assert_eq!(
            try_spatial_dropout(&x, &mut out, &shape, rate, &mut trng, &mut keep),
            Err(Error::RngFailed)
        );
        assert!(out.iter().all(|v| v.to_bits() == UNTOUCHED.to_bits()));
        assert_eq!(trng.calls_after_failure, 1, "{good} good draws");

        let mut data = vec![UNTOUCHED; x.len()];
        assert_eq!(
            try_spatial_dropout_in_place(
                &mut data,
                &shape,
                rate,
                &mut FlakyTrng::new(8, good),
                &mut keep
            ),
            Err(Error::RngFailed)
        );
        assert!(data.iter().all(|v| v.to_bits() == UNTOUCHED.to_bits()));
    }
}

#[test]
fn bad_lengths_and_short_masks_draw_nothing() {
    let shape = shape();
    let x = input(shape.len());
    let rate = Rate::new(0.5).unwrap();
    let mut keep = [0u32; 4];
    let mut trng = FlakyTrng::new(1, 0);
    let mut out = vec![UNTOUCHED; x.len()];
    let err = try_spatial_dropout(&x[1..], &mut out, &shape, rate, &mut trng, &mut keep);
    assert_eq!(
        err,
        Err(Error::LengthMismatch {
            what: "input",
            expected: 720,
            found: 719
        })
    );
    let err = try_spatial_dropout(&x, &mut out[1..], &shape, rate, &mut trng, &mut keep);
    assert!(matches!(
        err,
        Err(Error::LengthMismatch { what: "output", .. })
    ));
    let err = try_spatial_dropout(&x, &mut out, &shape, rate, &mut trng, &mut keep[..3]);
    assert_eq!(
        err,
        Err(Error::MaskTooShort {
            expected: 4,
            found: 3
        })
    );
    let err = try_spatial_dropout_in_place(&mut out[1..], &shape, rate, &mut trng, &mut keep);
    assert!(matches!(
        err,
        Err(Error::LengthMismatch { what: "data", .. })
    ));
    assert_eq!(trng.calls_after_failure, 0, "no draw was attempted");
    assert!(out.iter().all(|v| v.to_bits() == UNTOUCHED.to_bits()));
}

/// A user's own infallible generator, written with the crate's re-exports only.
struct Counter(u32);

impl TryRng for Counter {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0 = self.0.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
        Ok(self.0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(u64::from(self.next_u32()) | u64::from(self.next_u32()) << 32)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(4) {
            let word = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

/// The same generator written against rand_core 0.6, as a HAL would.
struct Counter06(u32);

impl rand_core_06::RngCore for Counter06 {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
        self.0
    }
    fn next_u64(&mut self) -> u64 {
        rand_core_06::impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core_06::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[test]
fn a_rand_core_06_generator_draws_the_same_masks_as_its_0_10_twin() {
    let shape = shape();
    let x = input(shape.len());
    let rate = Rate::new(0.3).unwrap();
    let (mut a, mut b) = (vec![0.0; x.len()], vec![0.0; x.len()]);
    spatial_dropout(&x, &mut a, &shape, rate, &mut Counter(11)).unwrap();
    let mut hal = Counter06(11);
    spatial_dropout(&x, &mut b, &shape, rate, &mut Rng06(&mut hal)).unwrap();
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(hal.0, {
        let mut twin = Counter(11);
        for _ in 0..shape.maps() {
            twin.next_u32();
        }
        twin.0
    });
    assert_eq!(
        seed_from(&mut Rng06(Counter06(2))),
        seed_from(&mut Counter(2))
    );
}

/// A rand_core 0.6 TRNG whose `try_fill_bytes` fails after `good` calls, with a code.
struct Trng06 {
    inner: Counter06,
    good: usize,
}

impl rand_core_06::RngCore for Trng06 {
    fn next_u32(&mut self) -> u32 {
        panic!("a HAL unwraps here; TryRng06 must not call it")
    }
    fn next_u64(&mut self) -> u64 {
        panic!("a HAL unwraps here; TryRng06 must not call it")
    }
    fn fill_bytes(&mut self, _: &mut [u8]) {
        panic!("a HAL unwraps here; TryRng06 must not call it")
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        if self.good == 0 {
            return Err(NonZeroU32::new(rand_core_06::Error::CUSTOM_START + 7)
                .unwrap()
                .into());
        }
        self.good -= 1;
        self.inner.try_fill_bytes(dest)
    }
}

#[test]
fn a_fallible_rand_core_06_trng_seeds_a_layer_or_fails_with_its_code() {
    let mut trng = TryRng06(Trng06 {
        inner: Counter06(5),
        good: 1,
    });
    let mut bytes = [0u8; 8];
    rand_core_06::RngCore::fill_bytes(&mut Counter06(5), &mut bytes);
    assert_eq!(seed_from(&mut trng), Ok(u64::from_le_bytes(bytes)));

    let err = trng.try_next_u32().unwrap_err();
    assert_eq!(
        err.code,
        NonZeroU32::new(rand_core_06::Error::CUSTOM_START + 7)
    );
    let mut layer = SpatialDropout2D::new(0.5).unwrap();
    assert_eq!(layer.reseed_from(&mut trng), Err(Error::RngFailed));

    let shape = shape();
    let x = input(shape.len());
    let mut out = vec![UNTOUCHED; x.len()];
    let mut keep = [0u32; 4];
    let rate = Rate::new(0.5).unwrap();
    assert_eq!(
        try_spatial_dropout(&x, &mut out, &shape, rate, &mut trng, &mut keep),
        Err(Error::RngFailed)
    );
    assert!(out.iter().all(|v| v.to_bits() == UNTOUCHED.to_bits()));
}

#[test]
fn error_codes_are_stable_and_messages_static() {
    let all = [
        (Error::InvalidRate { rate: 2.0 }, 1),
        (Error::InvalidDataFormat, 2),
        (
            Error::RankMismatch {
                expected: 4,
                found: 3,
            },
            3,
        ),
        (Error::ShapeOverflow, 4),
        (
            Error::LengthMismatch {
                what: "input",
                expected: 1,
                found: 2,
            },
            5,
        ),
        (
            Error::MaskTooShort {
                expected: 1,
                found: 0,
            },
            6,
        ),
        (Error::NameTooLong { max: 64 }, 7),
        (Error::NoForwardCall, 8),
        (Error::ShapeMismatch, 9),
        (
            Error::Json {
                reason: "r",
                offset: 0,
            },
            10,
        ),
        (
            Error::BufferTooSmall {
                needed: 2,
                found: 1,
            },
            11,
        ),
        (
            Error::WrongClass {
                expected: "SpatialDropout2D",
                found: None,
            },
            12,
        ),
        (Error::UnsupportedDtype, 13),
        (Error::NoiseShape, 14),
        (Error::MissingKey { key: "rate" }, 15),
        (
            Error::InvalidValue {
                key: "seed",
                expected: "x",
            },
            16,
        ),
        (Error::LayerNotFound, 17),
        (Error::InvalidMasks, 18),
        (Error::NotKeras, 19),
        (Error::RngFailed, 20),
    ];
    let mut messages = std::collections::HashSet::new();
    for (error, code) in all {
        assert_eq!(error.code(), code, "{error:?}");
        let text = error.as_str();
        assert!(!text.is_empty() && text.len() <= 48, "{text:?}");
        assert!(messages.insert(text), "{text:?} twice");
    }
    const CODE: u16 = Error::RngFailed.code();
    assert_eq!(CODE, 20);
}
