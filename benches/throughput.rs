//! Throughput of the kernels against plain baselines timed in the same run.
//!
//! `cargo bench --bench throughput` (full: 16 KiB … 256 MiB, a few minutes) or
//! `cargo bench --bench throughput -- --quick` (16 KiB … 16 MiB, under a minute). Other
//! arguments select cases by substring, e.g. `-- --quick "copy channels_last 16 KiB"`.
//!
//! Every case runs a seeded layer with one of the two mask schemes (`keras`: TensorFlow's
//! Philox, the default; `xorshift`) and pits it against its baseline on the same buffers, sample
//! for sample (interleaved, best of N, so a noisy neighbour on a shared machine hurts both alike):
//! - out of place: `layer.call` vs `output.copy_from_slice(input)`;
//! - in place: `layer.call_in_place` vs `for x in data { *x *= scale }`.
//!
//! It also times the draws alone: the same scheme deciding the same number of maps into mask
//! words (`keras_mask`, `draw_mask`). A kernel cannot beat the memory work of its baseline plus
//! its draws, so the bar is the *limit ratio* `(baseline time + draw time) / kernel time`
//! (≥ 0.9 means within 10 % of doing both at their own speed, whatever the map size). The plain
//! ratio, baseline time / kernel time, is printed beside it.
//!
//! Where the bar can be met at all is the `ceiling` column: the same race also times the *plain
//! writes* of the case, with the decisions known beforehand (16 masks, a new one each pass, as
//! the layer draws a new mask each call): the baseline's scale loop over kept maps and over
//! channels_last samples with kept and dropped maps (every vector of such a row is stored), and
//! `fill(0.0)` over dropped runs of 256 elements or more. `ceiling = (baseline time + draw time)
//! / (plain writes time + draw time)` is the limit ratio of a kernel that costs nothing beyond its
//! draws and those writes. Out of place in L1, the baseline is glibc's `memcpy`, which picks
//! AVX-512 at run time, while the crate's loops (and these writes) use the x86-64 baseline's
//! 16-byte stores: there the ceiling itself is below 0.9.
//!
//! GB/s counts the bytes read plus the bytes written (2 × the tensor), for kernel and baseline
//! alike. The last lines are the draw cost per map of each scheme, the tiny call, one
//! `apply_mask_in_place` call (mask words given) against its scale loop, `worst ratio: R (case)`,
//! the count of cases at limit ≥ 0.9, the cases below it split by their ceiling, the worst limit
//! ratio where the ceiling is ≥ 0.9 and, last, `worst limit ratio: R (case)`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use spatial_dropout::{
    DataFormat, Masks, Rate, SeedableRng, Shape3D, SpatialDropout3D, XorShiftRng,
    apply_mask_in_place, draw_mask, keras_mask, mask_words,
};

const KIB: usize = 1024;
const MIB: usize = 1024 * KIB;
const CHANNELS: [usize; 5] = [1, 3, 8, 64, 512];
const RATES: [f64; 2] = [0.1, 0.5];
const FORMATS: [DataFormat; 2] = [DataFormat::ChannelsLast, DataFormat::ChannelsFirst];
const SCHEMES: [Masks; 2] = [Masks::Keras, Masks::XorShift];

/// Seconds per decision of `maps` maps with `scheme`, written as mask words: what a kernel call
/// of that scheme must spend on its draws at least. Each scheme is timed in a function of its
/// own (`best_time` instantiated per closure): with both in one closure, the Keras path's inlined
/// Philox made the XorShift loop 11 % slower (1.09 -> 1.21 ns a map), and a slow reference makes
/// the limit easy to meet.
fn draw_time(
    clock: &Clock,
    (rounds, sample): (usize, Duration),
    scheme: Masks,
    maps: usize,
    rate: Rate,
    keep: &mut [u32],
    rng: &mut XorShiftRng,
) -> f64 {
    let keep = &mut keep[..mask_words(maps)];
    match scheme {
        Masks::XorShift => best_time(clock, rounds, sample, || {
            draw_mask(black_box(&mut *keep), maps, rate, rng).expect("the mask has room");
            black_box(&mut *keep);
        }),
        _ => {
            let mut call = 0u64;
            best_time(clock, rounds, sample, || {
                keras_mask(black_box(&mut *keep), maps, rate, 7, call, scheme)
                    .expect("the mask has room");
                call += 1;
                black_box(&mut *keep);
            })
        }
    }
}

/// What a run of the tensor needs written, with the maps' decisions known.
#[derive(Clone, Copy, PartialEq)]
enum Write {
    /// Kept maps, or a channels_last sample with kept and dropped maps interleaved: every
    /// element is stored, a vector at a time.
    Scale,
    /// A run of dropped maps: a `memset`.
    Zero,
}

/// Dropped runs shorter than this many elements (1 KiB) are stored a vector at a time like
/// their neighbours: a `memset` call costs about what the stores it would save cost. (With
/// 64, channels_first maps of 64 elements, each dropped one a `memset` of its own, made the
/// plain writes slower than the kernel at 512 KiB.)
const SHORTEST_ZERO_RUN: usize = 256;

/// The runs of `shape` that the plain writes cover: each channels_first map, each
/// channels_last sample (`Zero` only when all its maps are dropped, `Scale` when all are kept or
/// they are mixed, as every vector of a mixed row is stored), adjacent runs of one kind merged,
/// and dropped runs shorter than [`SHORTEST_ZERO_RUN`] stored with their neighbours.
/// `keep` holds the maps' decisions as mask words.
fn plain_runs(shape: &Shape3D, keep: &[u32], runs: &mut Vec<(usize, usize, Write)>) {
    let first_run = runs.len();
    let kept = |m: usize| keep[m / 32] >> (m % 32) & 1 == 1;
    let (channels, map_len) = (shape.channels(), shape.map_len());
    let mut push = |start: usize, len: usize, write: Write| match runs[first_run..].last_mut() {
        Some((s, l, w)) if *w == write && *s + *l == start => *l += len,
        _ => runs.push((start, len, write)),
    };
    for sample in 0..shape.batch() {
        let first = sample * channels;
        let start = first * map_len;
        match shape.format() {
            DataFormat::ChannelsFirst => {
                for c in 0..channels {
                    let write = if kept(first + c) {
                        Write::Scale
                    } else {
                        Write::Zero
                    };
                    push(start + c * map_len, map_len, write);
                }
            }
            _ => {
                let write = if (0..channels).any(|c| kept(first + c)) {
                    Write::Scale
                } else {
                    Write::Zero
                };
                push(start, channels * map_len, write);
            }
        }
    }
    let mut merged = first_run;
    for i in first_run..runs.len() {
        let (start, len, mut write) = runs[i];
        if len < SHORTEST_ZERO_RUN {
            write = Write::Scale;
        }
        match (merged > first_run).then(|| &mut runs[merged - 1]) {
            Some((_, l, w)) if *w == write => *l += len,
            _ => {
                runs[merged] = (start, len, write);
                merged += 1;
            }
        }
    }
    runs.truncate(merged);
}

/// Masks the plain writes go through, one a pass, as a layer draws a new one each call: with
/// few maps, one mask alone could drop most of the tensor or none of it.
const PLAIN_MASKS: usize = 16;

/// The plain writes of one case: a scale loop (`y = x * scale`, or `x *= scale` in place) over
/// the `Scale` runs and `fill(0.0)` over the `Zero` runs of one of [`PLAIN_MASKS`] masks drawn
/// beforehand, the next one each pass. With the decisions known, no lanes and no draws, this is
/// what a kernel built for this target has to store at least, with the baseline's own loops.
struct PlainWrites {
    runs: Vec<(usize, usize, Write)>,
    /// `runs[ends[k - 1]..ends[k]]` are the runs of mask `k`.
    ends: [usize; PLAIN_MASKS],
    next: usize,
    scale: f32,
}

impl PlainWrites {
    fn new(shape: &Shape3D, rate: Rate, keep: &mut [u32], rng: &mut XorShiftRng) -> Self {
        let keep = &mut keep[..mask_words(shape.maps())];
        let mut runs = Vec::new();
        let mut ends = [0; PLAIN_MASKS];
        for end in &mut ends {
            draw_mask(keep, shape.maps(), rate, rng).expect("the mask has room");
            plain_runs(shape, keep, &mut runs);
            *end = runs.len();
        }
        PlainWrites {
            runs,
            ends,
            next: 0,
            scale: rate.scale(),
        }
    }

    fn next_runs(&mut self) -> &[(usize, usize, Write)] {
        let k = self.next;
        self.next = (k + 1) % PLAIN_MASKS;
        let start = k.checked_sub(1).map_or(0, |j| self.ends[j]);
        &self.runs[start..self.ends[k]]
    }

    /// One pass out of place. Out of line, like [`draw_time`]'s loops, so it compiles the same
    /// whatever the bench around it.
    #[inline(never)]
    fn copy(&mut self, x: &[f32], y: &mut [f32]) {
        let scale = self.scale;
        for &(start, len, write) in self.next_runs() {
            let y = &mut y[start..start + len];
            match write {
                Write::Scale => {
                    for (y, x) in y.iter_mut().zip(&x[start..start + len]) {
                        *y = *x * scale;
                    }
                }
                Write::Zero => y.fill(0.0),
            }
        }
    }

    /// One pass in place.
    #[inline(never)]
    fn in_place(&mut self, y: &mut [f32]) {
        let scale = self.scale;
        for &(start, len, write) in self.next_runs() {
            let y = &mut y[start..start + len];
            match write {
                Write::Scale => {
                    for v in y.iter_mut() {
                        *v *= scale;
                    }
                }
                Write::Zero => y.fill(0.0),
            }
        }
    }
}

/// Best seconds per call of `f` over `rounds` samples of at least `sample` each.
#[inline(never)]
fn best_time(clock: &Clock, rounds: usize, sample: Duration, mut f: impl FnMut()) -> f64 {
    let reps = calibrate(clock, sample, &mut f);
    (0..rounds)
        .map(|_| {
            let t = clock.now();
            for _ in 0..reps {
                f();
            }
            (clock.now() - t) / f64::from(reps)
        })
        .fold(f64::INFINITY, f64::min)
}

struct Settings {
    sizes: Vec<usize>,
    /// Interleaved kernel/baseline samples per case; the best of each counts.
    rounds: usize,
    /// Shortest sample: small tensors are called this long in a loop.
    sample: Duration,
    /// Samples of the tiny call.
    tiny_rounds: usize,
}

impl Settings {
    fn full() -> Self {
        let sizes = (0..=14).map(|p| (16 * KIB) << p).collect();
        Settings {
            sizes,
            rounds: 15,
            sample: Duration::from_micros(500),
            tiny_rounds: 31,
        }
    }

    fn quick() -> Self {
        Settings {
            sizes: vec![16 * KIB, 256 * KIB, 4 * MIB, 16 * MIB],
            rounds: 9,
            sample: Duration::from_micros(300),
            tiny_rounds: 15,
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    OutOfPlace,
    InPlace,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::OutOfPlace => "copy",
            Mode::InPlace => "in-place",
        }
    }
}

/// The shape of a case: `batch × map_len × channels` elements, close to `bytes` (exact for
/// power-of-two channel counts; 3 channels round down by under 0.1 %, and the table shows the
/// nominal size while GB/s uses the real one). Four samples when each still holds a map of 2+ elements.
fn shape_for(bytes: usize, channels: usize, format: DataFormat) -> Shape3D {
    let elements = bytes / 4;
    let batch = if elements / (4 * channels) >= 2 { 4 } else { 1 };
    let map_len = (elements / (batch * channels)).max(1);
    // Spread the map over three spatial dims as a real volume would be; the kernel folds them.
    let d1 = largest_divisor_at_most(map_len, cube_root(map_len));
    let rest = map_len / d1;
    let d2 = largest_divisor_at_most(rest, isqrt(rest));
    Shape3D::new(batch, channels, [d1, d2, rest / d2], format).expect("bench shapes fit in usize")
}

fn cube_root(n: usize) -> usize {
    let mut r = 1;
    while (r + 1) * (r + 1) * (r + 1) <= n {
        r += 1;
    }
    r
}

fn isqrt(n: usize) -> usize {
    n.isqrt()
}

fn largest_divisor_at_most(n: usize, bound: usize) -> usize {
    (1..=bound.max(1))
        .rev()
        .find(|d| n.is_multiple_of(*d))
        .unwrap_or(1)
}

/// The sample clock: the wall clock. (Linux's per-thread CPU time is tick-granular on some
/// kernels, too coarse for short samples.) On a shared machine, many short samples and the
/// best of them filter out the ones where another process ran.
struct Clock(Instant);

impl Clock {
    fn new() -> Self {
        Clock(Instant::now())
    }

    /// Seconds since the clock started.
    fn now(&self) -> f64 {
        self.0.elapsed().as_secs_f64()
    }
}

/// Calls of `f` per sample so that a sample lasts at least `sample`.
fn calibrate(clock: &Clock, sample: Duration, f: &mut dyn FnMut()) -> u32 {
    let mut reps = 1u32;
    loop {
        let t = clock.now();
        for _ in 0..reps {
            f();
        }
        let took = clock.now() - t;
        if took >= sample.as_secs_f64() || reps >= 1 << 24 {
            return reps;
        }
        let scale = (sample.as_secs_f64() / took.max(1e-9)).clamp(1.2, 16.0);
        reps = (f64::from(reps) * scale).ceil() as u32;
    }
}

/// Seconds per call of each contender: best sample of each over `rounds` interleaved rounds.
fn race<const N: usize>(
    clock: &Clock,
    rounds: usize,
    sample: Duration,
    contenders: [&mut dyn FnMut(); N],
) -> [f64; N] {
    let mut contenders = contenders;
    let reps = contenders
        .iter_mut()
        .map(|f| calibrate(clock, sample, &mut **f))
        .max()
        .unwrap_or(1);
    // Big tensors: one call is a long sample already, and memory-bound calls vary little.
    let t = clock.now();
    if let Some(first) = contenders.first_mut() {
        first();
    }
    let rounds = if clock.now() - t > 5e-3 {
        rounds.min(5)
    } else {
        rounds
    };
    let time = |f: &mut dyn FnMut()| {
        let t = clock.now();
        for _ in 0..reps {
            f();
        }
        (clock.now() - t) / f64::from(reps)
    };
    let mut best = [f64::INFINITY; N];
    for round in 0..rounds {
        // Rotate who goes first, so none always runs on a cache another warmed.
        for i in 0..N {
            let k = (round + i) % N;
            best[k] = best[k].min(time(&mut *contenders[k]));
        }
    }
    best
}

fn size_label(bytes: usize) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{} KiB", bytes.div_ceil(KIB))
    }
}

/// Ns per call of `f`, best of `rounds` samples of about 1 ms each.
fn latency(clock: &Clock, rounds: usize, f: &mut dyn FnMut()) -> f64 {
    let reps = calibrate(clock, Duration::from_millis(1), f);
    (0..rounds)
        .map(|_| {
            let t = clock.now();
            for _ in 0..reps {
                f();
            }
            (clock.now() - t) * 1e9 / f64::from(reps)
        })
        .fold(f64::INFINITY, f64::min)
}

/// `apply_mask_in_place` (mask words given, as `try_spatial_dropout` applies them):
/// channels_first, 4 × 512 maps of 8 elements (64 KiB), against the scale loop on the same
/// buffer. No limit ratio: nothing is drawn. A function of its own, like [`draw_time`]: in
/// `main`, it changed how the Keras draws alone were compiled (1.35 -> 1.5-1.8 ns a map).
#[inline(never)]
fn apply_mask_time(
    clock: &Clock,
    rounds: usize,
    rate: Rate,
    keep: &mut [u32],
    rng: &mut XorShiftRng,
) {
    let shape = Shape3D::new(4, 512, [2, 2, 2], DataFormat::ChannelsFirst).expect("valid shape");
    let words = &mut keep[..mask_words(shape.maps())];
    draw_mask(words, shape.maps(), rate, rng).expect("the mask has room");
    let mut data: Vec<f32> = (0..shape.len()).map(|i| (i % 1000) as f32).collect();
    let scale = rate.scale();
    let scale_ns = latency(clock, rounds, &mut || {
        for x in black_box(&mut data).iter_mut() {
            *x *= scale;
        }
    });
    let apply_ns = latency(clock, rounds, &mut || {
        apply_mask_in_place(black_box(&mut data), &shape, rate, black_box(&*words))
            .expect("lengths match");
    });
    println!(
        "apply_mask_in_place channels_first 4x512 maps of 8 elements (64 KiB) rate 0.5: \
         {:.2} us (scale loop {:.2} us)",
        apply_ns / 1e3,
        scale_ns / 1e3
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    // Any other argument that is not a flag (cargo passes `--bench`) selects cases by substring.
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with("--"))
        .map(String::as_str)
        .collect();
    let settings = if quick {
        Settings::quick()
    } else {
        Settings::full()
    };
    let started = Instant::now();
    let clock = Clock::new();

    let max_elements = settings.sizes.iter().max().copied().unwrap_or(0) / 4;
    // Values that stay normal under repeated scaling (no subnormal slow paths).
    let input: Vec<f32> = (0..max_elements)
        .map(|i| 1.0 + (i % 1000) as f32 / 1000.0)
        .collect();
    let mut output = vec![0.0f32; max_elements];
    let mut rng = XorShiftRng::seed_from_u64(1);
    // Room for the mask of the case with the most maps (one element per map at most).
    let mut keep = vec![0u32; mask_words(max_elements)];

    println!(
        "spatial-dropout throughput ({} mode): GB/s = (bytes read + written) / best time",
        if quick { "quick" } else { "full" }
    );
    println!(
        "baselines: copy = output.copy_from_slice(input); in-place = for x in data {{ *x *= scale }}"
    );
    println!(
        "ratio = baseline time / kernel time; limit = (baseline time + draw time) / kernel time, \
         draws = the same scheme deciding the same maps into mask words"
    );
    println!(
        "ceiling = (baseline time + draw time) / (plain writes time + draw time), plain writes = \
         the baseline's scale loop over kept maps (and channels_last samples with kept and \
         dropped maps) and fill(0.0) over dropped runs, decisions known: the limit ratio of a \
         kernel with no cost beyond its draws and those writes"
    );
    println!(
        "timing: best of {} interleaved samples of >= {:?} each (fewer for calls over 5 ms)",
        settings.rounds, settings.sample
    );
    println!(
        "{:<9} {:<15} {:>9} {:>4} {:>4} {:<8} {:>11} {:>10} {:>9} {:>6} {:>6} {:>7}",
        "mode",
        "format",
        "size",
        "ch",
        "rate",
        "scheme",
        "kernel GB/s",
        "base GB/s",
        "draws us",
        "ratio",
        "limit",
        "ceiling"
    );

    let mut worst: Option<(f64, String)> = None;
    let mut worst_limit: Option<(f64, String)> = None;
    // Cases run, cases at limit >= 0.9 per scheme (keras, xorshift), cases whose ceiling is
    // below 0.9, and the worst limit ratio among the others.
    let (mut cases, mut reached, mut out_of_reach, mut gaps) = (0, [0; 2], 0, 0);
    let mut worst_within: Option<(f64, String)> = None;
    for &bytes in &settings.sizes {
        for mode in [Mode::OutOfPlace, Mode::InPlace] {
            for format in FORMATS {
                for channels in CHANNELS {
                    for rate in RATES {
                        for scheme in SCHEMES {
                            let shape = shape_for(bytes, channels, format);
                            let n = shape.len();
                            let case = format!(
                                "{} {} {} ch={} rate={} {}",
                                mode.name(),
                                format.as_str(),
                                size_label(bytes),
                                channels,
                                rate,
                                scheme
                            );
                            if !filters.is_empty() && !filters.iter().any(|f| case.contains(f)) {
                                continue;
                            }
                            let rate = Rate::new(rate).expect("bench rates are valid");
                            let scale = rate.scale();
                            let dims = shape.dims();
                            let mut layer = SpatialDropout3D::with_rate(rate)
                                .with_data_format(format)
                                .with_masks(scheme)
                                .with_seed(1);
                            let x = &input[..n];
                            let y = std::cell::RefCell::new(&mut output[..n]);
                            let mut plain = PlainWrites::new(&shape, rate, &mut keep, &mut rng);
                            let [kernel, base, writes] = match mode {
                                Mode::OutOfPlace => race(
                                    &clock,
                                    settings.rounds,
                                    settings.sample,
                                    [
                                        &mut || {
                                            let mut y = y.borrow_mut();
                                            layer
                                                .call(
                                                    black_box(x),
                                                    &dims,
                                                    black_box(&mut **y),
                                                    true,
                                                )
                                                .expect("lengths match");
                                            black_box(&mut **y);
                                        },
                                        &mut || {
                                            let mut y = y.borrow_mut();
                                            black_box(&mut **y).copy_from_slice(black_box(x));
                                            black_box(&mut **y);
                                        },
                                        &mut || {
                                            let mut y = y.borrow_mut();
                                            plain.copy(black_box(x), black_box(&mut **y));
                                            black_box(&mut **y);
                                        },
                                    ],
                                ),
                                Mode::InPlace => {
                                    y.borrow_mut().copy_from_slice(x);
                                    race(
                                        &clock,
                                        settings.rounds,
                                        settings.sample,
                                        [
                                            &mut || {
                                                let mut y = y.borrow_mut();
                                                layer
                                                    .call_in_place(black_box(&mut **y), &dims, true)
                                                    .expect("lengths match");
                                                black_box(&mut **y);
                                            },
                                            &mut || {
                                                let mut y = y.borrow_mut();
                                                let scale = black_box(scale);
                                                for v in black_box(&mut **y).iter_mut() {
                                                    *v *= scale;
                                                }
                                                black_box(&mut **y);
                                            },
                                            &mut || {
                                                let mut y = y.borrow_mut();
                                                plain.in_place(black_box(&mut **y));
                                                black_box(&mut **y);
                                            },
                                        ],
                                    )
                                }
                            };
                            let draws = draw_time(
                                &clock,
                                (settings.rounds.min(7), settings.sample),
                                scheme,
                                shape.maps(),
                                rate,
                                &mut keep,
                                &mut rng,
                            );
                            let moved = 2.0 * (n * 4) as f64;
                            let ratio = base / kernel;
                            let limit = (base + draws) / kernel;
                            let ceiling = (base + draws) / (writes + draws);
                            println!(
                                "{:<9} {:<15} {:>9} {:>4} {:>4} {:<8} {:>11.2} {:>10.2} {:>9.2} {:>6.3} {:>6.3} {:>7.3}",
                                mode.name(),
                                format.as_str(),
                                size_label(bytes),
                                channels,
                                rate.get(),
                                scheme.as_str(),
                                moved / kernel / 1e9,
                                moved / base / 1e9,
                                draws * 1e6,
                                ratio,
                                limit,
                                ceiling
                            );
                            cases += 1;
                            if limit >= 0.9 {
                                reached[usize::from(scheme == Masks::XorShift)] += 1;
                            }
                            match (limit < 0.9, ceiling < 0.9) {
                                (true, true) => out_of_reach += 1,
                                (true, false) => gaps += 1,
                                _ => {}
                            }
                            if ceiling >= 0.9
                                && worst_within.as_ref().is_none_or(|(w, _)| limit < *w)
                            {
                                worst_within = Some((limit, case.clone()));
                            }
                            if worst.as_ref().is_none_or(|(w, _)| ratio < *w) {
                                worst = Some((ratio, case.clone()));
                            }
                            if worst_limit.as_ref().is_none_or(|(w, _)| limit < *w) {
                                worst_limit = Some((limit, case));
                            }
                        }
                    }
                }
            }
        }
    }
    drop(output);
    drop(input);

    // The draws alone, per map: 65,536 maps into mask words, best of the rounds.
    let maps = 1 << 16;
    let rate = Rate::new(0.5).expect("valid rate");
    for scheme in SCHEMES {
        let t = draw_time(
            &clock,
            (settings.tiny_rounds, Duration::from_millis(2)),
            scheme,
            maps,
            rate,
            &mut keep,
            &mut rng,
        );
        println!(
            "draws per map, {scheme} scheme ({maps} maps into mask words): {:.2} ns \
             (target for keras <= 1.5 ns on x86-64 baseline)",
            t * 1e9 / maps as f64
        );
    }

    // The tiny call: 1×4×4×4×8 (512 elements), channels_last, rate 0.5.
    let dims = [1, 4, 4, 4, 8];
    let x: Vec<f32> = (0..512).map(|i| i as f32).collect();
    let mut y = vec![0.0f32; 512];
    let copy_ns = latency(&clock, settings.tiny_rounds, &mut || {
        black_box(&mut y).copy_from_slice(black_box(&x));
    });
    for scheme in SCHEMES {
        let mut layer = SpatialDropout3D::with_rate(rate)
            .with_masks(scheme)
            .with_seed(1);
        let layer_ns = latency(&clock, settings.tiny_rounds, &mut || {
            layer
                .call(black_box(&x), black_box(&dims), black_box(&mut y), true)
                .expect("lengths match");
        });
        println!(
            "tiny call 1x4x4x4x8 channels_last rate 0.5, {scheme} scheme: layer.call \
             {layer_ns:.1} ns (copy_from_slice {copy_ns:.1} ns; target <= 100 ns)"
        );
    }
    apply_mask_time(&clock, settings.tiny_rounds, rate, &mut keep, &mut rng);
    println!("bench time: {:.1} s", started.elapsed().as_secs_f64());
    match worst {
        Some((ratio, case)) => println!("worst ratio: {ratio:.3} ({case})"),
        None => println!("worst ratio: none (no case)"),
    }
    println!(
        "cases with limit ratio >= 0.9: {} of {cases} (keras {}, xorshift {})",
        reached[0] + reached[1],
        reached[0],
        reached[1]
    );
    println!(
        "cases below 0.9: {} = {out_of_reach} whose ceiling is below 0.9 too (the plain writes \
         alone miss the bar in this build) + {gaps} whose ceiling is >= 0.9",
        out_of_reach + gaps
    );
    match worst_within {
        Some((limit, case)) => {
            println!("worst limit ratio where the ceiling is >= 0.9: {limit:.3} ({case})")
        }
        None => println!("worst limit ratio where the ceiling is >= 0.9: none (no case)"),
    }
    match worst_limit {
        Some((limit, case)) => println!("worst limit ratio: {limit:.3} ({case})"),
        None => println!("worst limit ratio: none (no case)"),
    }
}
