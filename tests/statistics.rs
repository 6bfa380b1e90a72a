//! Statistical quality of the masks, over more than 10⁶ maps per test. Every generator is seeded,
//! so each test computes the same statistic on every run: it cannot flake, and a change of the
//! drawing code that skews the masks fails it.
//!
//! Critical values are for a significance of 0.001 (two-sided z = 3.29; chi-square quantiles by
//! the Wilson–Hilferty approximation).

use spatial_dropout::{Rate, SeedableRng, SpatialDropout2D, XorShiftRng, draw_mask, mask_words};

const Z_CRIT: f64 = 3.2905; // two-sided, alpha = 0.001
const Z_ONE_SIDED: f64 = 3.0902; // one-sided, alpha = 0.001

/// Upper 0.001 quantile of chi-square with `df` degrees of freedom (Wilson–Hilferty).
fn chi2_crit(df: f64) -> f64 {
    let a = 2.0 / (9.0 * df);
    df * (1.0 - a + Z_ONE_SIDED * a.sqrt()).powi(3)
}

fn bit(words: &[u32], m: usize) -> bool {
    words[m / 32] >> (m % 32) & 1 == 1
}

/// Per-channel keep frequencies: `BATCH × CHANNELS` maps, chi-square over the channels.
#[test]
fn per_channel_keep_frequencies_pass_chi_square() {
    const CHANNELS: usize = 64;
    const BATCH: usize = 16_384; // 1 048 576 maps
    for (seed, rate) in [(0_u64, 0.1), (7, 0.3), (2024, 0.5), (u64::MAX, 0.9)] {
        let rate = Rate::new(rate).unwrap();
        let maps = CHANNELS * BATCH;
        let mut keep = vec![0u32; mask_words(maps)];
        draw_mask(&mut keep, maps, rate, &mut XorShiftRng::seed_from_u64(seed)).unwrap();

        let p = rate.threshold() as f64 / 4_294_967_296.0;
        let expected = BATCH as f64 * p;
        let mut chi2 = 0.0;
        let mut total = 0usize;
        for c in 0..CHANNELS {
            let kept = (0..BATCH).filter(|&n| bit(&keep, n * CHANNELS + c)).count();
            total += kept;
            chi2 += (kept as f64 - expected).powi(2) / (expected * (1.0 - p));
        }
        let crit = chi2_crit(CHANNELS as f64);
        assert!(
            chi2 < crit,
            "seed {seed}, rate {rate:?}: chi2 {chi2:.1} >= {crit:.1}"
        );

        // The overall keep frequency: a z-test on all maps.
        let z = (total as f64 - maps as f64 * p) / (maps as f64 * p * (1.0 - p)).sqrt();
        assert!(z.abs() < Z_CRIT, "seed {seed}, rate {rate:?}: z {z:.2}");
    }
}

/// Wald–Wolfowitz runs test on the keep bits in map order: no clumping, no alternation.
#[test]
fn keep_bits_in_map_order_pass_runs_test() {
    for (seed, rate) in [(1_u64, 0.2), (99, 0.5), (123_456_789, 0.75)] {
        let maps = 1 << 20;
        let mut keep = vec![0u32; mask_words(maps)];
        let rate = Rate::new(rate).unwrap();
        draw_mask(&mut keep, maps, rate, &mut XorShiftRng::seed_from_u64(seed)).unwrap();
        let z = runs_z((0..maps).map(|m| bit(&keep, m)));
        assert!(z.abs() < Z_CRIT, "seed {seed}: runs z {z:.2}");
    }
}

/// Successive training calls of one layer: the masks of call t and t+1 are independent
/// (chi-square on the 2×2 table of (kept at t, kept at t+1) per map), and the sequence of one
/// map's decisions over calls passes the runs test.
#[test]
fn successive_masks_are_independent() {
    const CHANNELS: usize = 32;
    const CALLS: usize = 2048; // 32 × 16 maps × 2048 calls = 1 048 576 decisions
    const BATCH: usize = 16;
    let dims = [BATCH, 1, 1, CHANNELS];
    let maps = BATCH * CHANNELS;
    let ones = vec![1.0_f32; maps];
    let mut out = vec![0.0_f32; maps];
    let mut layer = SpatialDropout2D::new(0.4).unwrap().with_seed(31337);

    let mut history: Vec<Vec<bool>> = (0..maps).map(|_| Vec::with_capacity(CALLS)).collect();
    for _ in 0..CALLS {
        layer.call(&ones, &dims, &mut out, true).unwrap();
        for (m, y) in out.iter().enumerate() {
            history[m].push(*y != 0.0);
        }
    }

    let mut table = [[0f64; 2]; 2];
    for h in &history {
        for pair in h.windows(2) {
            table[usize::from(pair[0])][usize::from(pair[1])] += 1.0;
        }
    }
    let n: f64 = table.iter().flatten().sum();
    let mut chi2 = 0.0;
    for (a, row) in table.iter().enumerate() {
        for (b, &observed) in row.iter().enumerate() {
            let row_sum = table[a][0] + table[a][1];
            let col_sum = table[0][b] + table[1][b];
            let expected = row_sum * col_sum / n;
            chi2 += (observed - expected).powi(2) / expected;
        }
    }
    assert!(chi2 < chi2_crit(1.0), "2x2 chi2 {chi2:.2}");

    let z = runs_z(history.iter().flatten().copied());
    assert!(z.abs() < Z_CRIT, "runs over calls z {z:.2}");
}

/// The z statistic of the Wald–Wolfowitz runs test.
fn runs_z(bits: impl Iterator<Item = bool>) -> f64 {
    let (mut ones, mut zeros, mut runs) = (0f64, 0f64, 0f64);
    let mut previous = None;
    for b in bits {
        if b {
            ones += 1.0
        } else {
            zeros += 1.0
        }
        if previous != Some(b) {
            runs += 1.0;
        }
        previous = Some(b);
    }
    let n = ones + zeros;
    let mean = 2.0 * ones * zeros / n + 1.0;
    let var = (mean - 1.0) * (mean - 2.0) / (n - 1.0);
    (runs - mean) / var.sqrt()
}

/// The statistics above reject bad generators: a counter (perfectly periodic bits) fails the
/// runs test, and a generator that never sets its top bit (keep frequency skewed) fails the
/// frequency test.
#[test]
fn the_tests_reject_bad_generators() {
    struct Counter(u32);
    impl rand_core::TryRng for Counter {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            self.0 = self.0.wrapping_add(0x9E37_79B9);
            Ok(self.0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.try_next_u32()?))
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Ok(())
        }
    }
    struct TopBitClear(XorShiftRng);
    impl rand_core::TryRng for TopBitClear {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            Ok(rand_core::Rng::next_u32(&mut self.0) >> 1)
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            Ok(u64::from(self.try_next_u32()?))
        }
        fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Self::Error> {
            Ok(())
        }
    }

    let maps = 1 << 20;
    let rate = Rate::new(0.5).unwrap();
    let mut keep = vec![0u32; mask_words(maps)];
    draw_mask(&mut keep, maps, rate, &mut Counter(0)).unwrap();
    let z = runs_z((0..maps).map(|m| bit(&keep, m)));
    assert!(
        z.abs() >= Z_CRIT,
        "a counter passed the runs test: z {z:.2}"
    );

    draw_mask(
        &mut keep,
        maps,
        rate,
        &mut TopBitClear(XorShiftRng::seed_from_u64(5)),
    )
    .unwrap();
    let kept = (0..maps).filter(|&m| bit(&keep, m)).count() as f64;
    let z = (kept - maps as f64 * 0.5) / (maps as f64 * 0.25).sqrt();
    assert!(
        z.abs() >= Z_CRIT,
        "a skewed generator passed the frequency test: z {z:.2}"
    );
}
