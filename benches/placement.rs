//! How the out-of-place baseline and the crate's loops at 16 KiB depend on where the output
//! sits relative to the input.
//!
//! `cargo bench --bench placement`. The throughput bench's 16 KiB out-of-place cases race
//! `layer.call` against `output.copy_from_slice(input)` (glibc's `memcpy`) on the first 16 KiB
//! of two 256 MiB buffers, which the allocator maps at the same offset within a 4 KiB page. This
//! bench times the same work at 16 KiB with the output placed `d` bytes past a multiple of
//! 4 KiB from the input (`d` = 0 as in the throughput bench; 16 as two 16 KiB `Vec`s from
//! glibc's heap lie; 64; 2,048):
//! - `memcpy`: `output.copy_from_slice(input)`;
//! - `scale`: `for (y, x) in output.iter_mut().zip(input) { *y = x * 2.0 }`, the loop every
//!   element of a kept map needs, built with this build's flags (SSE2 by default; run it with
//!   `RUSTFLAGS="-C target-cpu=x86-64-v3"` or `native` for AVX2 or AVX-512);
//! - `layer 1 ch` and `layer 8 ch`: `layer.call` of the throughput bench's 16 KiB channels_last
//!   shapes with 1 and 8 channels (Keras masks, rate 0.1).
//!
//! Each row's contenders are timed interleaved, best of 25 samples of 2,000 calls; the last
//! columns are each contender's time over `memcpy`'s. It prints numbers and checks nothing
//! about them (it asserts only that the buffers sit where it says).

use std::hint::black_box;
use std::time::Instant;

use spatial_dropout::{DataFormat, Masks, Rate, SpatialDropout3D};

/// Elements of the 16 KiB tensor.
const LEN: usize = 4096;
/// Bytes past a multiple of 4 KiB from the input at which the output starts.
const PLACEMENTS: [usize; 4] = [0, 16, 64, 2048];
const ROUNDS: usize = 25;
const CALLS: usize = 2000;

/// The scale loop of a kept map, out of place (not inlined: one copy, as the kernel's loops).
#[inline(never)]
fn scale(y: &mut [f32], x: &[f32], s: f32) {
    for (y, x) in y.iter_mut().zip(x) {
        *y = x * s;
    }
}

/// Nanoseconds per call of each contender: the best of `ROUNDS` samples, interleaved.
fn race(contenders: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    let mut best = vec![f64::MAX; contenders.len()];
    for _ in 0..ROUNDS {
        for (f, best) in contenders.iter_mut().zip(&mut best) {
            let t = Instant::now();
            for _ in 0..CALLS {
                f();
            }
            *best = best.min(t.elapsed().as_secs_f64() * 1e9 / CALLS as f64);
        }
    }
    best
}

fn main() {
    let features: Vec<&str> = [
        ("sse2", cfg!(target_feature = "sse2")),
        ("avx2", cfg!(target_feature = "avx2")),
        ("avx512f", cfg!(target_feature = "avx512f")),
    ]
    .into_iter()
    .filter_map(|(name, on)| on.then_some(name))
    .collect();
    println!(
        "spatial-dropout placement: 16 KiB out of place, output d bytes past a multiple of 4 KiB \
         from the input; built with: {}",
        if features.is_empty() {
            "none of sse2, avx2, avx512f".into()
        } else {
            features.join(", ")
        }
    );
    println!(
        "{:>6} {:>10} {:>10} {:>12} {:>12} {:>12} {:>17} {:>17}",
        "d (B)",
        "memcpy ns",
        "scale ns",
        "layer 1 ch",
        "layer 8 ch",
        "scale/memcpy",
        "layer 1 ch/memcpy",
        "layer 8 ch/memcpy"
    );
    let rate = Rate::new(0.1).expect("0.1 is a rate");
    // One buffer holds both: the input from a 4 KiB boundary + 16 B (where the throughput
    // bench's mmap'd buffers start), the output 16 KiB + 4 KiB + d further on.
    let mut buffer = vec![0.0f32; 4 * LEN];
    let base = buffer.as_ptr() as usize;
    let first = (4096 + 16 - base % 4096) % 4096 / 4;
    for d in PLACEMENTS {
        let (head, tail) = buffer.split_at_mut(first + LEN + 1024 + d / 4);
        let x = &mut head[first..first + LEN];
        for (i, v) in x.iter_mut().enumerate() {
            *v = (i % 1000) as f32;
        }
        let x = &*x;
        let y = &mut tail[..LEN];
        let y_addr = y.as_ptr() as usize;
        let x_addr = x.as_ptr() as usize;
        assert_eq!((y_addr - x_addr) % 4096, d, "placement of the output");
        let layer = || {
            SpatialDropout3D::with_rate(rate)
                .with_data_format(DataFormat::ChannelsLast)
                .with_masks(Masks::Keras)
                .with_seed(7)
        };
        let (mut one, mut eight) = (layer(), layer());
        let dims_one = [4, 1, 1, LEN / 4, 1];
        let dims_eight = [4, 1, 1, LEN / 32, 8];
        let y = std::cell::RefCell::new(y);
        let times = race(&mut [
            &mut || black_box(&mut **y.borrow_mut()).copy_from_slice(black_box(x)),
            &mut || scale(black_box(&mut **y.borrow_mut()), black_box(x), 2.0),
            &mut || {
                one.call(
                    black_box(x),
                    &dims_one,
                    black_box(&mut **y.borrow_mut()),
                    true,
                )
                .expect("the shape fits")
            },
            &mut || {
                eight
                    .call(
                        black_box(x),
                        &dims_eight,
                        black_box(&mut **y.borrow_mut()),
                        true,
                    )
                    .expect("the shape fits")
            },
        ]);
        println!(
            "{d:>6} {:>10.0} {:>10.0} {:>12.0} {:>12.0} {:>12.2} {:>17.2} {:>17.2}",
            times[0],
            times[1],
            times[2],
            times[3],
            times[1] / times[0],
            times[2] / times[0],
            times[3] / times[0]
        );
    }
}
