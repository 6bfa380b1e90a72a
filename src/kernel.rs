//! The loops. Everything here trusts its arguments: the public functions check slice lengths
//! against a valid [`Shape`] before any loop runs, so a failed call writes nothing.
//!
//! Speed comes from three things (measured in `docs/speed.md`): decisions are drawn 32 at a
//! time in a loop that keeps the generator in registers; consecutive maps with the same
//! decision become one run, so a kept run is one vectorized scale loop and a dropped run one
//! `memset`, however small the maps; and channels_last samples that are neither all kept nor
//! all dropped go through a branch-free select over a block of repeated channel lanes.

use core::num::NonZero;

use rand_core::Rng;

use crate::mask::{Bits, Decisions, Draws, Source, low_bits, mask_words};
use crate::profile::PROFILE;
use crate::shape::Layout;
use crate::{DataFormat, Error, Rate, Shape};

// The target's tuning (src/profile.rs), as constants the loops are sized by.
const LANES: usize = PROFILE.lanes;
const SMALL_LANES: usize = PROFILE.small_lanes;
const SMALL_TENSOR: usize = PROFILE.small_tensor;
const SHORT_MAP: usize = PROFILE.short_map;

/// Whether a tensor this long takes the small lane block (never when the profile has one
/// block size).
#[inline(always)]
#[allow(clippy::absurd_extreme_comparisons)] // `SMALL_TENSOR` is 0 in the small profile
fn takes_small_lanes(len: usize) -> bool {
    SMALL_LANES < LANES && len <= SMALL_TENSOR
}

/// Whether a map this long takes the masked multiply (never, in a profile whose `short_map`
/// is 0).
#[inline(always)]
#[allow(clippy::absurd_extreme_comparisons)] // `SHORT_MAP` is 0 in the small profile
fn is_short(map_len: usize) -> bool {
    map_len < SHORT_MAP
}
const UNROLL: bool = PROFILE.unroll;

/// What the driver does to a run of elements. Implemented for out-of-place and in-place.
trait Sink {
    /// `y = x · scale` on `len` elements from `start`.
    fn scale(&mut self, start: usize, len: usize);
    /// `y = +0.0` on `len` elements from `start`.
    fn zero(&mut self, start: usize, len: usize);
    /// `y = bits(x · scale) & lanes[i]` on `lanes.len()` elements from `start`: a lane is all
    /// ones for a kept map and zero for a dropped one, so dropped elements become `+0.0`
    /// whatever `x` is (NaN, ±Inf), without a branch.
    fn select(&mut self, start: usize, lanes: &[u32]);
    /// `select` on `len` elements from `start` with lane `lanes[i % P]` for element `i`: a
    /// channels_last sample whose row of lanes repeats every `P` elements (`P` a multiple of
    /// four and of the channel count). The lanes are a fixed-size array the loop keeps in
    /// registers, so the select costs what the plain scale loop costs; with lanes read from
    /// memory, one more load per four elements, it ran at 0.64–0.85 of it (a micro-benchmark of
    /// the loops alone, 16 KiB to 16 MiB, `docs/speed.md`). Called only on hosts
    /// (`PROFILE.repeat_rows`, `PROFILE.windows`); in other builds it is dead code the linker
    /// drops.
    fn select_period<const P: usize>(&mut self, start: usize, len: usize, lanes: &[u32; P])
    where
        Self: Sized;
    /// `select` on the `len` elements of a channels_last sample from `start`, element `i` with
    /// lane `block[i % channels]`, where `block` holds the sample's row of `channels` lanes
    /// repeated to at least `channels + WINDOW` lanes: the sample goes [`WINDOW`] elements at a
    /// time, each window's lanes a fixed-size slice of `block` starting where the last one's
    /// channel left off, so the loop is a fully unrolled select whatever the channel count.
    /// Called only with `PROFILE.windows`, like `select_period`.
    fn select_window(&mut self, start: usize, len: usize, block: &[u32], channels: NonZero<usize>)
    where
        Self: Sized;
    /// [`Sink::select_window`] for a row of `4 · quads` channels, its lanes repeated to at least
    /// `4 · quads + WINDOW` in 16-byte-aligned groups of four, so each group is read as the
    /// operand of the mask instruction instead of by a load of its own. Hosts only, like
    /// `select_period`.
    fn select_window_aligned(
        &mut self,
        start: usize,
        len: usize,
        block: &[Quad],
        quads: NonZero<usize>,
    ) where
        Self: Sized;
    /// `count ≤ 32` consecutive maps of `map_len` elements from `start`, map `i` kept iff bit
    /// `i` of `word` is set: channels_first's loop, one dynamic call per 32 maps.
    fn maps(&mut self, start: usize, map_len: usize, word: u32, count: usize);
    /// [`Sink::maps`] for maps of 1, 2, 4, …, 64 elements (`PROFILE.fixed_maps`) that also draws
    /// the `next ≤ 32` decisions after these maps from `source`, a few between each group of
    /// writes, and returns their word; `None`, with nothing written or drawn, for other lengths
    /// or a tensor's last few maps.
    ///
    /// The draws are a chain of dependent steps and the writes are independent of them, so in
    /// one instruction stream the processor runs both at once; drawn all before or all after
    /// the writes, a call costs the sum (measured: 2,048 two-element maps with XorShift, 3.3 µs
    /// drawn 32 maps then written, 2.2 µs interleaved eight maps at a time, which is what the
    /// draws alone take).
    fn fixed_maps<D: Decisions>(
        &mut self,
        start: usize,
        map_len: usize,
        word: u32,
        count: usize,
        source: &mut D,
        next: usize,
    ) -> Option<u32>
    where
        Self: Sized,
    {
        if !is_fixed(map_len) {
            return None;
        }
        let (at, lanes) = ((start, count), &lanes_of(word));
        match map_len {
            1 => self.masked::<1, D>(at, lanes, source, next),
            2 => self.masked::<2, D>(at, lanes, source, next),
            4 => self.masked::<4, D>(at, lanes, source, next),
            8 => self.masked::<8, D>(at, lanes, source, next),
            16 => self.masked::<16, D>(at, lanes, source, next),
            32 => self.masked::<32, D>(at, lanes, source, next),
            64 => self.masked::<64, D>(at, lanes, source, next),
            _ => None,
        }
    }
    /// [`Sink::fixed_maps`] for `count` maps of `L` elements from `start` (`at`), map `m` with
    /// lane `lanes[m]`.
    fn masked<const L: usize, D: Decisions>(
        &mut self,
        at: (usize, usize),
        lanes: &[u32; 32],
        source: &mut D,
        next: usize,
    ) -> Option<u32>
    where
        Self: Sized;
}

/// Whether maps of this length take [`Sink::fixed_maps`].
#[inline(always)]
fn is_fixed(map_len: usize) -> bool {
    PROFILE.fixed_maps && matches!(map_len, 1 | 2 | 4 | 8 | 16 | 32 | 64)
}

/// No decisions at all (`fixed_maps` with nothing to draw ahead).
struct NoDecisions;

impl Decisions for NoDecisions {
    #[inline(always)]
    fn word(&mut self, _: usize) -> u32 {
        0
    }
}

/// Decisions drawn ahead: the word of the `want` next decisions, `have` of them drawn.
#[derive(Clone, Copy)]
struct Ahead {
    word: u32,
    have: usize,
    want: usize,
}

impl Ahead {
    fn new(want: usize) -> Self {
        Ahead {
            word: 0,
            have: 0,
            want: want.min(32),
        }
    }

    /// Draws up to `maps` more of the decisions wanted.
    #[inline(always)]
    fn draw<D: Decisions>(&mut self, source: &mut D, maps: usize) {
        if self.have < self.want {
            let n = maps.min(self.want - self.have);
            let bits = source.word(n);
            self.word |= bits.checked_shl(self.have as u32).unwrap_or(0);
            self.have += n;
        }
    }

    /// The word of all the decisions wanted, drawing those not drawn yet.
    #[inline(always)]
    fn finish<D: Decisions>(mut self, source: &mut D) -> u32 {
        self.draw(source, 32);
        self.word
    }
}

/// Lane for map `bit` of `word`: all ones when kept, zero when dropped, so that
/// `bits(x · scale) & lane` is `+0.0` for a dropped map whatever `x` is.
#[inline(always)]
fn lane(word: u32, bit: usize) -> u32 {
    0u32.wrapping_sub((word >> (bit % 32)) & 1)
}

/// Bit `i` of a word at index `i`, for [`bit_lanes`].
static BITS: [u32; 32] = {
    let mut bits = [0; 32];
    let mut i = 0;
    while i < 32 {
        bits[i] = 1 << i;
        i += 1;
    }
    bits
};

/// The 32 lanes of `word` ([`lane`] of each bit): an `and` and a compare per four lanes against
/// [`BITS`], read through `black_box` so that the optimizer does not know them. Knowing the bits
/// (`lane`'s shift, or a test of `1 << bit`), LLVM shifts each bit into place instead, and SSE2,
/// which has no per-lane shifts, spends two multiplies and three shuffles per four lanes. Filtered
/// bench, 512 channels channels_first at 16–128 KiB (a lane block per 32 maps of 2–16 elements):
/// +0.02–0.04 of the limit, Keras 0.77–0.88 → 0.80–0.90 (`docs/speed.md`).
#[inline(always)]
fn bit_lanes(word: u32) -> [u32; 32] {
    let bits = core::hint::black_box(&BITS);
    core::array::from_fn(|i| lane_of_bit(word, bits[i]))
}

/// [`lane`] for the map whose bit in `word` is the single set bit of `bit`, a value the
/// optimizer does not know ([`bit_lanes`]): the test that vectorizes to an `and` and a compare.
#[inline(always)]
fn lane_of_bit(word: u32, bit: u32) -> u32 {
    if word & bit == bit { u32::MAX } else { 0 }
}

/// The 32 lanes of `word`, opaque to the optimizer: lanes it can see are 0 or all ones, so it
/// branches on them again (and calls `memset` for each dropped map), which is exactly the
/// mispredicted branch per map that the masked loop is there to avoid.
#[inline(always)]
fn lanes_of(word: u32) -> [u32; 32] {
    core::hint::black_box(bit_lanes(word))
}

/// [`Sink::maps`] as runs of equal decisions: one scale loop per run of kept maps and one fill
/// per run of dropped maps.
#[inline(always)]
fn maps_by_runs<S: Sink>(sink: &mut S, start: usize, map_len: usize, word: u32, count: usize) {
    // Products of map counts and lengths stay within the tensor's length.
    for_each_run(word, count, |kept, first, n| {
        if kept {
            sink.scale(start + first * map_len, n * map_len);
        } else {
            sink.zero(start + first * map_len, n * map_len);
        }
    });
}

/// Calls `f(kept, first, n)` for each run of `n` equal decisions starting at map `first`, in
/// the low `count` bits of `word`.
#[inline(always)]
fn for_each_run(mut word: u32, count: usize, mut f: impl FnMut(bool, usize, usize)) {
    let mut done = 0;
    while done < count {
        let kept = word & 1 != 0;
        let same = if kept { !word } else { word }.trailing_zeros();
        let n = usize::try_from(same).unwrap_or(32).min(count - done);
        f(kept, done, n);
        word = word.checked_shr(same).unwrap_or(0);
        done += n;
    }
}

struct OutOfPlace<'a> {
    input: &'a [f32],
    output: &'a mut [f32],
    scale: f32,
}

impl OutOfPlace<'_> {
    #[inline]
    fn run(&mut self, start: usize, len: usize) -> Option<(&[f32], &mut [f32])> {
        let input = self.input.get(start..)?.get(..len)?;
        let output = self.output.get_mut(start..)?.get_mut(..len)?;
        Some((input, output))
    }
}

impl Sink for OutOfPlace<'_> {
    fn scale(&mut self, start: usize, len: usize) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, len) {
            if UNROLL {
                let (mut ys, mut xs) = (y.chunks_exact_mut(4), x.chunks_exact(4));
                for (y, x) in (&mut ys).zip(&mut xs) {
                    if let (Ok(y), Ok(&[a, b, c, d])) =
                        (<&mut [f32; 4]>::try_from(y), <&[f32; 4]>::try_from(x))
                    {
                        *y = [a * scale, b * scale, c * scale, d * scale];
                    }
                }
                for (y, x) in ys.into_remainder().iter_mut().zip(xs.remainder()) {
                    *y = x * scale;
                }
            } else {
                // Hosts: the vector loop's stores from a 16-byte boundary (`to_boundary`).
                let head = if PROFILE.align_runs {
                    to_boundary(y)
                } else {
                    0
                };
                if head == 0 {
                    for (y, x) in y.iter_mut().zip(x) {
                        *y = x * scale;
                    }
                } else {
                    scale_off_boundary(y, x, scale, head);
                }
            }
        }
    }

    fn zero(&mut self, start: usize, len: usize) {
        if let Some(y) = self.output.get_mut(start..).and_then(|y| y.get_mut(..len)) {
            y.fill(0.0);
        }
    }

    fn select(&mut self, start: usize, lanes: &[u32]) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, lanes.len()) {
            for ((y, x), lane) in y.iter_mut().zip(x).zip(lanes) {
                *y = f32::from_bits((x * scale).to_bits() & lane);
            }
        }
    }

    fn select_period<const P: usize>(&mut self, start: usize, len: usize, lanes: &[u32; P]) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, len) {
            select_periods(y, x, lanes, scale);
        }
    }

    fn select_window(&mut self, start: usize, len: usize, block: &[u32], channels: NonZero<usize>) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, len) {
            select_windows(y, x, block, channels, scale);
        }
    }

    fn select_window_aligned(
        &mut self,
        start: usize,
        len: usize,
        block: &[Quad],
        quads: NonZero<usize>,
    ) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, len) {
            select_windows_aligned(y, x, block, quads, scale);
        }
    }

    fn maps(&mut self, start: usize, map_len: usize, word: u32, count: usize) {
        if is_short(map_len) {
            if self
                .fixed_maps(start, map_len, word, count, &mut NoDecisions, 0)
                .is_some()
            {
                return;
            }
            let scale = self.scale;
            if let (Some((x, y)), Some(map_len)) =
                (self.run(start, count * map_len), NonZero::new(map_len))
            {
                let lanes = lanes_of(word);
                // Maps by index, not `chunks_exact(map_len)`: that iterator divides by its
                // run-time chunk size, a division by zero the compiler cannot rule out (and so
                // a panic path) wherever it does not inline the zip.
                let map_len = map_len.get();
                for (m, &lane) in lanes.iter().enumerate().take(count) {
                    let at = m * map_len;
                    let y = y.get_mut(at..).and_then(|y| y.get_mut(..map_len));
                    let x = x.get(at..).and_then(|x| x.get(..map_len));
                    if let (Some(y), Some(x)) = (y, x) {
                        for (y, x) in y.iter_mut().zip(x) {
                            *y = f32::from_bits((x * scale).to_bits() & lane);
                        }
                    }
                }
            }
            return;
        }
        maps_by_runs(self, start, map_len, word, count);
    }

    fn masked<const L: usize, D: Decisions>(
        &mut self,
        (start, count): (usize, usize),
        lanes: &[u32; 32],
        source: &mut D,
        next: usize,
    ) -> Option<u32> {
        let scale = self.scale;
        let (x, y) = self.run(start, count * L)?;
        masked_maps::<L, D>(y, x, lanes, scale, source, next)
    }
}

/// [`Sink::select_window`] out of place. Not inlined and with the window's state in locals: as
/// arguments, `y` and `x` are known not to overlap, so the window loop vectorizes. Inlined into
/// the sink's method (whose slices come from struct fields), or with the state in a struct
/// passed by reference, it compiled to one scalar element at a time, 3–4× slower; a window of
/// 32 was unrolled before the loop vectorizer saw it and vectorized or not depending on the
/// caller, so the window is 64.
#[inline(never)]
fn select_windows(y: &mut [f32], x: &[f32], block: &[u32], channels: NonZero<usize>, scale: f32) {
    // Window `k` starts at channel `(k · WINDOW) % channels`: its lanes are the block's from
    // there, since the block holds at least `channels + WINDOW` of them.
    // The elements before the stores' first 16-byte boundary (`to_boundary`) one at a time.
    let head = to_boundary(y);
    let (Some((y_head, y)), Some((x_head, x))) =
        (y.split_at_mut_checked(head), x.split_at_checked(head))
    else {
        return;
    };
    for ((y, x), lane) in y_head.iter_mut().zip(x_head).zip(block) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
    let (mut at, step) = (head % channels, WINDOW % channels);
    // Whole windows as arrays (`as_chunks`: no division by a run-time size, so no panic path).
    let ((ys, y_tail), (xs, x_tail)) = (y.as_chunks_mut::<WINDOW>(), x.as_chunks::<WINDOW>());
    for (y, x) in ys.iter_mut().zip(xs) {
        if let Some(lanes) = block.get(at..).and_then(|b| b.first_chunk::<WINDOW>()) {
            for ((y, x), lane) in y.iter_mut().zip(x).zip(lanes) {
                *y = f32::from_bits((x * scale).to_bits() & lane);
            }
        }
        at += step;
        if at >= channels.get() {
            at -= channels.get();
        }
    }
    let tail = y_tail.iter_mut().zip(x_tail);
    for ((y, x), lane) in tail.zip(block.get(at..).unwrap_or(&[])) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
}

/// [`Sink::select_window`] in place, with the window loop of [`select_windows`].
#[inline(never)]
fn select_windows_in_place(x: &mut [f32], block: &[u32], channels: NonZero<usize>, scale: f32) {
    // Window `k` starts at channel `(k · WINDOW) % channels`: its lanes are the block's from
    // there, since the block holds at least `channels + WINDOW` of them.
    let head = to_boundary(x);
    let Some((x_head, x)) = x.split_at_mut_checked(head) else {
        return;
    };
    for (x, lane) in x_head.iter_mut().zip(block) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
    let (mut at, step) = (head % channels, WINDOW % channels);
    let (xs, x_tail) = x.as_chunks_mut::<WINDOW>();
    for x in xs {
        if let Some(lanes) = block.get(at..).and_then(|b| b.first_chunk::<WINDOW>()) {
            for (x, lane) in x.iter_mut().zip(lanes) {
                *x = f32::from_bits((*x * scale).to_bits() & lane);
            }
        }
        at += step;
        if at >= channels.get() {
            at -= channels.get();
        }
    }
    for (x, lane) in x_tail.iter_mut().zip(block.get(at..).unwrap_or(&[])) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
}

/// Marks the top of one outer iteration of a select loop whose body is a fixed number of
/// elements. It is opaque to the optimizer (an empty `black_box`), so the loop cannot be
/// vectorized across iterations; only its body is, a vector at a time. Without it, builds with
/// AVX2 or AVX-512 (`-C target-cpu=native`) vectorized such loops across iterations with
/// gathers and scatters, 5–20× slower than the SSE2 build (`docs/speed.md`).
#[inline(always)]
fn one_at_a_time() {
    core::hint::black_box(());
}

/// Periods [`select_periods`] takes at a time (one barrier per 4 · P elements: with one per
/// period, 3 channels at 16 KiB ran 7 % slower).
const PERIODS: usize = 4;

/// One period of [`select_periods`].
#[inline(always)]
fn select_one_period<const P: usize>(y: &mut [f32; P], x: &[f32; P], lanes: &[u32; P], scale: f32) {
    for ((y, x), lane) in y.iter_mut().zip(x).zip(lanes) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
}

/// One period of [`select_periods_in_place`].
#[inline(always)]
fn select_one_period_in_place<const P: usize>(x: &mut [f32; P], lanes: &[u32; P], scale: f32) {
    for (x, lane) in x.iter_mut().zip(lanes) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
}

/// [`Sink::scale`] out of place on a run that starts `head` elements before a 16-byte boundary.
#[inline(never)]
#[cold]
fn scale_off_boundary(y: &mut [f32], x: &[f32], scale: f32, head: usize) {
    let (Some((y_head, y)), Some((x_head, x))) =
        (y.split_at_mut_checked(head), x.split_at_checked(head))
    else {
        return;
    };
    for (y, x) in y_head.iter_mut().zip(x_head) {
        *y = x * scale;
    }
    for (y, x) in y.iter_mut().zip(x) {
        *y = x * scale;
    }
}

/// [`Sink::scale`] in place on a run that starts `head` elements before a 16-byte boundary.
#[inline(never)]
#[cold]
fn scale_in_place_off_boundary(x: &mut [f32], scale: f32, head: usize) {
    let Some((x_head, x)) = x.split_at_mut_checked(head) else {
        return;
    };
    for x in x_head {
        *x *= scale;
    }
    for x in x {
        *x *= scale;
    }
}

/// Elements of `run` before its first 16-byte boundary (0 to 3, and at most its length).
/// Samples of an odd number of elements (3 channels at 16 KiB: 1,023) start anywhere, and
/// one vector store in four of a loop that starts off a boundary is split across two cache
/// lines; with the loops started on one, the bench's 3-channel cases below 0.9 of the limit
/// went 39–44 → 15–16 of 240 (`docs/speed.md`).
#[inline(always)]
fn to_boundary(run: &[f32]) -> usize {
    (run.as_ptr().addr().wrapping_neg() % 16 / 4).min(run.len())
}

/// `lanes` from lane `by` (0 to 3) on, wrapping around: the lanes of a periodic run that starts
/// `by` elements later. Each rotation is fixed at compile time, a few vector shuffles.
#[inline(always)]
fn rotated<const P: usize>(lanes: &[u32; P], by: usize) -> [u32; P] {
    match by {
        1 => core::array::from_fn(|k| lanes[(k + 1) % P]),
        2 => core::array::from_fn(|k| lanes[(k + 2) % P]),
        3 => core::array::from_fn(|k| lanes[(k + 3) % P]),
        _ => *lanes,
    }
}

/// [`Sink::select_period`] out of place (not inlined, for the reason [`select_windows`] gives).
/// The stores start on a 16-byte boundary: the elements before it one at a time, then the
/// periods with their lanes [`rotated`]. (A run that starts on one takes the lanes as they are:
/// through the rotation's `match`, they were read from memory, and 8 and 64 channels at 16 KiB
/// took 2–6 % longer in a scratch timing.)
#[inline(never)]
fn select_periods<const P: usize>(y: &mut [f32], x: &[f32], lanes: &[u32; P], scale: f32) {
    let head = to_boundary(y);
    if head == 0 {
        periods_from_boundary(y, x, *lanes, scale);
    } else {
        select_periods_off_boundary(y, x, lanes, scale, head);
    }
}

/// [`select_periods`] on a run that starts `head` elements before a 16-byte boundary.
#[inline(never)]
#[cold]
fn select_periods_off_boundary<const P: usize>(
    y: &mut [f32],
    x: &[f32],
    lanes: &[u32; P],
    scale: f32,
    head: usize,
) {
    let (Some((y_head, y)), Some((x_head, x))) =
        (y.split_at_mut_checked(head), x.split_at_checked(head))
    else {
        return;
    };
    for ((y, x), lane) in y_head.iter_mut().zip(x_head).zip(lanes) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
    periods_from_boundary(y, x, rotated(lanes, head), scale);
}

/// The loop of [`select_periods`].
#[inline(always)]
fn periods_from_boundary<const P: usize>(y: &mut [f32], x: &[f32], lanes: [u32; P], scale: f32) {
    let ((ys, y_tail), (xs, x_tail)) = (y.as_chunks_mut::<P>(), x.as_chunks::<P>());
    let ((ys, y_rest), (xs, x_rest)) = (ys.as_chunks_mut::<PERIODS>(), xs.as_chunks::<PERIODS>());
    // Four periods written out, not as a loop of four: that loop, too, was vectorized across
    // its iterations with gathers.
    for ([y0, y1, y2, y3], [x0, x1, x2, x3]) in ys.iter_mut().zip(xs) {
        one_at_a_time();
        select_one_period(y0, x0, &lanes, scale);
        select_one_period(y1, x1, &lanes, scale);
        select_one_period(y2, x2, &lanes, scale);
        select_one_period(y3, x3, &lanes, scale);
    }
    for (y, x) in y_rest.iter_mut().zip(x_rest) {
        one_at_a_time();
        select_one_period(y, x, &lanes, scale);
    }
    let tail = y_tail.iter_mut().zip(x_tail);
    for ((y, x), lane) in tail.zip(&lanes) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
}

/// [`Sink::select_period`] in place, from a 16-byte boundary as out of place.
#[inline(never)]
fn select_periods_in_place<const P: usize>(x: &mut [f32], lanes: &[u32; P], scale: f32) {
    let head = to_boundary(x);
    if head == 0 {
        periods_in_place_from_boundary(x, *lanes, scale);
    } else {
        select_periods_in_place_off_boundary(x, lanes, scale, head);
    }
}

/// [`select_periods_in_place`] on a run that starts `head` elements before a 16-byte boundary.
#[inline(never)]
#[cold]
fn select_periods_in_place_off_boundary<const P: usize>(
    x: &mut [f32],
    lanes: &[u32; P],
    scale: f32,
    head: usize,
) {
    let Some((x_head, x)) = x.split_at_mut_checked(head) else {
        return;
    };
    for (x, lane) in x_head.iter_mut().zip(lanes) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
    periods_in_place_from_boundary(x, rotated(lanes, head), scale);
}

/// The loop of [`select_periods_in_place`].
#[inline(always)]
fn periods_in_place_from_boundary<const P: usize>(x: &mut [f32], lanes: [u32; P], scale: f32) {
    let (xs, x_tail) = x.as_chunks_mut::<P>();
    let (xs, x_rest) = xs.as_chunks_mut::<PERIODS>();
    for [x0, x1, x2, x3] in xs {
        one_at_a_time();
        select_one_period_in_place(x0, &lanes, scale);
        select_one_period_in_place(x1, &lanes, scale);
        select_one_period_in_place(x2, &lanes, scale);
        select_one_period_in_place(x3, &lanes, scale);
    }
    for x in x_rest {
        one_at_a_time();
        select_one_period_in_place(x, &lanes, scale);
    }
    for (x, lane) in x_tail.iter_mut().zip(&lanes) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
}

/// Quads of the aligned lane blocks: rows of up to 256 and up to `LANES` channels, with the
/// window repeated after them.
const SMALL_QUADS: usize = (256 + WINDOW) / 4;
const QUADS: usize = (LANES + WINDOW) / 4;

/// Four lanes, 16-byte aligned: SSE instructions take an aligned operand from memory, so a
/// select reads its lanes without a load instruction of their own (one fewer per four elements;
/// with unaligned lanes, the select of 512 channels in place ran at 0.85 of the scale loop).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C, align(16))]
pub(crate) struct Quad([u32; 4]);

/// Sixteen elements of [`select_windows_aligned`], element `i` with lane `i % 4` of quad `i / 4`.
#[inline(always)]
fn select_sixteen(y: &mut [f32; 16], x: &[f32; 16], lanes: &[Quad; 4], scale: f32) {
    for (i, (y, x)) in y.iter_mut().zip(x).enumerate() {
        *y = f32::from_bits((x * scale).to_bits() & lanes[i / 4].0[i % 4]);
    }
}

/// [`select_sixteen`] in place.
#[inline(always)]
fn select_sixteen_in_place(x: &mut [f32; 16], lanes: &[Quad; 4], scale: f32) {
    for (i, x) in x.iter_mut().enumerate() {
        *x = f32::from_bits((*x * scale).to_bits() & lanes[i / 4].0[i % 4]);
    }
}

/// [`Sink::select_window_aligned`] out of place.
#[inline(never)]
fn select_windows_aligned(
    y: &mut [f32],
    x: &[f32],
    block: &[Quad],
    quads: NonZero<usize>,
    scale: f32,
) {
    let (mut at, step) = (0, (WINDOW / 4) % quads);
    let ((ys, y_tail), (xs, x_tail)) = (y.as_chunks_mut::<WINDOW>(), x.as_chunks::<WINDOW>());
    for (y, x) in ys.iter_mut().zip(xs) {
        if let Some(lanes) = block
            .get(at..)
            .and_then(|b| b.first_chunk::<{ WINDOW / 4 }>())
        {
            // Four steps of sixteen elements, written out: as a loop of four, the loop
            // vectorizer made it one vector an iteration with the loop's own three
            // instructions on top (SSE2), or vectorized across the steps with gathers (AVX-512).
            one_at_a_time();
            let (ys, xs, lanes) = (y.as_chunks_mut().0, x.as_chunks().0, lanes.as_chunks().0);
            if let ([y0, y1, y2, y3], [x0, x1, x2, x3], [l0, l1, l2, l3]) = (ys, xs, lanes) {
                select_sixteen(y0, x0, l0, scale);
                select_sixteen(y1, x1, l1, scale);
                select_sixteen(y2, x2, l2, scale);
                select_sixteen(y3, x3, l3, scale);
            }
        }
        at += step;
        if at >= quads.get() {
            at -= quads.get();
        }
    }
    let lanes = block.get(at..).unwrap_or(&[]).iter().flat_map(|q| &q.0);
    let tail = y_tail.iter_mut().zip(x_tail);
    for ((y, x), lane) in tail.zip(lanes) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
}

/// Samples of up to this many elements with a row of a multiple of 32 channels take
/// [`select_blocked_in_place`]; larger ones take [`select_halves_in_place`] (512 channels in
/// place at 1 MiB, samples of 64 Ki elements: 0.86–0.89 of the limit blocked, 0.90–0.93 by
/// halves; at 128–512 KiB blocked stays ahead by 0.01–0.02).
const BLOCKED_SAMPLE: usize = 32 * 1024;

/// Positions [`select_blocked_in_place`] takes at a time (two: slower at every size).
const POSITIONS: usize = 4;

/// Whether a sample of `len` elements and `channels` channels takes [`select_blocked_in_place`]:
/// one of two or three positions has no block of four to take, and goes by halves (one of a
/// single position, by windows).
#[inline(always)]
fn takes_blocked(len: usize, channels: usize) -> bool {
    channels.is_multiple_of(32) && len <= BLOCKED_SAMPLE && len >= POSITIONS * channels
}

/// [`Sink::select_window_aligned`] in place for a sample of `channels` channels (a multiple of
/// 32) that fits the L2 cache: [`POSITIONS`] positions at a time, and for those, the row's
/// lanes 32 at a time in registers, so each lane is read once per four positions instead of
/// once per position (512 channels in place, 128 KiB–1 MiB: 0.86–0.88 of the limit -> 0.89–0.95).
/// Larger samples take [`select_halves_in_place`]: visiting four positions column by column
/// defeats the prefetcher (at 16 MiB, 0.88 -> 0.38). Out of place it was slower at every size
/// it was tried (128 KiB–1 MiB, 0.85–0.96 -> 0.78–0.83).
#[inline(never)]
fn select_blocked_in_place(x: &mut [f32], block: &[Quad], quads: NonZero<usize>, scale: f32) {
    let channels = 4 * quads.get();
    let row = block.get(..quads.get()).unwrap_or(&[]).as_chunks::<8>().0;
    // Spans by index, not `chunks_exact_mut`: its run-time chunk size is a panic path (a
    // division by zero) wherever the compiler does not inline it (the C API's no-panic proof).
    let span = POSITIONS * channels;
    let mut done = 0;
    while let Some(x) = x.get_mut(done..).and_then(|x| x.get_mut(..span))
        && span != 0
    {
        done += span;
        for (j, lanes) in row.iter().enumerate() {
            let lanes: [u32; 32] = core::array::from_fn(|i| lanes[i / 4].0[i % 4]);
            for k in 0..POSITIONS {
                one_at_a_time();
                let at = k * channels + 32 * j;
                if let Some(x) = x.get_mut(at..).and_then(|x| x.first_chunk_mut::<32>()) {
                    select_one_period_in_place(x, &lanes, scale);
                }
            }
        }
    }
    // The last positions (fewer than four) window by window: one element at a time, such
    // positions took as long as the rest of a 16 KiB call (512 channels, two positions a
    // sample, when those samples came here).
    select_windows_aligned_in_place(x.get_mut(done..).unwrap_or(&mut []), block, quads, scale);
}

/// Quads of a row [`select_halves_in_place`] selects between barriers (16 elements of each of
/// its two rows).
const HALVES_STEP: usize = 4;

/// Rows in each half of a sample of `rows` rows of `channels` channels: half of them, or one
/// fewer when that puts the two halves further from a multiple of 4 KiB apart. A store to row
/// `i` of the first half and the next load from row `i` of the second then differ in their low
/// twelve address bits, which the core compares first to tell whether a load depends on an
/// earlier store (512 channels in place, halves a multiple of 4 KiB apart against 2 KiB off:
/// 1 MiB 0.88–0.90 -> 0.90–0.93 of the limit, 2–8 MiB 0.91–0.94 -> 0.94–0.96; three
/// alternating filtered runs). The rows left over (at most three) go by windows.
#[inline(always)]
fn halves_split(rows: usize, channels: usize) -> usize {
    // Bytes between the halves, modulo 4 KiB, and how far that is from a multiple of 4 KiB.
    let apart = |r: usize| r.wrapping_mul(channels).wrapping_mul(4) % 4096;
    let distance = |o: usize| o.min(4096 - o);
    let half = rows / 2;
    if half > 1 && distance(apart(half - 1)) > distance(apart(half)) {
        half - 1
    } else {
        half
    }
}

/// [`Sink::select_window_aligned`] in place for a sample of two positions or more that does not
/// take [`select_blocked_in_place`]: its two halves at once, row `i` of the first half beside
/// row `i` of the second, so each lane quad is read once for two rows (five memory operations
/// per two vectors instead of six: the windows' select needs three a vector, and a core that
/// issues three a cycle then holds it at about 0.89 of the scale loop). Rows side by side
/// instead (positions `2i` and `2i + 1`, or four positions, as [`select_blocked_in_place`] does
/// in L2) defeat the prefetcher on larger samples; two streams half a sample apart do not.
/// Scratch timings of the loops alone, 512 channels: 1–8 MiB 0.89–0.91 of the scale loop ->
/// 0.92–0.95; in the bench, 2–16 MiB 0.87–0.88 of the limit -> 0.91–0.96. Out of place (two
/// rows read, two written) it was slower from 32 KiB to 1 MiB (0.85–0.91 -> 0.82–0.90), so
/// [`select_windows_aligned`] stays there.
#[inline(never)]
fn select_halves_in_place(x: &mut [f32], block: &[Quad], quads: NonZero<usize>, scale: f32) {
    let channels = 4 * quads.get();
    let row = block.get(..quads.get()).unwrap_or(&[]);
    // Rows per half, divided by the `NonZero` (by `channels`, a division-by-zero panic path).
    let half = halves_split(x.len() / 4 / quads, channels) * channels;
    let Some((a, rest)) = x.split_at_mut_checked(half) else {
        return;
    };
    let Some((b, rest)) = rest.split_at_mut_checked(half) else {
        return;
    };
    // Rows by index, not `chunks_exact_mut`: its run-time chunk size is a panic path.
    let mut done = 0;
    while let (Some(ra), Some(rb)) = (
        a.get_mut(done..).and_then(|a| a.get_mut(..channels)),
        b.get_mut(done..).and_then(|b| b.get_mut(..channels)),
    ) && channels != 0
    {
        done += channels;
        let (ra, ra_tail) = ra.as_chunks_mut::<{ 4 * HALVES_STEP }>();
        let (rb, rb_tail) = rb.as_chunks_mut::<{ 4 * HALVES_STEP }>();
        let (lanes, lanes_tail) = row.as_chunks::<HALVES_STEP>();
        for ((ra, rb), lanes) in ra.iter_mut().zip(rb.iter_mut()).zip(lanes) {
            one_at_a_time();
            let (ra, rb) = (ra.as_chunks_mut::<4>().0, rb.as_chunks_mut::<4>().0);
            for ((ra, rb), lane) in ra.iter_mut().zip(rb.iter_mut()).zip(lanes) {
                // A copy: read once, in a register, for both rows (as `&lane.0`, LLVM did
                // not vectorize the pair at all).
                let lane = lane.0;
                select_one_period_in_place(ra, &lane, scale);
                select_one_period_in_place(rb, &lane, scale);
            }
        }
        let (ra, rb) = (
            ra_tail.as_chunks_mut::<4>().0,
            rb_tail.as_chunks_mut::<4>().0,
        );
        for ((ra, rb), lane) in ra.iter_mut().zip(rb.iter_mut()).zip(lanes_tail) {
            let lane = lane.0;
            select_one_period_in_place(ra, &lane, scale);
            select_one_period_in_place(rb, &lane, scale);
        }
    }
    // The rows left over, if any.
    select_windows_aligned_in_place(rest, block, quads, scale);
}

/// [`Sink::select_window_aligned`] in place.
#[inline(never)]
fn select_windows_aligned_in_place(
    x: &mut [f32],
    block: &[Quad],
    quads: NonZero<usize>,
    scale: f32,
) {
    let (mut at, step) = (0, (WINDOW / 4) % quads);
    let (xs, x_tail) = x.as_chunks_mut::<WINDOW>();
    for x in xs {
        if let Some(lanes) = block
            .get(at..)
            .and_then(|b| b.first_chunk::<{ WINDOW / 4 }>())
        {
            if cfg!(target_feature = "avx512f") {
                // Four steps of sixteen elements, written out, as out of place.
                one_at_a_time();
                let (xs, lanes) = (x.as_chunks_mut().0, lanes.as_chunks().0);
                if let ([x0, x1, x2, x3], [l0, l1, l2, l3]) = (xs, lanes) {
                    select_sixteen_in_place(x0, l0, scale);
                    select_sixteen_in_place(x1, l1, scale);
                    select_sixteen_in_place(x2, l2, scale);
                    select_sixteen_in_place(x3, l3, scale);
                }
            } else {
                // Elsewhere a loop of four steps, each step's four loads before its stores:
                // written out as above, LLVM interleaved each load with the last store, and
                // 512 channels in place at 32 MiB ran at 0.63–0.74 of the limit instead of
                // 0.95–1.0.
                let groups = x.as_chunks_mut::<16>().0.iter_mut();
                for (x, lanes) in groups.zip(lanes.as_chunks::<4>().0) {
                    select_sixteen_in_place(x, lanes, scale);
                }
            }
        }
        at += step;
        if at >= quads.get() {
            at -= quads.get();
        }
    }
    let lanes = block.get(at..).unwrap_or(&[]).iter().flat_map(|q| &q.0);
    for (x, lane) in x_tail.iter_mut().zip(lanes) {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
}

/// Elements [`masked_maps`] takes at a time (or one map, if longer): a body this large is left to
/// the SLP vectorizer, which masks each group of four with its lanes broadcast or shuffled. With
/// one map of 4 or 8 elements per iteration, the loop vectorizer vectorized across maps instead
/// (four maps' elements gathered and transposed), twice as slow; so it does, in some builds
/// and not others, unless the group's index is opaque to it (`black_box`, one spill a group).
const GROUP: usize = 16;

/// The draws ahead due before each group of [`masked_groups`]: 32 maps' worth spread evenly over
/// the groups of 32 maps of `L < 16` elements that stay in groups (maps of 1 and 2, and of 4
/// and 8 where [`takes_four_maps`] says no). Maps of 16 and those of 4 and 8 that it takes
/// draw four at a time in [`masked_by_four_maps`]; the walk asks for no draws ahead of maps of
/// 32 or 64 elements (slower, `docs/speed.md`).
#[inline(always)]
fn draw_ahead<const L: usize, D: Decisions>(ahead: &mut Ahead, source: &mut D) {
    if L <= GROUP {
        ahead.draw(source, GROUP / L);
    }
}

/// [`Sink::maps`] out of place for maps of `L` elements (1, 2, 4, 8 or 16), `lanes[m]` the lane
/// of map `m`, with no loop per map: [`GROUP`] elements at a time, each element's lane at a
/// constant index. Returns `false`, having written nothing, if the lengths are not whole groups
/// (the tensor's last maps).
#[inline(never)]
fn masked_maps<const L: usize, D: Decisions>(
    y: &mut [f32],
    x: &[f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    next: usize,
) -> Option<u32> {
    if x.len() != y.len() || !y.len().is_multiple_of(GROUP) || !y.len().is_multiple_of(L) {
        return None;
    }
    let mut ahead = Ahead::new(next);
    match source.fork() {
        Some(mut local) if next > 0 => {
            masked_groups::<L, D>(y, x, lanes, scale, &mut local, &mut ahead);
            *source = local;
        }
        _ if L >= 8 => masked_by_map::<L>(y, x, lanes, scale),
        _ => masked_groups::<L, _>(y, x, lanes, scale, &mut NoDecisions, &mut Ahead::new(0)),
    }
    Some(ahead.finish(source))
}

/// [`masked_maps`] for maps of 8 or more elements with no draws between the writes: a map at
/// a time, its lane read once, and the map's elements one plain vectorized loop (behind
/// [`one_at_a_time`]: AVX-512 builds vectorized across maps with gathers). In groups of 16
/// elements (each group's lane at an index computed from an opaque group number) they were
/// slower: filtered bench runs, 64 channels at 32–64 KiB 0.78–0.88 of the limit → 0.91–0.98 a
/// map at a time, 512 channels at 256–512 KiB 0.79–0.86 → 0.89–0.98 (`docs/speed.md`). Maps of
/// 4 elements keep the groups: a map at a time was slower (scratch timing). Nothing is drawn
/// here; drawing ahead, maps go four at a time ([`masked_by_four_maps`]).
#[inline(always)]
fn masked_by_map<const L: usize>(y: &mut [f32], x: &[f32], lanes: &[u32; 32], scale: f32) {
    let maps = y
        .as_chunks_mut::<L>()
        .0
        .iter_mut()
        .zip(x.as_chunks::<L>().0);
    for (m, (y, x)) in maps.enumerate() {
        one_at_a_time();
        masked_map(y, x, lanes[m % 32], scale);
    }
}

/// One map of `L` elements with its lane: `y = bits(x · scale) & lane`.
#[inline(always)]
fn masked_map<const L: usize>(y: &mut [f32; L], x: &[f32; L], lane: u32, scale: f32) {
    for (y, x) in y.iter_mut().zip(x) {
        *y = f32::from_bits((x * scale).to_bits() & lane);
    }
}

/// [`masked_map`] in place.
#[inline(always)]
fn masked_map_in_place<const L: usize>(x: &mut [f32; L], lane: u32, scale: f32) {
    for x in x.iter_mut() {
        *x = f32::from_bits((*x * scale).to_bits() & lane);
    }
}

/// [`masked_by_map`] drawing ahead (maps of 4, 8 or 16 elements with a source that forks: the
/// XorShift scheme), four maps per barrier, written out, and their four decisions drawn
/// before them: the generator's four words of state then stay in the same registers from one
/// step to the next, where a map at a time moved them round once a draw. 512 channels
/// channels_first, XorShift masks, three alternating filtered runs: 64 KiB 0.84–0.89 → 0.97–1.00
/// of the limit, 128 KiB 0.92 → 1.06–1.07; 64 channels at 16 KiB 0.80–0.90 → 0.93–1.02; maps
/// of 4 (32 KiB), which went in groups of 16 elements, 0.88–0.90 → 0.89–1.00 (`docs/speed.md`).
/// The last maps, fewer than four, go a map at a time (maps of 8 and 16 only: [`masked_maps`]
/// takes whole groups of 16 elements, so maps of 4 come in fours).
#[inline(always)]
fn masked_by_four_maps<const L: usize, D: Decisions>(
    y: &mut [f32],
    x: &[f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    ahead: &mut Ahead,
) {
    let (y_maps, x_maps) = (y.as_chunks_mut::<L>().0, x.as_chunks::<L>().0);
    let (y_fours, y_rest) = y_maps.as_chunks_mut::<4>();
    let (x_fours, x_rest) = x_maps.as_chunks::<4>();
    for (m, ([y0, y1, y2, y3], [x0, x1, x2, x3])) in y_fours.iter_mut().zip(x_fours).enumerate() {
        one_at_a_time();
        ahead.draw(source, 4);
        let m = 4 * m;
        masked_map(y0, x0, lanes[m % 32], scale);
        masked_map(y1, x1, lanes[(m + 1) % 32], scale);
        masked_map(y2, x2, lanes[(m + 2) % 32], scale);
        masked_map(y3, x3, lanes[(m + 3) % 32], scale);
    }
    let first = 4 * y_fours.len();
    for (m, (y, x)) in y_rest.iter_mut().zip(x_rest).enumerate() {
        one_at_a_time();
        ahead.draw(source, 1);
        masked_map(y, x, lanes[(first + m) % 32], scale);
    }
}

/// [`masked_by_four_maps`] in place.
#[inline(always)]
fn masked_by_four_maps_in_place<const L: usize, D: Decisions>(
    x: &mut [f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    ahead: &mut Ahead,
) {
    let (fours, rest) = x.as_chunks_mut::<L>().0.as_chunks_mut::<4>();
    for (m, [x0, x1, x2, x3]) in fours.iter_mut().enumerate() {
        one_at_a_time();
        ahead.draw(source, 4);
        let m = 4 * m;
        masked_map_in_place(x0, lanes[m % 32], scale);
        masked_map_in_place(x1, lanes[(m + 1) % 32], scale);
        masked_map_in_place(x2, lanes[(m + 2) % 32], scale);
        masked_map_in_place(x3, lanes[(m + 3) % 32], scale);
    }
    let first = 4 * fours.len();
    for (m, x) in rest.iter_mut().enumerate() {
        one_at_a_time();
        ahead.draw(source, 1);
        masked_map_in_place(x, lanes[(first + m) % 32], scale);
    }
}

/// Whether maps of `len` elements (below [`GROUP`]) drawing ahead take
/// [`masked_by_four_maps`] rather than the groups: maps of 8 in builds without AVX2 (in AVX2
/// builds a map at a time took 1.9–2.2× the groups' time, 512 channels at 64 KiB, x86-64-v3 and
/// AVX-512 builds, `docs/speed.md`), and maps of 4 in x86-64 builds without AVX2, the one
/// build they were measured in.
#[inline(always)]
const fn takes_four_maps(len: usize) -> bool {
    !cfg!(target_feature = "avx2") && (len == 8 || (len == 4 && cfg!(target_arch = "x86_64")))
}

/// The loop of [`masked_maps`], drawing ahead from `source`.
#[inline(always)]
fn masked_groups<const L: usize, D: Decisions>(
    y: &mut [f32],
    x: &[f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    ahead: &mut Ahead,
) {
    // Maps of 16 elements, and of 4 or 8 where `takes_four_maps` says so, four maps at a time
    // (`masked_by_four_maps`), their next decisions drawn before them (less time than the
    // groups).
    if L == GROUP || takes_four_maps(L) {
        return masked_by_four_maps::<L, D>(y, x, lanes, scale, source, ahead);
    }
    let groups = y
        .as_chunks_mut::<GROUP>()
        .0
        .iter_mut()
        .zip(x.as_chunks::<GROUP>().0);
    for (k, (y, x)) in groups.enumerate() {
        draw_ahead::<L, D>(ahead, source);
        let k = core::hint::black_box(k);
        for (j, (y, x)) in y.iter_mut().zip(x).enumerate() {
            let lane = lanes[((GROUP * k + j) / L) % 32];
            *y = f32::from_bits((x * scale).to_bits() & lane);
        }
    }
}

/// [`masked_maps`] in place.
#[inline(never)]
fn masked_maps_in_place<const L: usize, D: Decisions>(
    x: &mut [f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    next: usize,
) -> Option<u32> {
    if !x.len().is_multiple_of(GROUP) || !x.len().is_multiple_of(L) {
        return None;
    }
    let mut ahead = Ahead::new(next);
    match source.fork() {
        Some(mut local) if next > 0 => {
            masked_groups_in_place::<L, D>(x, lanes, scale, &mut local, &mut ahead);
            *source = local;
        }
        _ if L >= 8 => masked_by_map_in_place::<L>(x, lanes, scale),
        _ => masked_groups_in_place::<L, _>(x, lanes, scale, &mut NoDecisions, &mut Ahead::new(0)),
    }
    Some(ahead.finish(source))
}

/// [`masked_by_map`] in place.
#[inline(always)]
fn masked_by_map_in_place<const L: usize>(x: &mut [f32], lanes: &[u32; 32], scale: f32) {
    for (m, x) in x.as_chunks_mut::<L>().0.iter_mut().enumerate() {
        one_at_a_time();
        masked_map_in_place(x, lanes[m % 32], scale);
    }
}

/// The loop of [`masked_maps_in_place`].
#[inline(always)]
fn masked_groups_in_place<const L: usize, D: Decisions>(
    x: &mut [f32],
    lanes: &[u32; 32],
    scale: f32,
    source: &mut D,
    ahead: &mut Ahead,
) {
    // As out of place.
    if L == GROUP || takes_four_maps(L) {
        return masked_by_four_maps_in_place::<L, D>(x, lanes, scale, source, ahead);
    }
    for (k, x) in x.as_chunks_mut::<GROUP>().0.iter_mut().enumerate() {
        draw_ahead::<L, D>(ahead, source);
        let k = core::hint::black_box(k);
        for (j, x) in x.iter_mut().enumerate() {
            let lane = lanes[((GROUP * k + j) / L) % 32];
            *x = f32::from_bits((*x * scale).to_bits() & lane);
        }
    }
}

struct InPlace<'a> {
    data: &'a mut [f32],
    scale: f32,
}

impl InPlace<'_> {
    #[inline]
    fn run(&mut self, start: usize, len: usize) -> Option<&mut [f32]> {
        self.data.get_mut(start..)?.get_mut(..len)
    }
}

impl Sink for InPlace<'_> {
    fn scale(&mut self, start: usize, len: usize) {
        let scale = self.scale;
        if let Some(x) = self.run(start, len) {
            if UNROLL {
                let mut xs = x.chunks_exact_mut(4);
                for x in &mut xs {
                    if let Ok(x) = <&mut [f32; 4]>::try_from(x) {
                        let [a, b, c, d] = *x;
                        *x = [a * scale, b * scale, c * scale, d * scale];
                    }
                }
                for x in xs.into_remainder() {
                    *x *= scale;
                }
            } else {
                let head = if PROFILE.align_runs {
                    to_boundary(x)
                } else {
                    0
                };
                if head == 0 {
                    for x in x {
                        *x *= scale;
                    }
                } else {
                    scale_in_place_off_boundary(x, scale, head);
                }
            }
        }
    }

    fn zero(&mut self, start: usize, len: usize) {
        if let Some(x) = self.run(start, len) {
            x.fill(0.0);
        }
    }

    fn select(&mut self, start: usize, lanes: &[u32]) {
        let scale = self.scale;
        if let Some(x) = self.run(start, lanes.len()) {
            for (x, lane) in x.iter_mut().zip(lanes) {
                *x = f32::from_bits((*x * scale).to_bits() & lane);
            }
        }
    }

    fn select_period<const P: usize>(&mut self, start: usize, len: usize, lanes: &[u32; P]) {
        let scale = self.scale;
        if let Some(x) = self.run(start, len) {
            select_periods_in_place(x, lanes, scale);
        }
    }

    fn select_window(&mut self, start: usize, len: usize, block: &[u32], channels: NonZero<usize>) {
        let scale = self.scale;
        if let Some(x) = self.run(start, len) {
            select_windows_in_place(x, block, channels, scale);
        }
    }

    fn select_window_aligned(
        &mut self,
        start: usize,
        len: usize,
        block: &[Quad],
        quads: NonZero<usize>,
    ) {
        let scale = self.scale;
        if let Some(x) = self.run(start, len) {
            if takes_blocked(len, 4 * quads.get()) {
                select_blocked_in_place(x, block, quads, scale);
                return;
            }
            if PROFILE.windows && len >= 2 * 4 * quads.get() {
                select_halves_in_place(x, block, quads, scale);
                return;
            }
            select_windows_aligned_in_place(x, block, quads, scale);
        }
    }

    fn maps(&mut self, start: usize, map_len: usize, word: u32, count: usize) {
        if is_short(map_len) {
            if self
                .fixed_maps(start, map_len, word, count, &mut NoDecisions, 0)
                .is_some()
            {
                return;
            }
            let scale = self.scale;
            if let (Some(x), Some(map_len)) =
                (self.run(start, count * map_len), NonZero::new(map_len))
            {
                let lanes = lanes_of(word);
                // By index, as out of place.
                let map_len = map_len.get();
                for (m, &lane) in lanes.iter().enumerate().take(count) {
                    if let Some(x) = x.get_mut(m * map_len..).and_then(|x| x.get_mut(..map_len)) {
                        for x in x {
                            *x = f32::from_bits((*x * scale).to_bits() & lane);
                        }
                    }
                }
            }
            return;
        }
        maps_by_runs(self, start, map_len, word, count);
    }

    fn masked<const L: usize, D: Decisions>(
        &mut self,
        (start, count): (usize, usize),
        lanes: &[u32; 32],
        source: &mut D,
        next: usize,
    ) -> Option<u32> {
        let scale = self.scale;
        let x = self.run(start, count * L)?;
        masked_maps_in_place::<L, D>(x, lanes, scale, source, next)
    }
}

/// Elements a mixed channels_last sample is selected in at a time (`Sink::select_window`).
const WINDOW: usize = 64;

/// Merges consecutive elements with the same decision into one run, so that a run of kept
/// maps is one scale loop and a run of dropped maps one fill, however short each map is.
struct Runs<'s, K: Sink + ?Sized> {
    sink: &'s mut K,
    /// First element of the pending run.
    start: usize,
    /// Elements in the pending run (0: none pending).
    len: usize,
    kept: bool,
}

impl<'s, K: Sink + ?Sized> Runs<'s, K> {
    fn new(sink: &'s mut K) -> Self {
        Runs {
            sink,
            start: 0,
            len: 0,
            kept: false,
        }
    }

    /// Appends `len` elements with decision `kept`.
    #[inline]
    fn push(&mut self, kept: bool, len: usize) {
        if kept != self.kept {
            self.flush();
            self.kept = kept;
        }
        self.len += len;
    }

    /// Writes the pending run; `start` then points just past it.
    fn flush(&mut self) {
        if self.len != 0 {
            if self.kept {
                self.sink.scale(self.start, self.len);
            } else {
                self.sink.zero(self.start, self.len);
            }
            self.start += self.len;
            self.len = 0;
        }
    }
}

/// Fills `row` with the lanes of the next `row.len()` decisions; returns whether any map is
/// kept and whether all are.
#[inline(always)]
fn draw_row<D: Decisions>(row: &mut [u32], source: &mut D) -> (bool, bool) {
    let (mut any_kept, mut all_kept) = (false, true);
    for chunk in row.chunks_mut(32) {
        let word = source.word(chunk.len());
        any_kept |= word != 0;
        all_kept &= word == low_bits(chunk.len());
        if let (true, Ok(chunk)) = (PROFILE.windows, <&mut [u32; 32]>::try_from(&mut *chunk)) {
            *chunk = bit_lanes(word);
            continue;
        }
        for (bit, slot) in chunk.iter_mut().enumerate() {
            *slot = lane(word, bit);
        }
    }
    (any_kept, all_kept)
}

/// Walks the tensor in map order, taking one decision per map from `source`, and hands runs of
/// elements to `sink`. The walks take both as trait objects so that the firmware holds one
/// copy of each, whatever generator or mask feeds it; only the repeated-row walk is generic over
/// the sink, so that `select_period` stays out of the `Sink` vtable (and out of builds whose
/// profile never calls it).
fn walk<K: Sink, D: Decisions>(layout: Layout, source: &mut D, sink: &mut K) {
    match layout.format {
        // Hosts, maps of 1, 2, 4, …, 64 elements: the next maps drawn between the writes.
        DataFormat::ChannelsFirst if PROFILE.inline_sources && is_fixed(layout.map_len) => {
            walk_channels_first_ahead(layout, source, sink)
        }
        DataFormat::ChannelsFirst => walk_channels_first(layout, source, sink),
        // 1, 2, 4, …, 32 channels: the lanes repeat every 32 elements, no lane block needed.
        DataFormat::ChannelsLast
            if PROFILE.repeat_rows
                && layout.channels.is_power_of_two()
                && layout.channels <= 32 =>
        {
            walk_channels_last_short_rows(layout, source, sink)
        }
        // Hosts, samples of at most `DIRECT_ROWS` positions with 256 channels or more: each
        // word of lanes straight onto the rows, no lane block.
        DataFormat::ChannelsLast
            if PROFILE.windows
                && layout.channels >= DIRECT_CHANNELS
                && layout.map_len <= DIRECT_ROWS =>
        {
            walk_channels_last_direct(layout, source, sink)
        }
        // Hosts, rows of 68, 72, … channels: windows of lanes aligned for the select to read
        // them as operands. Small tensors only with rows of 256 channels or more: with fewer,
        // building the aligned block per sample cost about what it saved (128 channels) or more
        // (100 channels at 8 KB, 13–16 % slower in a scratch timing).
        DataFormat::ChannelsLast
            if PROFILE.windows
                && layout.channels.is_multiple_of(4)
                && layout.channels > 64
                && (layout.channels >= 256 || !takes_small_lanes(layout.len)) =>
        {
            if layout.channels + WINDOW <= 4 * SMALL_QUADS {
                walk_channels_last_aligned::<SMALL_QUADS, K, D>(layout, source, sink)
            } else if layout.channels + WINDOW <= 4 * QUADS {
                walk_channels_last_aligned::<QUADS, K, D>(layout, source, sink)
            } else {
                walk_channels_last::<LANES, D>(layout, source, sink)
            }
        }
        // Hosts, rows that repeat within 24–64 elements: the lanes of one period only.
        DataFormat::ChannelsLast if PROFILE.windows && period_of(layout.channels).is_some() => {
            match period_of(layout.channels) {
                Some(24) => walk_channels_last_periods::<24, K, D>(layout, source, sink),
                Some(28) => walk_channels_last_periods::<28, K, D>(layout, source, sink),
                Some(32) => walk_channels_last_periods::<32, K, D>(layout, source, sink),
                Some(36) => walk_channels_last_periods::<36, K, D>(layout, source, sink),
                Some(40) => walk_channels_last_periods::<40, K, D>(layout, source, sink),
                Some(44) => walk_channels_last_periods::<44, K, D>(layout, source, sink),
                Some(48) => walk_channels_last_periods::<48, K, D>(layout, source, sink),
                _ => walk_channels_last_periods::<64, K, D>(layout, source, sink),
            }
        }
        // Hosts: mixed samples go a fixed-size window at a time. The lanes are zeroed on every
        // call: a small block keeps that cheap for small tensors and few channels.
        DataFormat::ChannelsLast
            if PROFILE.windows
                && layout.channels + WINDOW <= SMALL_LANES
                && takes_small_lanes(layout.len) =>
        {
            walk_channels_last_windows::<SMALL_LANES, K, D>(layout, source, sink)
        }
        DataFormat::ChannelsLast if PROFILE.windows && layout.channels + WINDOW <= LANES => {
            walk_channels_last_windows::<LANES, K, D>(layout, source, sink)
        }
        // The lanes are zeroed on every call: a small block keeps that cheap for small tensors.
        // On bare metal both blocks are one size: one walk, and one lane block on the stack.
        DataFormat::ChannelsLast if takes_small_lanes(layout.len) => {
            walk_channels_last::<SMALL_LANES, D>(layout, source, sink)
        }
        DataFormat::ChannelsLast => walk_channels_last::<LANES, D>(layout, source, sink),
    }
}

/// Each map is one contiguous run: 32 maps per call into the sink, which merges consecutive
/// maps with the same decision into one scale loop or one fill.
fn walk_channels_first<D: Decisions>(layout: Layout, source: &mut D, sink: &mut dyn Sink) {
    let mut maps = layout.batch.saturating_mul(layout.channels);
    let mut start = 0;
    while maps != 0 {
        let count = maps.min(32);
        sink.maps(start, layout.map_len, source.word(count), count);
        // At most the tensor's length.
        start += count * layout.map_len;
        maps -= count;
    }
}

/// [`walk_channels_first`] on hosts for maps of 1, 2, 4, …, 64 elements: the next 32 maps'
/// decisions are drawn while the current 32 maps are written ([`Sink::fixed_maps`]); a last
/// group that is not whole groups of 16 elements goes through [`Sink::maps`].
fn walk_channels_first_ahead<K: Sink, D: Decisions>(layout: Layout, source: &mut D, sink: &mut K) {
    let mut maps = layout.batch.saturating_mul(layout.channels);
    let mut start = 0;
    let mut word = source.word(maps.min(32));
    while maps != 0 {
        let count = maps.min(32);
        let next = (maps - count).min(32);
        // Maps of 32 or 64 elements take more time to write than their draws: there, drawing
        // ahead a map every few groups measured slower (0.83 -> 0.74 of the limit in place).
        let ahead = if layout.map_len <= GROUP { next } else { 0 };
        word = match sink.fixed_maps(start, layout.map_len, word, count, source, ahead) {
            Some(word) if ahead == next => word,
            Some(_) => source.word(next),
            None => {
                sink.maps(start, layout.map_len, word, count);
                source.word(next)
            }
        };
        // At most the tensor's length.
        start += count * layout.map_len;
        maps -= count;
    }
}

/// channels_last with 1, 2, 4, …, 32 channels (native hosts): the row of a mixed sample is repeated
/// into one 32-lane pattern and the sample is one `select_period`; samples that are all kept or
/// all dropped join the runs of their neighbours. Nothing is zeroed or copied per call, which
/// is most of what a tiny tensor's call costs besides its elements.
fn walk_channels_last_short_rows<K: Sink, D: Decisions>(
    layout: Layout,
    source: &mut D,
    sink: &mut K,
) {
    let channels = layout.channels;
    // At most the tensor's length.
    let sample_len = layout.map_len * channels;
    let all = low_bits(channels);
    let mut runs = Runs::new(sink);
    for _ in 0..layout.batch {
        let word = source.word(channels);
        if word == 0 || word == all {
            runs.push(word == all, sample_len);
            continue;
        }
        runs.flush();
        let (mut pattern, mut width) = (word, channels);
        while width < 32 {
            pattern |= pattern << width;
            width *= 2;
        }
        let row = bit_lanes(pattern);
        runs.sink.select_period(runs.start, sample_len, &row);
        runs.start += sample_len;
    }
    runs.flush();
}

/// Repeats the row of `channels` lanes at the start of `lanes` until the first `block` lanes
/// hold it (a whole number of times, or cut short at `block`).
#[inline(always)]
fn repeat_row(lanes: &mut [u32], channels: usize, block: usize) {
    let mut have = channels;
    if PROFILE.lane_by_lane {
        // One lane at a time: the doubling's copies would link `memcpy`.
        for k in have..block {
            if let Some(&lane) = lanes.get(k - channels)
                && let Some(slot) = lanes.get_mut(k)
            {
                *slot = lane;
            }
        }
        have = block;
    }
    while have < block {
        let n = have.min(block - have);
        if let Some((head, tail)) = lanes.split_at_mut_checked(have)
            && let (Some(to), Some(from)) = (tail.get_mut(..n), head.get(..n))
        {
            to.copy_from_slice(from);
        }
        have += n;
    }
}

/// channels_last on hosts, up to `N − WINDOW` channels: a sample whose maps are all kept or all
/// dropped is one contiguous run (merged with its neighbours); a mixed one is one
/// `select_window` through its row of lanes repeated to `channels + WINDOW` lanes, a block built
/// once per sample and small enough to stay in L1 whatever the sample's size.
fn walk_channels_last_windows<const N: usize, K: Sink, D: Decisions>(
    layout: Layout,
    source: &mut D,
    sink: &mut K,
) {
    let Some(channels) = NonZero::new(layout.channels) else {
        return;
    };
    // At most the tensor's length.
    let sample_len = layout.map_len * channels.get();
    let block = (channels.get() + WINDOW).min(N);
    let mut lanes = [0u32; N];
    let mut runs = Runs::new(sink);
    for _ in 0..layout.batch {
        let row = lanes.get_mut(..channels.get()).unwrap_or(&mut []);
        let (any_kept, all_kept) = draw_row(row, source);
        if all_kept || !any_kept {
            runs.push(all_kept, sample_len);
            continue;
        }
        runs.flush();
        repeat_row(&mut lanes, channels.get(), block);
        let block = lanes.get(..block).unwrap_or(&[]);
        let (sink, start) = (&mut *runs.sink, runs.start);
        // Rows that repeat within 24–64 elements took `walk_channels_last_periods`.
        sink.select_window(start, sample_len, block, channels);
        runs.start += sample_len;
    }
    runs.flush();
}

/// The period [`walk_channels_last_periods`] takes for rows of `channels` lanes: the first of
/// 24, 32, 40, 48, 28, 36, 44 and 64 that is a multiple of `channels`, if any.
fn period_of(channels: usize) -> Option<usize> {
    const PERIODS_TRIED: [usize; 8] = [24, 32, 40, 48, 28, 36, 44, 64];
    PERIODS_TRIED
        .into_iter()
        .find(|&p| channels != 0 && p.is_multiple_of(channels))
}

/// channels_last on hosts for rows that repeat within `P` elements (`P` a multiple of the channel
/// count, [`period_of`]): each mixed sample's row becomes `P` lanes in registers and the sample
/// is one `select_period`. Through the windows' block of
/// `channels + WINDOW` lanes, the repetition went through `memcpy` calls and the block was zeroed
/// on every call (3 channels at 16 KiB out of place: a fifth of the call).
fn walk_channels_last_periods<const P: usize, K: Sink, D: Decisions>(
    layout: Layout,
    source: &mut D,
    sink: &mut K,
) {
    let channels = layout.channels;
    // At most the tensor's length.
    let sample_len = layout.map_len * channels;
    // Rows of up to 32 channels: lane `k` tests bit `k mod channels` of the row's word, so the
    // period's lanes come from one word in vector steps. Written lane by lane (the row, then its
    // repeats), they were read back as vectors before the writes had reached the cache, a
    // store-forwarding stall per sample. A row of 36–64 channels is its own period, drawn as is.
    let mut bits = [0u32; P];
    if channels <= 32 {
        let mut c = 0;
        for bit in &mut bits {
            *bit = 1 << c;
            c += 1;
            if c == channels {
                c = 0;
            }
        }
    }
    let all = low_bits(channels);
    let mut lanes = [0u32; P];
    let mut runs = Runs::new(sink);
    for _ in 0..layout.batch {
        let (any_kept, all_kept) = if channels > 32 {
            draw_row(lanes.get_mut(..channels).unwrap_or(&mut []), source)
        } else {
            let word = source.word(channels);
            if word != 0 && word != all {
                lanes = core::array::from_fn(|k| lane_of_bit(word, bits[k]));
            }
            (word != 0, word == all)
        };
        if all_kept || !any_kept {
            runs.push(all_kept, sample_len);
            continue;
        }
        runs.flush();
        runs.sink.select_period(runs.start, sample_len, &lanes);
        runs.start += sample_len;
    }
    runs.flush();
}

/// channels_last on hosts for 68, 72, …, `LANES − WINDOW` channels (a multiple of four, too
/// many to keep a row in registers): [`walk_channels_last_windows`] with the lanes drawn
/// straight into a block of `Q` aligned [`Quad`]s (zeroed once a call: a small one for up to
/// 256 channels).
fn walk_channels_last_aligned<const Q: usize, K: Sink, D: Decisions>(
    layout: Layout,
    source: &mut D,
    sink: &mut K,
) {
    let channels = layout.channels;
    let Some(quads) = NonZero::new(channels / 4) else {
        return;
    };
    // At most the tensor's length.
    let sample_len = layout.map_len * channels;
    let mut block = [Quad::default(); Q];
    let mut runs = Runs::new(sink);
    for _ in 0..layout.batch {
        let row = block.get_mut(..quads.get()).unwrap_or(&mut []);
        let (any_kept, all_kept) = draw_quads(row, source);
        if all_kept || !any_kept {
            runs.push(all_kept, sample_len);
            continue;
        }
        runs.flush();
        // The row, then its first WINDOW lanes again.
        let end = quads.get() + WINDOW / 4;
        if end <= Q {
            block.copy_within(..WINDOW / 4, quads.get());
        }
        let block = block.get(..end).unwrap_or(&[]);
        runs.sink
            .select_window_aligned(runs.start, sample_len, block, quads);
        runs.start += sample_len;
    }
    runs.flush();
}

/// Fewest channels of [`walk_channels_last_direct`]: rows from 256 channels take it.
const DIRECT_CHANNELS: usize = 256;
/// Most positions of a sample [`walk_channels_last_direct`] takes: four.
const DIRECT_ROWS: usize = 4;

/// channels_last on hosts, samples of one to [`DIRECT_ROWS`] positions and at least
/// [`DIRECT_CHANNELS`] channels: each word of 32 decisions is turned into 32 lanes on the stack
/// and applied to the same 32 channels of every row of the sample at once, with no lane block
/// to zero, fill and read back. With so few rows, building the block cost more than the rows'
/// select: 512 channels at 16 KiB (two positions) and 32 KiB (four), four alternating filtered
/// bench runs, Keras masks 0.84–0.90 → 0.88–0.92 of the limit, XorShift 0.84–0.90 → 0.95–1.10
/// (`docs/speed.md`). From eight positions up, the rows' scattered pieces cost more than the
/// block saves (out of place, 128 KiB: 0.88 → 0.72–0.77). The sample's words drawn first and
/// then applied were slower with XorShift (0.99 → 0.84 out of place at 16 KiB: its scalar draws
/// overlap the writes) and mixed with Keras (in place +0.02, out of place at 32 KiB −0.03).
fn walk_channels_last_direct<K: Sink, D: Decisions>(layout: Layout, source: &mut D, sink: &mut K) {
    let channels = layout.channels;
    // At most the tensor's length, like every start below.
    let sample_len = layout.map_len * channels;
    let whole = channels - channels % 32;
    let mut start = 0;
    for _ in 0..layout.batch {
        // Whole words with a constant count and 32 lanes of known length: each row's select
        // is 32 elements written out, with no loop bookkeeping.
        for first in (0..whole).step_by(32) {
            let lanes = lanes_of(source.word(32));
            for row in 0..layout.map_len {
                sink.select(start + row * channels + first, &lanes);
            }
        }
        if whole < channels {
            let count = channels - whole;
            let lanes = lanes_of(source.word(count));
            let lanes = lanes.get(..count).unwrap_or(&[]);
            for row in 0..layout.map_len {
                sink.select(start + row * channels + whole, lanes);
            }
        }
        start += sample_len;
    }
}

/// [`draw_row`] into quads of lanes: four channels each.
#[inline(always)]
fn draw_quads<D: Decisions>(row: &mut [Quad], source: &mut D) -> (bool, bool) {
    let (mut any_kept, mut all_kept) = (false, true);
    let bits = core::hint::black_box(&BITS).as_chunks::<4>().0;
    for chunk in row.chunks_mut(8) {
        let count = chunk.len() * 4;
        let word = source.word(count);
        any_kept |= word != 0;
        all_kept &= word == low_bits(count);
        // Each quad's lanes straight into the block ([`bit_lanes`] four at a time): through a
        // block of 32 lanes on the stack, they were written twice and read back once.
        for (quad, bits) in chunk.iter_mut().zip(bits) {
            quad.0 = bits.map(|bit| lane_of_bit(word, bit));
        }
    }
    (any_kept, all_kept)
}

/// The channels of one position are contiguous, so a sample is a repetition of one row of
/// channel lanes. A sample whose maps are all kept or all dropped is one contiguous run (and
/// merges with its neighbours); a mixed one is a select through the repeated row.
fn walk_channels_last<const LANES: usize, D: Decisions>(
    layout: Layout,
    source: &mut D,
    sink: &mut dyn Sink,
) {
    let channels = layout.channels;
    if channels == 0 {
        return;
    }
    // At most the tensor's length.
    let sample_len = layout.map_len * channels;
    let mut lanes = [0u32; LANES];
    let mut runs = Runs::new(sink);
    if channels <= LANES {
        for _ in 0..layout.batch {
            let row = lanes.get_mut(..channels).unwrap_or(&mut []);
            let (any_kept, all_kept) = draw_row(row, source);
            if all_kept || !any_kept {
                runs.push(all_kept, sample_len);
                continue;
            }
            runs.flush();
            // Repeat the row, doubling, to fill a block of whole rows no longer than the sample.
            // (1, 2, 4, …, 32 channels divide every block: no division. Native hosts send those
            // channel counts to `walk_channels_last_short_rows`; bare metal and wasm come here.)
            let divides_32 = channels.is_power_of_two() && channels <= 32;
            let whole_rows = if divides_32 {
                LANES
            } else {
                LANES - LANES % channels
            };
            let block = whole_rows.min(sample_len);
            repeat_row(&mut lanes, channels, block);
            let block = lanes.get(..block).unwrap_or(&[]);
            let mut done = 0;
            while done < sample_len {
                let len = block.len().min(sample_len - done);
                runs.sink
                    .select(runs.start + done, block.get(..len).unwrap_or(&[]));
                done += len;
            }
            runs.start += sample_len;
        }
    } else {
        // More channels than lanes: take `LANES` channels at a time, in channel order, and
        // visit every position of the sample with them.
        for _ in 0..layout.batch {
            runs.flush();
            let mut first_channel = 0;
            while first_channel < channels {
                let width = LANES.min(channels - first_channel);
                let row = lanes.get_mut(..width).unwrap_or(&mut []);
                let (any_kept, all_kept) = draw_row(row, source);
                let row = &*row;
                let mut start = runs.start + first_channel;
                for _ in 0..layout.map_len {
                    if all_kept {
                        runs.sink.scale(start, width);
                    } else if any_kept {
                        runs.sink.select(start, row);
                    } else {
                        runs.sink.zero(start, width);
                    }
                    start += channels;
                }
                first_channel += width;
            }
            runs.start += sample_len;
        }
    }
    runs.flush();
}

/// Any source behind `dyn`: the one type the walks are instantiated for outside hosts.
struct Dyn<'a>(&'a mut dyn Decisions);

impl Decisions for Dyn<'_> {
    #[inline(always)]
    fn word(&mut self, count: usize) -> u32 {
        self.0.word(count)
    }
}

impl Source<'_> {
    /// [`forward_with`] with this call's source (one instance of the walks for each scheme on
    /// hosts).
    pub(crate) fn forward(
        &mut self,
        input: Option<&[f32]>,
        output: &mut [f32],
        layout: Layout,
        rate: Rate,
    ) {
        if PROFILE.inline_sources {
            match self {
                Source::Bits(bits) => forward_with(input, output, layout, rate, bits),
                Source::Philox(philox) => forward_with(input, output, layout, rate, philox),
                Source::Draws(draws) => forward_with(input, output, layout, rate, draws),
            }
        } else {
            // One call site of the walks for every scheme: less flash on a Cortex-M.
            let source: &mut dyn Decisions = match self {
                Source::Bits(bits) => bits,
                Source::Philox(philox) => philox,
                Source::Draws(draws) => draws,
            };
            let source = &mut Dyn(source);
            match input {
                Some(input) => forward_copy(input, output, layout, rate, source),
                None => forward_in_place(output, layout, rate, source),
            }
        }
    }
}

/// [`forward_copy`] or, with no `input`, [`forward_in_place`] on `output`, with `source`.
#[inline(always)]
fn forward_with<D: Decisions>(
    input: Option<&[f32]>,
    output: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut D,
) {
    match input {
        Some(input) => copy_with(input, output, layout, rate, source),
        None => in_place_with(output, layout, rate, source),
    }
}

/// [`forward_copy`] with a source of decisions: hosts instantiate the walks for the source
/// itself, so its draws inline into the loops that interleave them with the writes; other
/// builds take every source through one `dyn` instance of the walks (one copy in flash).
#[inline(always)]
pub(crate) fn copy_with<D: Decisions>(
    input: &[f32],
    output: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut D,
) {
    if PROFILE.inline_sources {
        forward_copy(input, output, layout, rate, source);
    } else {
        forward_copy(input, output, layout, rate, &mut Dyn(source));
    }
}

/// [`forward_in_place`] with a source of decisions, as [`copy_with`].
#[inline(always)]
pub(crate) fn in_place_with<D: Decisions>(
    data: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut D,
) {
    if PROFILE.inline_sources {
        forward_in_place(data, layout, rate, source);
    } else {
        forward_in_place(data, layout, rate, &mut Dyn(source));
    }
}

pub(crate) fn check_len(what: &'static str, found: usize, expected: usize) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}

fn check_mask(keep: &[u32], maps: usize) -> Result<(), Error> {
    let expected = mask_words(maps);
    if keep.len() >= expected {
        Ok(())
    } else {
        Err(Error::MaskTooShort {
            expected,
            found: keep.len(),
        })
    }
}

/// Out of place, lengths checked. `source` is only asked when `0 < rate < 1` and the tensor
/// holds elements: an empty tensor costs nothing, however large its batch.
pub(crate) fn forward_copy<D: Decisions>(
    input: &[f32],
    output: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut D,
) {
    if rate.is_zero() {
        output.copy_from_slice_checked(input);
    } else if rate.is_one() {
        output.fill(0.0);
    } else if layout.len != 0 {
        let mut sink = OutOfPlace {
            input,
            output,
            scale: rate.scale(),
        };
        walk(layout, source, &mut sink);
    }
}

/// In place, length checked; [`forward_copy`]'s rules.
pub(crate) fn forward_in_place<D: Decisions>(
    data: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut D,
) {
    if rate.is_one() {
        data.fill(0.0);
    } else if !rate.is_zero() && layout.len != 0 {
        let mut sink = InPlace {
            data,
            scale: rate.scale(),
        };
        walk(layout, source, &mut sink);
    }
}

/// A copy that cannot panic: the caller has checked the lengths, and unequal lengths copy the
/// common prefix instead of panicking.
trait CopyChecked {
    fn copy_from_slice_checked(&mut self, src: &Self);
}

impl CopyChecked for [f32] {
    #[inline]
    fn copy_from_slice_checked(&mut self, src: &[f32]) {
        let n = self.len().min(src.len());
        if let (Some(dst), Some(src)) = (self.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
    }
}

/// Spatial dropout in training mode, out of place: `output` gets `input` with whole maps
/// dropped.
///
/// When `0 < rate < 1` and the tensor holds elements, draws exactly `shape.maps()` values with
/// `rng.next_u32()`, in map order `m = n · channels + c`, for both layouts; map `m` is kept iff
/// its draw is below [`Rate::threshold`]. Kept maps get `y = x · rate.scale()` (one `f32`
/// multiply), dropped maps get `+0.0` whatever `x` is. At rate 0 `output` is a bit-exact copy
/// of `input`; at rate 1 it is all `+0.0`; neither draws anything, and nor does a tensor with no
/// elements, whatever its batch.
///
/// Fails with [`Error::LengthMismatch`] when a slice's length is not `shape.len()`; then nothing
/// is written and nothing is drawn.
pub fn spatial_dropout<const S: usize, R: Rng + ?Sized>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    check_len("input", input.len(), shape.len())?;
    check_len("output", output.len(), shape.len())?;
    copy_with(
        input,
        output,
        shape.layout(),
        rate,
        &mut Draws::new(rng, rate),
    );
    Ok(())
}

/// [`spatial_dropout`] on one buffer: the same draws and the same output bits, in place. At
/// rate 0 the data is left untouched.
pub fn spatial_dropout_in_place<const S: usize, R: Rng + ?Sized>(
    data: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    check_len("data", data.len(), shape.len())?;
    in_place_with(data, shape.layout(), rate, &mut Draws::new(rng, rate));
    Ok(())
}

/// Applies a mask from [`draw_mask`](crate::draw_mask) (or any mask: bit `m % 32` of word
/// `m / 32` set = map `m` kept), out of place. With the mask that `draw_mask` draws, the output
/// equals [`spatial_dropout`]'s for the same generator state.
///
/// At rate 0 the output is a copy and at rate 1 all `+0.0`, whatever the mask says, as in the
/// kernel. Fails with [`Error::LengthMismatch`] or [`Error::MaskTooShort`], writing nothing.
pub fn apply_mask<const S: usize>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    keep: &[u32],
) -> Result<(), Error> {
    check_len("input", input.len(), shape.len())?;
    check_len("output", output.len(), shape.len())?;
    check_mask(keep, shape.maps())?;
    copy_with(input, output, shape.layout(), rate, &mut Bits::new(keep));
    Ok(())
}

/// [`apply_mask`] in place.
pub fn apply_mask_in_place<const S: usize>(
    data: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    keep: &[u32],
) -> Result<(), Error> {
    check_len("data", data.len(), shape.len())?;
    check_mask(keep, shape.maps())?;
    in_place_with(data, shape.layout(), rate, &mut Bits::new(keep));
    Ok(())
}

#[cfg(test)]
mod tests {
    //! The walks against a per-element reference, on shapes that reach every branch: runs that
    //! merge across maps and samples, mixed channels_last samples longer than one lane block,
    //! and (on hosts) more channels than lanes.
    extern crate std;
    use std::vec::Vec;

    use super::*;
    use crate::{SeedableRng, XorShiftRng};

    fn input(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| match i % 11 {
                3 => f32::INFINITY,
                5 => -0.0,
                7 => f32::NAN,
                _ => (i as f32 - 500.0) / 7.0,
            })
            .collect()
    }

    /// y for map `m` of element `i`, by definition.
    fn reference(x: &[f32], shape: &Shape<1>, rate: Rate, keep: &[bool]) -> Vec<u32> {
        let (channels, map_len) = (shape.channels(), shape.map_len());
        (0..x.len())
            .map(|i| {
                let m = match shape.format() {
                    DataFormat::ChannelsFirst => i / map_len,
                    DataFormat::ChannelsLast => {
                        (i / (map_len * channels)) * channels + i % channels
                    }
                };
                if keep[m] {
                    (x[i] * rate.scale()).to_bits()
                } else {
                    0
                }
            })
            .collect()
    }

    /// Shapes `(batch, channels, map_len)` for the tests of the layer's own sources: maps of
    /// every fixed length (1–64 elements) and others, short channels_last rows, and rows of 256
    /// channels and more over one to four positions (the direct rows) and over nine.
    const SOURCE_SHAPES: [(usize, usize, usize); 14] = [
        (4, 64, 1),
        (3, 33, 2),
        (3, 8, 4),
        (2, 100, 4),
        (2, 70, 8),
        (1, 65, 16),
        (2, 40, 32),
        (1, 97, 64),
        (3, 31, 3),
        (1, 1, 2),
        (2, 300, 3),
        (3, 512, 4),
        (1, 1029, 2),
        (2, 512, 9),
    ];

    /// The layer's own generator goes through `OwnDraws`, which the walks copy and draw from
    /// between writes (`Decisions::fork`): the same outputs and the same generator state after
    /// as drawing first, for every path that draws ahead and the tails that do not.
    #[test]
    fn drawing_ahead_matches_drawing_first() {
        use crate::mask::OwnDraws;
        for (batch, channels, map_len) in SOURCE_SHAPES {
            for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
                let rate = Rate::new(0.4).unwrap();
                let shape = Shape::<1>::new(batch, channels, [map_len], format).unwrap();
                let x = input(shape.len());
                let seed = (batch * 1000 + channels * 10 + map_len) as u64;
                let mut rng = XorShiftRng::seed_from_u64(seed);
                let keep: Vec<bool> = (0..shape.maps())
                    .map(|_| u64::from(rng.next_u32()) < rate.threshold())
                    .collect();
                let expected = reference(&x, &shape, rate, &keep);
                let after = rng.next_u32();
                for in_place in [false, true] {
                    let mut source = OwnDraws::new(XorShiftRng::seed_from_u64(seed), rate);
                    let mut y = std::vec![1.5f32; x.len()];
                    if in_place {
                        y.copy_from_slice(&x);
                        in_place_with(&mut y, shape.layout(), rate, &mut source);
                    } else {
                        copy_with(&x, &mut y, shape.layout(), rate, &mut source);
                    }
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    let what = (batch, channels, map_len, format, in_place);
                    assert_eq!(got, expected, "{what:?}");
                    assert_eq!(source.into_rng().next_u32(), after, "draw count {what:?}");
                }
            }
        }
    }

    /// The Keras scheme's source (`Philox`, which does not fork and hands out its decisions
    /// 32 at a time) through every walk, the direct rows of 256 channels and more included:
    /// the same outputs as its mask words (`keras_mask`) applied by the reference.
    #[test]
    fn keras_source_matches_its_mask_words() {
        use crate::mask::{KerasStream, Masks, Philox, keras_mask};
        for (batch, channels, map_len) in SOURCE_SHAPES {
            for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
                for masks in [Masks::Keras, Masks::KerasXla] {
                    let rate = Rate::new(0.4).unwrap();
                    let shape = Shape::<1>::new(batch, channels, [map_len], format).unwrap();
                    let x = input(shape.len());
                    let (seed, call) = (channels as u64, 3);
                    let maps = shape.maps();
                    let mut words = std::vec![0u32; mask_words(maps)];
                    keras_mask(&mut words, maps, rate, seed, call, masks).unwrap();
                    let keep: Vec<bool> = (0..maps)
                        .map(|m| words[m / 32] >> (m % 32) & 1 == 1)
                        .collect();
                    let expected = reference(&x, &shape, rate, &keep);
                    let what = (batch, channels, map_len, format, masks);
                    let source = || Philox::new(KerasStream::new(masks, seed, call), rate, maps);
                    let mut y = std::vec![1.5f32; x.len()];
                    copy_with(&x, &mut y, shape.layout(), rate, &mut source());
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(got, expected, "{what:?}");
                    let mut y = x.clone();
                    in_place_with(&mut y, shape.layout(), rate, &mut source());
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(got, expected, "in place {what:?}");
                }
            }
        }
    }

    /// `masked_maps` drawing ahead with maps of 4, 8 and 16 elements goes four maps at a time
    /// (`masked_by_four_maps`) and a map at a time for the last one to three: every map keeps
    /// its own lane (NaN, ±Inf and −0.0 inputs included), and the word returned is the next
    /// decisions in order, for every count of maps a group can hold (a tensor's last group has
    /// 1–31). How the draws are spread over the maps does not change them (`Ahead` draws the
    /// rest at the end), so this checks the lanes and the word, not the spread.
    #[test]
    fn four_maps_at_a_time_match_a_map_at_a_time() {
        use crate::mask::OwnDraws;
        fn check<const L: usize>(maps: usize, next: usize) {
            let rate = Rate::new(0.4).unwrap();
            let word = 0x9E37_79B9u32;
            let lanes = core::array::from_fn(|m| lane(word, m));
            let x = input(maps * L);
            let scale = rate.scale();
            let expected: Vec<u32> = (0..maps * L)
                .map(|i| (x[i] * scale).to_bits() & lane(word, i / L))
                .collect();
            let seed = (maps * 100 + next) as u64;
            let mut first = OwnDraws::new(XorShiftRng::seed_from_u64(seed), rate);
            let drawn = first.word(next);
            let after = first.into_rng().next_u32();
            let what = (L, maps, next);
            let mut source = OwnDraws::new(XorShiftRng::seed_from_u64(seed), rate);
            let mut y = std::vec![1.5f32; x.len()];
            let got = masked_maps::<L, _>(&mut y, &x, &lanes, scale, &mut source, next);
            assert_eq!(got, Some(drawn), "word out of place {what:?}");
            let y: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
            assert_eq!(y, expected, "out of place {what:?}");
            assert_eq!(source.into_rng().next_u32(), after, "draw count {what:?}");
            let mut source = OwnDraws::new(XorShiftRng::seed_from_u64(seed), rate);
            let mut y = x.clone();
            let got = masked_maps_in_place::<L, _>(&mut y, &lanes, scale, &mut source, next);
            assert_eq!(got, Some(drawn), "word in place {what:?}");
            let y: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
            assert_eq!(y, expected, "in place {what:?}");
            assert_eq!(
                source.into_rng().next_u32(),
                after,
                "draw count in place {what:?}"
            );
        }
        for maps in 1..=32 {
            for next in [1, 5, 32] {
                if maps % 4 == 0 {
                    check::<4>(maps, next);
                }
                if maps % 2 == 0 {
                    check::<8>(maps, next);
                }
                check::<16>(maps, next);
            }
        }
    }

    /// Slices of a tensor start anywhere: the loops that start their stores on a 16-byte
    /// boundary (`to_boundary`) get every head length, with input and output offset
    /// differently, in both formats and in place.
    #[test]
    fn walks_match_the_reference_at_every_alignment() {
        let shapes = [
            (4, 3, 341),
            (3, 5, 37),
            (2, 7, 33),
            (3, 8, 21),
            (2, 13, 29),
            (2, 68, 9),
            (3, 101, 17),
            (2, 1, 1023),
            (5, 6, 2),
        ];
        let mut seed = 100;
        for (batch, channels, map_len) in shapes {
            for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
                seed += 1;
                let rate = Rate::new(0.5).unwrap();
                let shape = Shape::<1>::new(batch, channels, [map_len], format).unwrap();
                let n = shape.len();
                let data = input(n + 3);
                let mut rng = XorShiftRng::seed_from_u64(seed);
                let keep: Vec<bool> = (0..shape.maps())
                    .map(|_| u64::from(rng.next_u32()) < rate.threshold())
                    .collect();
                for x_at in 0..4 {
                    let x = &data[x_at..x_at + n];
                    let expected = reference(x, &shape, rate, &keep);
                    for y_at in 0..4 {
                        let what = (batch, channels, map_len, format, x_at, y_at);
                        let mut out = std::vec![1.5f32; n + 3];
                        let y = &mut out[y_at..y_at + n];
                        let mut rng = XorShiftRng::seed_from_u64(seed);
                        spatial_dropout(x, y, &shape, rate, &mut rng).unwrap();
                        let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                        assert_eq!(got, expected, "{what:?}");
                        assert!(out[..y_at].iter().all(|v| *v == 1.5), "before {what:?}");
                        assert!(out[y_at + n..].iter().all(|v| *v == 1.5), "after {what:?}");
                    }
                    let mut buf = data.clone();
                    let mut rng = XorShiftRng::seed_from_u64(seed);
                    let y = &mut buf[x_at..x_at + n];
                    spatial_dropout_in_place(y, &shape, rate, &mut rng).unwrap();
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(
                        got,
                        expected,
                        "in place {:?}",
                        (batch, channels, format, x_at)
                    );
                }
            }
        }
    }

    /// channels_last samples with rows of a multiple of four channels that take
    /// `select_halves_in_place` in place: larger than `BLOCKED_SAMPLE`, or of two or three
    /// positions; an even and an odd number of positions (the rows left over, one to three,
    /// go by windows), rows with no tail and with a tail of one, two or three quads (fewer
    /// than `4 · HALVES_STEP` channels).
    #[test]
    fn large_samples_match_the_reference() {
        for (batch, channels, map_len) in [
            (1, 512, 129),
            (2, 512, 130),
            (2, 68, 1001),
            (1, 72, 1001),
            (2, 76, 900),
            (1, 100, 700),
            (1, 516, 130),
            (1, 520, 129),
            (2, 524, 130),
            (3, 96, 700),
            (3, 512, 2),
            (2, 512, 3),
            (2, 76, 3),
        ] {
            assert!(channels * map_len > BLOCKED_SAMPLE || map_len < 4);
            for (rate, seed) in [(0.5, 1), (0.05, 2), (0.9, 3)] {
                let rate = Rate::new(rate).unwrap();
                let shape =
                    Shape::<1>::new(batch, channels, [map_len], DataFormat::ChannelsLast).unwrap();
                let x = input(shape.len());
                let mut rng = XorShiftRng::seed_from_u64(seed);
                let keep: Vec<bool> = (0..shape.maps())
                    .map(|_| u64::from(rng.next_u32()) < rate.threshold())
                    .collect();
                let expected = reference(&x, &shape, rate, &keep);
                let what = (batch, channels, map_len, rate);
                let mut y = x.clone();
                let mut rng = XorShiftRng::seed_from_u64(seed);
                spatial_dropout_in_place(&mut y, &shape, rate, &mut rng).unwrap();
                let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                assert!(got == expected, "in place {what:?}");
                let mut y = std::vec![1.5f32; x.len()];
                let mut rng = XorShiftRng::seed_from_u64(seed);
                spatial_dropout(&x, &mut y, &shape, rate, &mut rng).unwrap();
                let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                assert!(got == expected, "out of place {what:?}");
            }
        }
    }

    #[test]
    fn walks_match_the_reference() {
        let mut shapes = Vec::new();
        for channels in [
            1,
            2,
            3,
            4,
            5,
            7,
            8,
            9,
            11,
            12,
            16,
            31,
            32,
            33,
            48,
            64,
            100,
            256,
            512,
            SMALL_LANES.saturating_sub(WINDOW),
            SMALL_LANES.saturating_sub(WINDOW) + 1,
            LANES.saturating_sub(WINDOW + 1),
            LANES.saturating_sub(WINDOW),
            LANES.saturating_sub(WINDOW) + 1,
            LANES - 1,
            LANES,
            LANES + 5,
            2 * LANES + 3,
        ] {
            for (batch, map_len) in [
                (1, 1),
                (3, 2),
                (2, 3),
                (3, 4),
                (2, 7),
                (2, 8),
                (1, 16),
                (2, 32),
                (5, 33),
                (1, 64),
                (2, 100),
                (1, 2 * LANES + 1),
            ] {
                if batch * channels * map_len <= 1 << 17 {
                    shapes.push((batch, channels, map_len));
                }
            }
        }
        shapes.push((0, 3, 4));
        shapes.push((3, 0, 4));
        shapes.push((3, 5, 0));
        let mut seed = 0;
        for &(batch, channels, map_len) in &shapes {
            for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
                for rate in [0.05, 0.5, 0.97] {
                    seed += 1;
                    let rate = Rate::new(rate).unwrap();
                    let shape = Shape::<1>::new(batch, channels, [map_len], format).unwrap();
                    let x = input(shape.len());
                    let mut rng = XorShiftRng::seed_from_u64(seed);
                    // A tensor with no elements draws nothing, whatever its batch.
                    let draws = if shape.is_empty() { 0 } else { shape.maps() };
                    let keep: Vec<bool> = (0..draws)
                        .map(|_| u64::from(rng.next_u32()) < rate.threshold())
                        .collect();
                    let expected = reference(&x, &shape, rate, &keep);
                    let after = rng.next_u32();

                    let mut rng = XorShiftRng::seed_from_u64(seed);
                    let mut y = std::vec![1.5f32; x.len()];
                    spatial_dropout(&x, &mut y, &shape, rate, &mut rng).unwrap();
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(
                        got, expected,
                        "{batch}x{channels}x{map_len} {format:?} {rate:?}"
                    );
                    assert_eq!(rng.next_u32(), after, "draw count");

                    let mut rng = XorShiftRng::seed_from_u64(seed);
                    let mut y = x.clone();
                    spatial_dropout_in_place(&mut y, &shape, rate, &mut rng).unwrap();
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(
                        got, expected,
                        "in place {batch}x{channels}x{map_len} {format:?}"
                    );

                    let mut words = std::vec![0u32; mask_words(shape.maps())];
                    for (m, &k) in keep.iter().enumerate() {
                        words[m / 32] |= u32::from(k) << (m % 32);
                    }
                    let mut y = std::vec![1.5f32; x.len()];
                    apply_mask(&x, &mut y, &shape, rate, &words).unwrap();
                    let got: Vec<u32> = y.iter().map(|v| v.to_bits()).collect();
                    assert_eq!(
                        got, expected,
                        "mask {batch}x{channels}x{map_len} {format:?}"
                    );
                }
            }
        }
    }
}
