//! Keep/drop decisions: the threshold test, the one place that calls the generator, and masks
//! as bit words.

use rand_core::Rng;

use crate::{Error, Rate};

/// Where the kernel gets its keep/drop decisions, one per map, in map order
/// `m = n · channels + c`.
pub(crate) trait MaskSource {
    /// Whether the next map is kept.
    fn next_keep(&mut self) -> bool;
}

/// Decisions drawn from a generator: one `next_u32` per map, kept iff below the threshold.
pub(crate) struct Draws<'r, R: Rng + ?Sized> {
    rng: &'r mut R,
    threshold: u64,
}

impl<'r, R: Rng + ?Sized> Draws<'r, R> {
    pub(crate) fn new(rng: &'r mut R, rate: Rate) -> Self {
        Draws {
            rng,
            threshold: rate.threshold(),
        }
    }
}

impl<R: Rng + ?Sized> MaskSource for Draws<'_, R> {
    #[inline]
    fn next_keep(&mut self) -> bool {
        u64::from(self.rng.next_u32()) < self.threshold
    }
}

/// Decisions read from mask words: bit `m % 32` of word `m / 32` set = map `m` kept.
pub(crate) struct Bits<'a> {
    words: &'a [u32],
    index: usize,
}

impl<'a> Bits<'a> {
    pub(crate) fn new(words: &'a [u32]) -> Self {
        Bits { words, index: 0 }
    }
}

impl MaskSource for Bits<'_> {
    #[inline]
    fn next_keep(&mut self) -> bool {
        let word = self.words.get(self.index / 32).copied().unwrap_or(0);
        let bit = (word >> (self.index % 32)) & 1;
        self.index = self.index.wrapping_add(1);
        bit != 0
    }
}

/// Words a mask of `maps` bits needs: `ceil(maps / 32)`.
pub const fn mask_words(maps: usize) -> usize {
    maps.div_ceil(32)
}

/// Draws the keep mask of `maps` maps into `keep`: bit `m % 32` of word `m / 32` is set when map
/// `m` is kept.
///
/// Makes exactly the draws a training call of the kernels makes: `maps` values when
/// `0 < rate < 1`, none at rate 0 (every bit set) or rate 1 (every bit clear). Bits past `maps`
/// in the last word are cleared; words past `ceil(maps / 32)` are left alone. Fails with
/// [`Error::MaskTooShort`], drawing nothing, when `keep` holds fewer than `ceil(maps / 32)` words.
pub fn draw_mask<R: Rng + ?Sized>(
    keep: &mut [u32],
    maps: usize,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    let words = mask_words(maps);
    let found = keep.len();
    let keep = keep.get_mut(..words).ok_or(Error::MaskTooShort {
        expected: words,
        found,
    })?;
    let mut source = Draws::new(rng, rate);
    let mut remaining = maps;
    for word in keep {
        let bits = remaining.min(32);
        remaining -= bits;
        *word = if rate.get() == 0.0 {
            u32::MAX >> (32 - bits)
        } else if rate.get() == 1.0 {
            0
        } else {
            (0..bits).fold(0, |w, b| w | (u32::from(source.next_keep()) << b))
        };
    }
    Ok(())
}
