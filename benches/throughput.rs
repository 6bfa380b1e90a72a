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
//! GB/s counts the bytes read plus the bytes written (2 × the tensor), for kernel and baseline
//! alike. The last lines are the draw cost per map of each scheme, the tiny call, one
//! `apply_mask_in_place` call (mask words given) against its scale loop, `worst ratio: R (case)`
//! and, last, `worst limit ratio: R (case)`.

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

/// Seconds per call of `a` and of `b`: best sample of each over `rounds` interleaved pairs.
fn race(
    clock: &Clock,
    rounds: usize,
    sample: Duration,
    a: &mut dyn FnMut(),
    b: &mut dyn FnMut(),
) -> (f64, f64) {
    let reps = calibrate(clock, sample, a).max(calibrate(clock, sample, b));
    // Big tensors: one call is a long sample already, and memory-bound calls vary little.
    let t = clock.now();
    a();
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
    let (mut best_a, mut best_b) = (f64::INFINITY, f64::INFINITY);
    for round in 0..rounds {
        // Alternate who goes first, so neither always runs on a cache the other warmed.
        if round % 2 == 0 {
            best_a = best_a.min(time(a));
            best_b = best_b.min(time(b));
        } else {
            best_b = best_b.min(time(b));
            best_a = best_a.min(time(a));
        }
    }
    (best_a, best_b)
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
        "timing: best of {} interleaved samples of >= {:?} each (fewer for calls over 5 ms)",
        settings.rounds, settings.sample
    );
    println!(
        "{:<9} {:<15} {:>9} {:>4} {:>4} {:<8} {:>11} {:>10} {:>9} {:>6} {:>6}",
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
        "limit"
    );

    let mut worst: Option<(f64, String)> = None;
    let mut worst_limit: Option<(f64, String)> = None;
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
                            let (kernel, base) = match mode {
                                Mode::OutOfPlace => race(
                                    &clock,
                                    settings.rounds,
                                    settings.sample,
                                    &mut || {
                                        let mut y = y.borrow_mut();
                                        layer
                                            .call(black_box(x), &dims, black_box(&mut **y), true)
                                            .expect("lengths match");
                                        black_box(&mut **y);
                                    },
                                    &mut || {
                                        let mut y = y.borrow_mut();
                                        black_box(&mut **y).copy_from_slice(black_box(x));
                                        black_box(&mut **y);
                                    },
                                ),
                                Mode::InPlace => {
                                    y.borrow_mut().copy_from_slice(x);
                                    race(
                                        &clock,
                                        settings.rounds,
                                        settings.sample,
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
                            println!(
                                "{:<9} {:<15} {:>9} {:>4} {:>4} {:<8} {:>11.2} {:>10.2} {:>9.2} {:>6.3} {:>6.3}",
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
                                limit
                            );
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
    match worst_limit {
        Some((limit, case)) => println!("worst limit ratio: {limit:.3} ({case})"),
        None => println!("worst limit ratio: none (no case)"),
    }
}
