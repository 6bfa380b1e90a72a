//! Generators from outside the crate: fallible ones (a hardware TRNG that can time out or fail
//! a health check) and, with the `rand_core_06` feature, the rand_core 0.6 generators that
//! embedded HALs implement.
//!
//! A fallible generator never reaches a kernel directly. Its error becomes
//! [`Error::RngFailed`], and the call that met it has written nothing the caller reads: a seed
//! is returned only whole, and [`try_spatial_dropout`] draws the whole mask into scratch words
//! before it touches the output.

use rand_core::{Infallible, TryRng};

use crate::{Error, Rate, Shape, apply_mask, apply_mask_in_place, draw_mask};

/// One `u64` from a generator, for [`SpatialDropout::with_seed`](crate::SpatialDropout::with_seed)
/// or [`reseed_from`](crate::SpatialDropoutNd::reseed_from): the natural job of a hardware TRNG,
/// which is too slow to draw every mask from and need not be reproducible.
///
/// Draws once with `try_next_u64`. Fails with [`Error::RngFailed`] when the generator does.
///
/// ```
/// use spatial_dropout::{Error, SpatialDropout2D, TryRng, seed_from};
///
/// /// A TRNG driver whose data register may not be ready.
/// struct Trng { ready: bool }
///
/// #[derive(Debug)]
/// struct NotReady;
/// impl core::fmt::Display for NotReady {
///     fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
///         f.write_str("TRNG not ready")
///     }
/// }
/// impl core::error::Error for NotReady {}
///
/// impl TryRng for Trng {
///     type Error = NotReady;
///     fn try_next_u32(&mut self) -> Result<u32, NotReady> {
///         if self.ready { Ok(0x2545_f491) } else { Err(NotReady) }
///     }
///     fn try_next_u64(&mut self) -> Result<u64, NotReady> {
///         Ok(u64::from(self.try_next_u32()?) << 32 | u64::from(self.try_next_u32()?))
///     }
///     fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), NotReady> {
///         for chunk in dst.chunks_mut(4) {
///             let word = self.try_next_u32()?.to_le_bytes();
///             chunk.copy_from_slice(&word[..chunk.len()]);
///         }
///         Ok(())
///     }
/// }
///
/// let seed = seed_from(&mut Trng { ready: true })?;
/// let layer = SpatialDropout2D::new(0.25)?.with_seed(seed);
/// assert_eq!(layer.seed(), Some(0x2545_f491_2545_f491));
/// assert_eq!(seed_from(&mut Trng { ready: false }), Err(Error::RngFailed));
/// # Ok::<(), Error>(())
/// ```
pub fn seed_from<R: TryRng + ?Sized>(rng: &mut R) -> Result<u64, Error> {
    rng.try_next_u64().map_err(|_| Error::RngFailed)
}

/// [`spatial_dropout`](crate::spatial_dropout) with a fallible generator: the mask is drawn
/// into `keep` first, and `output` is written only once every draw has succeeded.
///
/// `keep` is scratch of at least [`mask_words`](crate::mask_words)`(shape.maps())` words. On success it holds the
/// call's mask (bit `m % 32` of word `m / 32` set = map `m` kept), which is what
/// [`apply_mask`] needs for the backward pass: `apply_mask(grad_outputs, grad_inputs, shape,
/// rate, keep)`. The draws are the ones `spatial_dropout` makes (one `u32` per map when
/// `0 < rate < 1`, none otherwise), so an infallible generator gives the same output either
/// way.
///
/// Fails, with `output` untouched, on a wrong slice length or a short `keep` (drawing
/// nothing), or with [`Error::RngFailed`] when the generator fails (no draw is made after the
/// failing one; `keep` then holds no mask).
pub fn try_spatial_dropout<const S: usize, R: TryRng + ?Sized>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
    keep: &mut [u32],
) -> Result<(), Error> {
    check_len("input", input.len(), shape)?;
    check_len("output", output.len(), shape)?;
    try_draw(keep, shape.maps(), rate, rng)?;
    apply_mask(input, output, shape, rate, keep)
}

/// [`try_spatial_dropout`] on one buffer: `data` is written only once every draw has
/// succeeded.
pub fn try_spatial_dropout_in_place<const S: usize, R: TryRng + ?Sized>(
    data: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
    keep: &mut [u32],
) -> Result<(), Error> {
    check_len("data", data.len(), shape)?;
    try_draw(keep, shape.maps(), rate, rng)?;
    apply_mask_in_place(data, shape, rate, keep)
}

fn check_len<const S: usize>(
    what: &'static str,
    len: usize,
    shape: &Shape<S>,
) -> Result<(), Error> {
    if len == shape.len() {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected: shape.len(),
            found: len,
        })
    }
}

/// [`draw_mask`] through a [`Latch`], so the generator's first error stops the draws and
/// becomes [`Error::RngFailed`].
fn try_draw<R: TryRng + ?Sized>(
    keep: &mut [u32],
    maps: usize,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    // A short `keep` fails in `draw_mask` before any draw.
    let mut latch = Latch { rng, failed: false };
    draw_mask(keep, maps, rate, &mut latch)?;
    if latch.failed {
        Err(Error::RngFailed)
    } else {
        Ok(())
    }
}

/// An infallible view of a fallible generator for the mask drawing, which takes a
/// [`Rng`](rand_core::Rng): the first error is latched, and from then on the generator is not
/// called again and the draws are zeros that the caller throws away.
struct Latch<'r, R: TryRng + ?Sized> {
    rng: &'r mut R,
    failed: bool,
}

impl<R: TryRng + ?Sized> TryRng for Latch<'_, R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        if self.failed {
            return Ok(0);
        }
        Ok(self.rng.try_next_u32().unwrap_or_else(|_| {
            self.failed = true;
            0
        }))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        if self.failed {
            return Ok(0);
        }
        Ok(self.rng.try_next_u64().unwrap_or_else(|_| {
            self.failed = true;
            0
        }))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if !self.failed && self.rng.try_fill_bytes(dst).is_err() {
            self.failed = true;
        }
        Ok(())
    }
}

#[cfg(feature = "rand_core_06")]
pub use compat06::{Rng06, Rng06Error, TryRng06};

/// rand_core 0.6, the version the embedded HALs' TRNG drivers (stm32, nrf, esp) implement.
#[cfg(feature = "rand_core_06")]
mod compat06 {
    use core::fmt;
    use core::num::NonZeroU32;

    use rand_core::{Infallible, TryRng};
    use rand_core_06::RngCore;

    /// A rand_core 0.6 [`RngCore`] generator as the [`Rng`](crate::Rng) the kernels and
    /// [`seed_from`](crate::seed_from) take, through its infallible `next_u32`, `next_u64` and
    /// `fill_bytes`. Wrap `&mut rng` to keep the generator.
    ///
    /// For a generator whose infallible methods may panic or block on a hardware error (many
    /// HAL TRNG drivers unwrap inside `next_u32`), use [`TryRng06`], which goes through
    /// `try_fill_bytes` and turns the error into [`Error::RngFailed`](crate::Error::RngFailed).
    ///
    /// ```
    /// use spatial_dropout::{Rate, Rng06, Shape1D, DataFormat, spatial_dropout};
    /// use rand_core_06::{RngCore, impls};
    ///
    /// /// What a HAL's generator looks like to this crate: it implements rand_core 0.6.
    /// struct HalRng(u32);
    /// impl RngCore for HalRng {
    ///     fn next_u32(&mut self) -> u32 { self.0 = self.0.wrapping_mul(1_664_525).wrapping_add(1_013_904_223); self.0 }
    ///     fn next_u64(&mut self) -> u64 { impls::next_u64_via_u32(self) }
    ///     fn fill_bytes(&mut self, dest: &mut [u8]) { impls::fill_bytes_via_next(self, dest) }
    ///     fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
    ///         self.fill_bytes(dest);
    ///         Ok(())
    ///     }
    /// }
    ///
    /// let mut hal_rng = HalRng(1);
    /// let shape = Shape1D::new(1, 4, [2], DataFormat::ChannelsLast)?;
    /// let mut out = [0.0; 8];
    /// spatial_dropout(&[1.0; 8], &mut out, &shape, Rate::new(0.5)?, &mut Rng06(&mut hal_rng))?;
    /// # Ok::<(), spatial_dropout::Error>(())
    /// ```
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Rng06<R>(pub R);

    impl<R: RngCore> TryRng for Rng06<R> {
        type Error = Infallible;

        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(self.0.next_u32())
        }

        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            Ok(self.0.next_u64())
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            self.0.fill_bytes(dst);
            Ok(())
        }
    }

    /// A rand_core 0.6 generator that can fail, e.g. a HAL's TRNG driver, as a fallible
    /// [`TryRng`]: every draw goes through `try_fill_bytes`, and its error becomes
    /// [`Rng06Error`] (and [`Error::RngFailed`](crate::Error::RngFailed) in this crate's
    /// calls). Wrap `&mut rng` to keep the generator.
    ///
    /// ```
    /// use core::num::NonZeroU32;
    /// use spatial_dropout::{Error, SpatialDropout1D, TryRng06, seed_from};
    /// use rand_core_06::RngCore;
    ///
    /// /// A HAL TRNG whose seed error flag is set: `try_fill_bytes` reports it.
    /// struct FaultyTrng;
    /// impl RngCore for FaultyTrng {
    ///     fn next_u32(&mut self) -> u32 { unreachable!("HAL drivers unwrap here") }
    ///     fn next_u64(&mut self) -> u64 { unreachable!() }
    ///     fn fill_bytes(&mut self, _: &mut [u8]) { unreachable!() }
    ///     fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), rand_core_06::Error> {
    ///         Err(NonZeroU32::new(rand_core_06::Error::CUSTOM_START + 1).unwrap().into())
    ///     }
    /// }
    ///
    /// let mut layer = SpatialDropout1D::new(0.25)?;
    /// assert_eq!(seed_from(&mut TryRng06(FaultyTrng)), Err(Error::RngFailed));
    /// assert_eq!(layer.reseed_from(&mut TryRng06(FaultyTrng)), Err(Error::RngFailed));
    /// # Ok::<(), Error>(())
    /// ```
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct TryRng06<R>(pub R);

    impl<R: RngCore> TryRng for TryRng06<R> {
        type Error = Rng06Error;

        fn try_next_u32(&mut self) -> Result<u32, Rng06Error> {
            let mut bytes = [0; 4];
            self.try_fill_bytes(&mut bytes)?;
            Ok(u32::from_le_bytes(bytes))
        }

        fn try_next_u64(&mut self) -> Result<u64, Rng06Error> {
            let mut bytes = [0; 8];
            self.try_fill_bytes(&mut bytes)?;
            Ok(u64::from_le_bytes(bytes))
        }

        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Rng06Error> {
            self.0
                .try_fill_bytes(dst)
                .map_err(|e| Rng06Error { code: e.code() })
        }
    }

    /// A rand_core 0.6 generator's error, reduced to what that error carries without `std`:
    /// its code.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Rng06Error {
        /// The generator's error code (`rand_core_06::Error::code`), if it gave one.
        pub code: Option<NonZeroU32>,
    }

    impl fmt::Display for Rng06Error {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a rand_core 0.6 generator failed")
        }
    }

    impl core::error::Error for Rng06Error {}
}
