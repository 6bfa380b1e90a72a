//! Keep/drop decisions: the two mask schemes, the one trait the walks read them through, and
//! masks as bit words.
//!
//! A decision source hands out the decisions of consecutive maps, up to 32 at a time, in map
//! order `m = n · channels + c`. Three sources implement it: a caller's generator (the XorShift
//! scheme and the stateless kernels), mask words (`apply_mask`), and TensorFlow's Philox stream
//! keyed by a Keras layer's seed and call number (the Keras scheme).

use core::fmt;
use core::str::FromStr;

use rand_core::Rng;
use rand_xorshift::XorShiftRng;

use crate::profile::PROFILE;
use crate::{Error, Rate};

/// Where the walks get their keep/drop decisions: the next `count` maps at a time.
pub(crate) trait Decisions {
    /// The next `count` decisions (`count ≤ 32`): bit `i` set = the `i`-th next map is kept.
    /// Bits at and above `count` are clear.
    fn word(&mut self, count: usize) -> u32;

    /// A copy of this source, for a loop that draws from it and writes elements in turn: the
    /// copy is the loop's own, so its state stays in registers across the writes (the original,
    /// behind a reference, is loaded and stored around every draw). The loop writes the copy
    /// back. `None` for a source that cannot be copied (a caller's generator, borrowed), for
    /// mask words, which cost nothing to read 32 at a time (drawn ahead a map at a time, maps of
    /// 2–16 elements took 1.4–2.4× as long through `apply_mask`, scratch timing), and for Philox.
    fn fork(&self) -> Option<Self>
    where
        Self: Sized,
    {
        None
    }
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

impl<R: Rng + ?Sized> Decisions for Draws<'_, R> {
    #[inline]
    fn word(&mut self, count: usize) -> u32 {
        draw_word(self.rng, self.threshold, count)
    }
}

/// The next `count ≤ 32` decisions of `rng` against `threshold`. A tight loop with no other
/// memory traffic, so the generator state stays in registers (a per-map call stalled on store
/// forwarding of the state: 10× slower on small maps).
#[inline(always)]
fn draw_word<R: Rng + ?Sized>(rng: &mut R, threshold: u64, count: usize) -> u32 {
    let mut word = 0;
    for bit in 0..count.min(32) {
        word |= u32::from(u64::from(rng.next_u32()) < threshold) << bit;
    }
    word
}

/// [`Draws`] from the layer's own generator, held by value: a copy of it
/// ([`Decisions::fork`]) lives in the registers of a walk that draws between its writes, where
/// one behind a reference is loaded and stored around every write.
#[derive(Clone)]
pub(crate) struct OwnDraws {
    rng: XorShiftRng,
    threshold: u64,
}

impl OwnDraws {
    pub(crate) fn new(rng: XorShiftRng, rate: Rate) -> Self {
        OwnDraws {
            rng,
            threshold: rate.threshold(),
        }
    }

    /// The generator, past the draws made.
    pub(crate) fn into_rng(self) -> XorShiftRng {
        self.rng
    }
}

impl Decisions for OwnDraws {
    fn fork(&self) -> Option<Self> {
        Some(self.clone())
    }

    #[inline(always)]
    fn word(&mut self, count: usize) -> u32 {
        draw_word(&mut self.rng, self.threshold, count)
    }
}

/// Decisions read from mask words: bit `m % 32` of word `m / 32` set = map `m` kept.
#[derive(Clone)]
pub(crate) struct Bits<'a> {
    words: &'a [u32],
    index: usize,
}

impl<'a> Bits<'a> {
    pub(crate) const fn new(words: &'a [u32]) -> Self {
        Bits { words, index: 0 }
    }
}

impl Decisions for Bits<'_> {
    #[inline]
    fn word(&mut self, count: usize) -> u32 {
        let count = count.min(32);
        let (at, shift) = (self.index / 32, self.index % 32);
        let low = self.words.get(at).copied().unwrap_or(0) >> shift;
        let high = match shift {
            0 => 0,
            _ => self.words.get(at + 1).copied().unwrap_or(0) << (32 - shift),
        };
        self.index = self.index.wrapping_add(count);
        (low | high) & low_bits(count)
    }
}

/// Bits `0 .. count` set (`count ≤ 32`).
#[inline]
pub(crate) fn low_bits(count: usize) -> u32 {
    u32::MAX
        .checked_shr(u32::try_from(32 - count.min(32)).unwrap_or(0))
        .unwrap_or(0)
}

/// How a layer draws its masks.
///
/// The four Keras schemes reproduce, bit for bit, the masks TensorFlow's Keras 3 layer with the
/// same `seed` draws on its `k`-th drawing call (TensorFlow backend, float32 compute): TF's
/// Philox 4x32-10 keyed by `(seed, k)`. They differ in how Keras reduces the seed and in which
/// bits of each Philox word TensorFlow's kernel compares with the rate. `docs/semantics.md`
/// gives the recipe step by step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Masks {
    /// Keras ≥ 3.5 on TensorFlow's CPU kernels (eager calls and `model.fit` in graph mode):
    /// the seed pair is `(seed mod 2147483646, k mod 2147483646)`, a map is kept iff
    /// `(w & 0x7FFFFF) ≥ ceil(f32(rate) · 2²³)`.
    #[default]
    Keras,
    /// Keras ≥ 3.5 compiled by XLA (`jit_compile=True`, Keras's default on GPU): kept iff
    /// `(w >> 9) ≥ ceil(f32(rate) · 2²³)`. Verified against XLA on CPU.
    KerasXla,
    /// Keras ≤ 3.4: `seed` and `k` each reduced mod 2³² and read as `i32` (sign-extended).
    /// Seeds below 2147483646 give the same masks as [`Masks::Keras`].
    Keras34,
    /// Keras ≤ 3.4 compiled by XLA, which zero-extends a negative `i32` seed.
    Keras34Xla,
    /// The crate's 0.1 scheme: `rand_xorshift::XorShiftRng::seed_from_u64(seed)`, one
    /// `next_u32` per map, kept iff below [`Rate::threshold`]. Its state runs on from call to
    /// call, so a call's mask depends on the sizes of the calls before it.
    XorShift,
}

impl Masks {
    /// The scheme's name: `"keras"`, `"keras-xla"`, `"keras-3.4"`, `"keras-3.4-xla"` or
    /// `"xorshift"` (what [`FromStr`] reads).
    pub const fn as_str(self) -> &'static str {
        match self {
            Masks::Keras => "keras",
            Masks::KerasXla => "keras-xla",
            Masks::Keras34 => "keras-3.4",
            Masks::Keras34Xla => "keras-3.4-xla",
            Masks::XorShift => "xorshift",
        }
    }

    /// Whether this is one of the Keras schemes (a mask is a function of `(seed, k)`).
    pub const fn is_keras(self) -> bool {
        !matches!(self, Masks::XorShift)
    }
}

impl fmt::Display for Masks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Masks {
    type Err = Error;

    /// Reads the names of [`Masks::as_str`], case-insensitively.
    fn from_str(s: &str) -> Result<Self, Error> {
        [
            Masks::Keras,
            Masks::KerasXla,
            Masks::Keras34,
            Masks::Keras34Xla,
            Masks::XorShift,
        ]
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(s))
        .ok_or(Error::InvalidMasks)
    }
}

/// Philox 4x32-10's round multipliers and key increments, as TensorFlow has them.
const PHILOX_M: [u64; 2] = [0xD251_1F53, 0xCD9E_8D57];
const PHILOX_W: [u32; 2] = [0x9E37_79B9, 0xBB67_AE85];
/// The key `StatelessRandomGetKeyCounter` starts from.
const KEY0: [u32; 2] = [0x3EC8_F720, 0x0246_1E29];

/// Philox 4x32-10 of one counter. On bare metal and wasm [`KerasStream::block`] holds the one
/// copy of it the crate runs; hosts also inline it into the key derivation
/// ([`KerasStream::new`]) and into [`KerasStream::nibble`].
#[inline(always)]
fn philox(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let [mut c, mut k] = [counter, [key[0], key[1], 0, 0]];
    for round in 0..10 {
        if round != 0 {
            k[0] = k[0].wrapping_add(PHILOX_W[0]);
            k[1] = k[1].wrapping_add(PHILOX_W[1]);
        }
        let p0 = u64::from(c[0]) * PHILOX_M[0];
        let p1 = u64::from(c[2]) * PHILOX_M[1];
        c = [
            (p1 >> 32) as u32 ^ c[1] ^ k[0],
            p1 as u32,
            (p0 >> 32) as u32 ^ c[3] ^ k[1],
            p0 as u32,
        ];
    }
    c
}

/// Blocks of the Philox stream computed at once: 32 maps, one decision word.
const BLOCKS: usize = 8;
/// Blocks in one [`philox_lanes`]: two, so that each Philox word of the pair is one SSE2
/// register of two `u64` lanes and LLVM's SLP vectorizer turns every line into one `pmuludq`,
/// `psrlq` or `pxor`; the four calls of a group are independent, and the core overlaps them.
/// Measured per map on x86-64 (keras_mask over 65,536 maps, best of 200): eight lanes in one call
/// 1.9 ns (spilled, half scalar), four 2.6 ns, two 1.1–1.3 ns; AVX-512 (`target-cpu=native`)
/// 0.7 ns (docs/speed.md).
const LANES: usize = 2;

/// Philox 4x32-10 of `BLOCKS` consecutive counters, lane by lane: the arithmetic of [`philox`]
/// laid out so that it vectorizes on any x86-64 (and wherever 32×32→64-bit lane multiplies
/// exist). Each 32-bit word sits in the low half of a `u64` lane: `(x & 0xFFFF_FFFF) · M` is
/// then exactly SSE2's `pmuludq`, which reads only the low halves, so the high halves may hold
/// junk and nothing is masked or shuffled between rounds. Words are truncated once, at the end.
#[inline(always)]
fn philox_lanes<const N: usize>(first: u64, hi: [u32; 2], key: [u32; 2]) -> [[u32; N]; 4] {
    const LOW: u64 = 0xFFFF_FFFF;
    let block = |i: usize| first.wrapping_add(i as u64);
    let mut c0: [u64; N] = core::array::from_fn(block);
    let mut c1: [u64; N] = core::array::from_fn(|i| block(i) >> 32);
    let mut c2 = [u64::from(hi[0]); N];
    let mut c3 = [u64::from(hi[1]); N];
    let mut k = key;
    for round in 0..10 {
        if round != 0 {
            k[0] = k[0].wrapping_add(PHILOX_W[0]);
            k[1] = k[1].wrapping_add(PHILOX_W[1]);
        }
        let (k0, k1) = (u64::from(k[0]), u64::from(k[1]));
        for i in 0..N {
            let p0 = (c0[i] & LOW) * PHILOX_M[0];
            let p1 = (c2[i] & LOW) * PHILOX_M[1];
            c0[i] = (p1 >> 32) ^ c1[i] ^ k0;
            c1[i] = p1;
            c2[i] = (p0 >> 32) ^ c3[i] ^ k1;
            c3[i] = p0;
        }
    }
    [c0, c1, c2, c3].map(|c| c.map(|w| w as u32))
}

/// `v mod 2147483646`, as Keras ≥ 3.5 reduces a seed and a call number, without a 64-bit
/// division (a 1 KB runtime routine on a 32-bit MCU, measured in examples/firmware): 2³¹ ≡ 2,
/// so folding the bits above bit 30 back in as twice their value keeps the residue. Out of
/// line: one copy for the seed and the call number.
#[inline(never)]
fn keras_mod(v: u64) -> u64 {
    const MOD: u32 = 2_147_483_646;
    let fold = |v: u64| ((v >> 31) << 1) + (v & 0x7FFF_FFFF);
    // Below 2³⁴ + 2³¹ after one fold, below 2³¹ + 16 after two: at most one MOD too many.
    let v = fold(fold(v)) as u32;
    u64::from(if v >= MOD { v - MOD } else { v })
}

/// The Philox stream of one Keras drawing call: TensorFlow's key and counter for the seed pair
/// of `(seed, k)`, and the keep rule of the scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KerasStream {
    key: [u32; 2],
    /// The high half of the 128-bit counter; the low half is the block index.
    hi: [u32; 2],
    /// Where the scheme's 23 bits start in a word: 0 (TensorFlow's CPU kernels, the low bits)
    /// or 9 (XLA, the high bits). A shift rather than a flag: no branch per map.
    shift: u32,
}

impl KerasStream {
    /// The stream of call `k` of a layer with seed `seed` (`masks` is a Keras scheme; the
    /// XorShift scheme is read as [`Masks::Keras`]).
    #[inline]
    pub(crate) fn new(masks: Masks, seed: u64, k: u64) -> Self {
        // The seed pair, each half widened to 64 bits as TensorFlow does (sign extension; XLA
        // zero-extends). Keras ≥ 3.5 reduces both mod 2147483646, so both are non-negative.
        let widen = |v: u64, zero_extend: bool| -> u64 {
            let v = v as u32;
            if zero_extend {
                u64::from(v)
            } else {
                (v as i32) as i64 as u64
            }
        };
        let (s0, s1) = match masks {
            Masks::Keras34 => (widen(seed, false), widen(k, false)),
            Masks::Keras34Xla => (widen(seed, true), widen(k, true)),
            _ => (keras_mod(seed), keras_mod(k)),
        };
        // Philox of the counter [s0, s1] under KEY0: block s0 of a stream with that key.
        let start = KerasStream {
            key: KEY0,
            hi: [s1 as u32, (s1 >> 32) as u32],
            shift: 0,
        };
        // Hosts compute it in line: out of line, its words came back through memory and were
        // read as two 64-bit halves, a store-forwarding stall (4 ns of the tiny call).
        let mix = if PROFILE.inline_sources {
            philox(
                [s0 as u32, (s0 >> 32) as u32, start.hi[0], start.hi[1]],
                start.key,
            )
        } else {
            start.block(s0)
        };
        KerasStream {
            key: [mix[0], mix[1]],
            hi: [mix[2], mix[3]],
            shift: match masks {
                Masks::KerasXla | Masks::Keras34Xla => 9,
                _ => 0,
            },
        }
    }

    /// Block `b` of the stream: Philox 4x32-10 of the counter `[b, hi]` under the key. Out of
    /// line, and the stream passed by reference: one copy serves the key derivation and the
    /// blocks, called without copying counters and keys to the stack (on a Cortex-M inlined
    /// copies and array arguments cost flash, measured in examples/firmware).
    #[inline(never)]
    fn block(&self, b: u64) -> [u32; 4] {
        philox(
            [b as u32, (b >> 32) as u32, self.hi[0], self.hi[1]],
            self.key,
        )
    }

    /// Philox word of map `m`: word `m mod 4` of block `m / 4`.
    pub(crate) fn word(&self, m: u64) -> u32 {
        self.block(m / 4)[(m % 4) as usize]
    }

    /// The 23 bits of a word that the scheme compares with the rate.
    #[inline(always)]
    fn bits(&self, w: u32) -> u32 {
        (w >> self.shift) & 0x7F_FFFF
    }

    /// The decisions of block `b`'s four maps, bit `j` for word `j`, compared where the block
    /// is computed: [`KerasStream::group`] for `maps ≤ 16` on hosts. Through
    /// [`KerasStream::block`], the block's words went through memory into a vector compare, a
    /// store-forwarding stall per block (the tiny call's 8 maps took 124 ns); a pair of
    /// [`philox_lanes`] waited on its longer chain of vector steps (125 ns), and two blocks
    /// inlined side by side were vectorized together by LLVM (145–150 ns). wasm keeps `block`:
    /// this second copy of the rounds cost its `.wasm` 602 B.
    #[inline(never)]
    fn nibble(&self, b: u64, threshold: u32) -> u32 {
        let out = philox(
            [b as u32, (b >> 32) as u32, self.hi[0], self.hi[1]],
            self.key,
        );
        let keep = |w: u32| u32::from(self.bits(w) >= threshold);
        keep(out[0]) | keep(out[1]) << 1 | keep(out[2]) << 2 | keep(out[3]) << 3
    }

    /// Decisions of maps `32·g … 32·g + 31` (`maps ≤ 32` of them wanted): bit `i` set = map
    /// `32·g + i` kept.
    #[inline]
    fn group(&self, g: u64, maps: usize, threshold: u32) -> u32 {
        let first = g * (BLOCKS as u64);
        let mut word = 0;
        // Bare metal computes one block at a time (`PROFILE.philox_lanes`): the lanes are words
        // of state that a Cortex-M's 13 registers spill, and their unrolled rounds cost flash for
        // no speed (measured in examples/firmware, docs/firmware.md).
        if maps > 16 && PROFILE.philox_lanes {
            // Each block's four decisions as a nibble, lane by lane, then the nibbles in order.
            let keep = |w: u32| u32::from(self.bits(w) >= threshold);
            for half in 0..BLOCKS / LANES {
                let first = first + (half * LANES) as u64;
                let [w0, w1, w2, w3] = philox_lanes::<LANES>(first, self.hi, self.key);
                let nibbles: [u32; LANES] = core::array::from_fn(|i| {
                    keep(w0[i]) | keep(w1[i]) << 1 | keep(w2[i]) << 2 | keep(w3[i]) << 3
                });
                for (i, nibble) in nibbles.iter().enumerate() {
                    word |= nibble << (4 * (half * LANES + i));
                }
            }
        } else if PROFILE.philox_lanes && PROFILE.inline_sources {
            // Few maps (a tiny tensor, or the last ones): only the blocks they need.
            for i in 0..maps.div_ceil(4) {
                word |= self.nibble(first + i as u64, threshold) << (4 * i);
            }
        } else {
            // Few maps (a tiny tensor, or the last ones): only the blocks they need.
            for i in 0..maps.div_ceil(4) {
                let out = self.block(first + i as u64);
                for (j, &w) in out.iter().enumerate() {
                    word |= u32::from(self.bits(w) >= threshold) << (4 * i + j);
                }
            }
        }
        word & low_bits(maps)
    }
}

/// The Keras scheme's decisions for one call: `maps` maps from the stream, 32 at a time,
/// handed out in whatever counts the walk asks for.
pub(crate) struct Philox {
    stream: KerasStream,
    threshold: u32,
    /// Next group of 32 maps to compute.
    group: u64,
    /// Maps not yet computed.
    left: usize,
    /// Computed decisions not yet handed out (`have` of them), lowest bit first: 32 bits, as
    /// a `u64` buffer cost a Cortex-M its 64-bit shifts.
    pending: u32,
    have: usize,
}

impl Philox {
    pub(crate) fn new(stream: KerasStream, rate: Rate, maps: usize) -> Self {
        Philox {
            stream,
            threshold: rate.keras_threshold(),
            group: 0,
            left: maps,
            pending: 0,
            have: 0,
        }
    }
}

// No `fork`: drawn a few maps at a time between writes, a Philox call ran slower than drawn
// 32 maps at a time (its blocks are vector work that competes with the writes, not a chain
// of latencies that leaves room for them).
impl Decisions for Philox {
    #[inline]
    fn word(&mut self, count: usize) -> u32 {
        let count = count.min(32);
        let (mut word, have) = (self.pending, self.have);
        if have < count {
            let maps = self.left.min(32);
            let next = self.stream.group(self.group, maps, self.threshold);
            self.group += 1;
            self.left -= maps;
            // The `have` pending bits, then the next group's; the rest of it stays pending.
            let used = count - have;
            word |= next.checked_shl(have as u32).unwrap_or(0);
            self.pending = next.checked_shr(used as u32).unwrap_or(0);
            self.have = 32 - used;
        } else {
            self.pending = word.checked_shr(count as u32).unwrap_or(0);
            self.have = have - count;
        }
        word & low_bits(count)
    }
}

/// The source of a layer call: one of the three, chosen at run time; the walks are
/// instantiated for each (`kernel::forward_with`), behind one `dyn` outside hosts.
pub(crate) enum Source<'a> {
    Bits(Bits<'a>),
    Philox(Philox),
    Draws(OwnDraws),
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
    fill_mask(keep, maps, rate, &mut Draws::new(rng, rate))
}

/// The mask a Keras layer with seed `seed` draws on its drawing call number `call` (its
/// `seed_generator.state` is `[seed, call]` before that call; in `model.fit`, `call` is the
/// training step), for a tensor of `maps = batch × channels` maps: bit `m % 32` of word `m / 32`
/// set = map `m` kept. [`apply_mask`](crate::apply_mask) applies it.
///
/// This is the mask [`SpatialDropout`](crate::SpatialDropout) with [`Masks`] `masks` uses on
/// that call, computed directly: no layer and no state, so a host test can compare step `call`
/// of a TensorFlow run without replaying the steps before it. At rate 0 every bit is set and at
/// rate 1 none. With [`Masks::XorShift`], whose masks are not a function of `(seed, call)`,
/// fails with [`Error::NotKeras`]; with a short `keep`, with [`Error::MaskTooShort`]. Either way
/// nothing is written.
pub fn keras_mask(
    keep: &mut [u32],
    maps: usize,
    rate: Rate,
    seed: u64,
    call: u64,
    masks: Masks,
) -> Result<(), Error> {
    if !masks.is_keras() {
        return Err(Error::NotKeras);
    }
    let stream = KerasStream::new(masks, seed, call);
    fill_mask(keep, maps, rate, &mut Philox::new(stream, rate, maps))
}

/// The raw Philox word TensorFlow gives map `map` on call `call` of a Keras layer with seed
/// `seed` (before the keep rule: [`Masks::Keras`] keeps the map iff
/// `(w & 0x7FFFFF) ≥ ceil(f32(rate) · 2²³)`, the XLA schemes iff `(w >> 9) ≥ …`). For tests
/// against TensorFlow's `stateless_random_uniform`; [`Masks::XorShift`] is read as
/// [`Masks::Keras`].
pub fn keras_word(seed: u64, call: u64, map: u64, masks: Masks) -> u32 {
    KerasStream::new(masks, seed, call).word(map)
}

/// `keep` from `source`, with [`draw_mask`]'s rules for rates 0 and 1 and short masks.
pub(crate) fn fill_mask(
    keep: &mut [u32],
    maps: usize,
    rate: Rate,
    source: &mut dyn Decisions,
) -> Result<(), Error> {
    let words = mask_words(maps);
    let found = keep.len();
    let keep = keep.get_mut(..words).ok_or(Error::MaskTooShort {
        expected: words,
        found,
    })?;
    let mut remaining = maps;
    for word in keep {
        let bits = remaining.min(32);
        remaining -= bits;
        *word = if rate.is_zero() {
            low_bits(bits)
        } else if rate.is_one() {
            0
        } else {
            source.word(bits)
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Philox 4x32-10's known-answer vectors (Random123's kat_vectors, as TensorFlow's
    /// philox_random_test uses them).
    #[test]
    fn philox_known_answers() {
        assert_eq!(
            philox([0; 4], [0; 2]),
            [0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8]
        );
        assert_eq!(
            philox([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd]
        );
        assert_eq!(
            philox(
                [0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344],
                [0xa409_3822, 0x299f_31d0]
            ),
            [0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1]
        );
    }

    #[test]
    fn lanes_equal_one_block_at_a_time() {
        let (hi, key) = ([0x1234_5678, 0x9abc_def0], [0x0f0f_0f0f, 0xf0f0_f0f0]);
        for first in [0, 1, 7, u64::from(u32::MAX) - 3, u64::MAX - 20] {
            let lanes = philox_lanes::<BLOCKS>(first, hi, key);
            for i in 0..BLOCKS {
                let b = first.wrapping_add(i as u64);
                let one = philox([b as u32, (b >> 32) as u32, hi[0], hi[1]], key);
                let column = lanes.map(|words| words[i]);
                assert_eq!(column, one, "first {first} lane {i}");
            }
        }
    }

    /// The seed pair's reduction mod 2147483646 folds bits instead of dividing: the same
    /// residues as `%`.
    #[test]
    fn the_seed_reduction_is_the_remainder() {
        const MOD: u64 = 2_147_483_646;
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        let edges = [0, 1, MOD - 1, MOD, MOD + 1, (1 << 31) - 1, 1 << 31, 1 << 32];
        let more = [(1 << 62) + 5, 2 * MOD, 2 * MOD - 1, u64::MAX, u64::MAX - 1];
        let random = core::iter::repeat_with(|| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        });
        for v in edges.into_iter().chain(more).chain(random.take(2000)) {
            assert_eq!(
                KerasStream::new(Masks::Keras, v, v.rotate_left(17)),
                KerasStream::new(Masks::Keras, v % MOD, v.rotate_left(17) % MOD),
                "{v}"
            );
        }
    }

    #[test]
    fn keras_mod_is_the_remainder() {
        const MOD: u64 = 2_147_483_646;
        let mut x = 0x9E37_79B9_7F4A_7C15_u64;
        let edges = [
            0,
            1,
            MOD - 1,
            MOD,
            MOD + 1,
            1 << 31,
            (1 << 31) - 1,
            1 << 32,
            1 << 62,
        ];
        for v in edges
            .into_iter()
            .chain([u64::MAX, u64::MAX - 1, 2 * MOD, 3 * MOD - 1])
        {
            assert_eq!(keras_mod(v), v % MOD, "{v}");
        }
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            assert_eq!(keras_mod(x), x % MOD, "{x}");
        }
    }

    #[test]
    fn masks_names_round_trip() {
        for m in [
            Masks::Keras,
            Masks::KerasXla,
            Masks::Keras34,
            Masks::Keras34Xla,
            Masks::XorShift,
        ] {
            assert_eq!(m.as_str().parse::<Masks>(), Ok(m));
        }
        assert_eq!("KERAS-3.4-XLA".parse::<Masks>(), Ok(Masks::Keras34Xla));
        assert_eq!("philox".parse::<Masks>(), Err(Error::InvalidMasks));
    }
}
