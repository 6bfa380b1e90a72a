//! Known answers: exact mask words and output bits for fixed seeds, from the independent Python
//! model in `tests/vectors/make_known_answers.py`, through every public path (the layer out of
//! place and in place, the kernels, draw_mask + apply_mask, backward), with draw counts. These
//! pin the XorShift scheme (the crate's 0.1 masks, still what the stateless kernels draw with
//! any generator); tests/keras_masks.rs pins the Keras scheme against TensorFlow.

mod common;

use common::{Counting, bits, kat_input};
use serde_json::Value;
use spatial_dropout::{
    DataFormat, Masks, Rate, Rng, SeedableRng, Shape, SpatialDropout, SpatialDropout1D,
    SpatialDropout2D, SpatialDropout3D, XorShiftRng, apply_mask, apply_mask_in_place, draw_mask,
    mask_words, spatial_dropout, spatial_dropout_in_place,
};

const VECTORS: &str = include_str!("vectors/known_answers.json");

/// A value no path writes: a quiet NaN with a payload.
const SENTINEL: u32 = 0x7fc0_beef;

struct Call {
    mask: Vec<u32>,
    output_bits: Vec<u32>,
}

struct Case {
    name: String,
    seed: u64,
    rate: f64,
    rank: u64,
    format: DataFormat,
    dims: Vec<usize>,
    calls: Vec<Call>,
}

fn u32s(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|w| u32::try_from(w.as_u64().expect("integer")).expect("u32"))
        .collect()
}

fn cases() -> Vec<Case> {
    let doc: Value = serde_json::from_str(VECTORS).expect("valid JSON");
    assert_eq!(doc["format"], "spatial-dropout known answers v1");
    doc["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().expect("name").to_owned(),
            seed: c["seed"].as_u64().expect("seed"),
            rate: c["rate"].as_f64().expect("rate"),
            rank: c["rank"].as_u64().expect("rank"),
            format: c["data_format"]
                .as_str()
                .expect("data_format")
                .parse()
                .expect("known format"),
            dims: c["dims"]
                .as_array()
                .expect("dims")
                .iter()
                .map(|d| usize::try_from(d.as_u64().expect("dim")).expect("usize"))
                .collect(),
            calls: c["calls"]
                .as_array()
                .expect("calls")
                .iter()
                .map(|k| Call {
                    mask: u32s(&k["mask"]),
                    output_bits: u32s(&k["output_bits"]),
                })
                .collect(),
        })
        .collect()
}

fn sentinel(n: usize) -> Vec<f32> {
    vec![f32::from_bits(SENTINEL); n]
}

/// Runs one case through every path. `layer` and `layer_in_place` are fresh layers built from
/// the case's config.
fn check_case<const S: usize>(
    case: &Case,
    mut layer: SpatialDropout<S>,
    mut layer_in_place: SpatialDropout<S>,
) {
    let name = &case.name;
    let rate = Rate::new(case.rate).unwrap();
    let shape = Shape::<S>::from_dims(&case.dims, case.format).unwrap();
    assert_eq!(&*shape.dims(), &case.dims[..], "{name}");
    let n = shape.len();
    let x: Vec<f32> = (0..n).map(kat_input).collect();
    // A tensor with no elements decides nothing, whatever its batch.
    let decided = if n == 0 { 0 } else { shape.maps() };
    let draws_per_call = if rate.get() > 0.0 && rate.get() < 1.0 {
        decided
    } else {
        0
    };

    let mut kernel_rng = Counting::seeded(case.seed);
    let mut in_place_rng = Counting::seeded(case.seed);
    let mut mask_rng = Counting::seeded(case.seed);

    for (k, call) in case.calls.iter().enumerate() {
        let what = format!("{name}, call {k}");
        assert_eq!(call.output_bits.len(), n, "{what}");
        assert_eq!(call.mask.len(), mask_words(decided), "{what}");

        // The layer, out of place, and backward replaying it on the input as gradient.
        let mut y = sentinel(n);
        layer.call(&x, &case.dims, &mut y, true).unwrap();
        assert_eq!(bits(&y), call.output_bits, "{what}: layer.call");
        let mut g = sentinel(n);
        layer.backward(&x, &case.dims, &mut g).unwrap();
        assert_eq!(bits(&g), call.output_bits, "{what}: layer.backward");

        // The layer, in place.
        let mut data = x.clone();
        layer_in_place
            .call_in_place(&mut data, &case.dims, true)
            .unwrap();
        assert_eq!(bits(&data), call.output_bits, "{what}: layer.call_in_place");

        // The kernels, with draw counts.
        let before = kernel_rng.u32_draws;
        let mut y = sentinel(n);
        spatial_dropout(&x, &mut y, &shape, rate, &mut kernel_rng).unwrap();
        assert_eq!(bits(&y), call.output_bits, "{what}: spatial_dropout");
        assert_eq!(kernel_rng.u32_draws - before, draws_per_call, "{what}");

        let before = in_place_rng.u32_draws;
        let mut data = x.clone();
        spatial_dropout_in_place(&mut data, &shape, rate, &mut in_place_rng).unwrap();
        assert_eq!(bits(&data), call.output_bits, "{what}: in place");
        assert_eq!(in_place_rng.u32_draws - before, draws_per_call, "{what}");

        // An explicit mask: the words, untouched words past the mask, then both appliers.
        let before = mask_rng.u32_draws;
        let words = call.mask.len();
        let mut keep = vec![0xdead_beef_u32; words + 2];
        draw_mask(&mut keep, decided, rate, &mut mask_rng).unwrap();
        assert_eq!(&keep[..words], &call.mask[..], "{what}: draw_mask");
        assert_eq!(&keep[words..], &[0xdead_beef; 2], "{what}: past the mask");
        assert_eq!(mask_rng.u32_draws - before, draws_per_call, "{what}");

        // An empty tensor's mask must still have a word per 32 maps; its bits do not matter.
        let mut mask = call.mask.clone();
        mask.resize(mask_words(shape.maps()), 0);
        let call_mask = &mask;
        let mut y = sentinel(n);
        apply_mask(&x, &mut y, &shape, rate, call_mask).unwrap();
        assert_eq!(bits(&y), call.output_bits, "{what}: apply_mask");
        let mut data = x.clone();
        apply_mask_in_place(&mut data, &shape, rate, call_mask).unwrap();
        assert_eq!(bits(&data), call.output_bits, "{what}: apply_mask_in_place");
    }

    for rng in [&kernel_rng, &in_place_rng, &mask_rng] {
        assert_eq!(rng.other_draws, 0, "{name}: only next_u32 is used");
    }
    // Every path left its generator at the same point as the layers.
    let next = kernel_rng.inner.clone().next_u32();
    assert_eq!(in_place_rng.inner.next_u32(), next, "{name}");
    assert_eq!(mask_rng.inner.next_u32(), next, "{name}");
    let mut probe = XorShiftRng::seed_from_u64(case.seed);
    for _ in 0..case.calls.len() * draws_per_call {
        probe.next_u32();
    }
    assert_eq!(
        probe.clone().next_u32(),
        next,
        "{name}: draws = calls × maps"
    );
    assert_masks_continue(case, &mut layer, &mut layer_in_place, &mut probe, shape);
}

/// The layers' generators are where the probe is: their next masks agree with it.
fn assert_masks_continue<const S: usize>(
    case: &Case,
    layer: &mut SpatialDropout<S>,
    layer_in_place: &mut SpatialDropout<S>,
    probe: &mut XorShiftRng,
    shape: Shape<S>,
) {
    let n = shape.len();
    let x: Vec<f32> = (0..n).map(kat_input).collect();
    let rate = layer.rate();
    let mut expected = sentinel(n);
    spatial_dropout(&x, &mut expected, &shape, rate, probe).unwrap();
    let mut y = sentinel(n);
    layer.call(&x, &case.dims, &mut y, true).unwrap();
    assert_eq!(
        bits(&y),
        bits(&expected),
        "{}: layer's next mask",
        case.name
    );
    let mut data = x.clone();
    layer_in_place
        .call_in_place(&mut data, &case.dims, true)
        .unwrap();
    assert_eq!(bits(&data), bits(&expected), "{}: in place", case.name);
}

#[test]
fn every_known_answer_case_through_every_path() {
    let cases = cases();
    assert!(cases.len() >= 16, "the brief asks for at least 16 cases");
    for case in &cases {
        assert!(
            case.seed < 1 << 53,
            "{}: seeds must survive a JS number",
            case.name
        );
        assert!(case.calls.len() >= 2, "{}", case.name);
        match case.rank {
            1 => {
                assert_eq!(case.format, DataFormat::ChannelsLast, "{}", case.name);
                let make = || {
                    SpatialDropout1D::new(case.rate)
                        .unwrap()
                        .with_seed(case.seed)
                        .with_masks(Masks::XorShift)
                };
                check_case::<1>(case, make(), make());
            }
            2 => {
                let make = || {
                    SpatialDropout2D::new(case.rate)
                        .unwrap()
                        .with_seed(case.seed)
                        .with_masks(Masks::XorShift)
                        .with_data_format(case.format)
                };
                check_case::<2>(case, make(), make());
            }
            3 => {
                let make = || {
                    SpatialDropout3D::new(case.rate)
                        .unwrap()
                        .with_seed(case.seed)
                        .with_masks(Masks::XorShift)
                        .with_data_format(case.format)
                };
                check_case::<3>(case, make(), make());
            }
            r => panic!("{}: rank {r}", case.name),
        }
    }
}

/// What the vectors must cover, so that trimming the file cannot silently drop a path.
#[test]
fn vectors_cover_the_required_ground() {
    let cases = cases();
    let has = |f: &dyn Fn(&Case) -> bool| cases.iter().any(f);
    for rank in 1..=3 {
        assert!(has(&|c| c.rank == rank), "rank {rank}");
    }
    for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
        assert!(has(&|c| c.format == format), "{format}");
    }
    for rate in [
        0.5,
        0.1,
        0.25,
        1.0 / 3.0,
        0.9,
        2f64.powi(-33),
        1.0 - 1e-12,
        0.0,
        1.0,
    ] {
        assert!(has(&|c| c.rate == rate), "rate {rate}");
    }
    assert!(has(&|c| c.seed == 0));
    assert!(has(&|c| c.seed > 1 << 52));
    let channels = |c: &Case| match c.format {
        DataFormat::ChannelsFirst => c.dims[1],
        DataFormat::ChannelsLast => *c.dims.last().unwrap(),
    };
    for ch in [1, 3, 8, 64] {
        assert!(has(&|c| channels(c) == ch), "{ch} channels");
    }
    // More channels than the kernel's 64 lanes, channels_last.
    assert!(has(
        &|c| c.format == DataFormat::ChannelsLast && channels(c) > 128
    ));
    // Empty tensors with maps, which draw nothing.
    assert!(has(&|c| c.dims.contains(&0)
        && c.dims[0] != 0
        && c.calls[0].mask.is_empty()));
}

// Hand-pinned constants: these pin the Python model and the Rust crate to the same numbers
// independently of the JSON file.

#[test]
fn seed_from_u64_first_draws() {
    let mut rng = XorShiftRng::seed_from_u64(0);
    let got: Vec<u32> = (0..4).map(|_| rng.next_u32()).collect();
    assert_eq!(got, [0xcbeeced5, 0xe3a70b94, 0xa7211daf, 0x6fed90d0]);

    let mut rng = XorShiftRng::seed_from_u64(42);
    let got: Vec<u32> = (0..4).map(|_| rng.next_u32()).collect();
    assert_eq!(got, [0xcfbf6560, 0x2cf3213d, 0xed54aaa1, 0xf553e12b]);

    let mut rng = XorShiftRng::seed_from_u64((1 << 53) - 1);
    assert_eq!(rng.next_u32(), 0xc738e149);
}

#[test]
fn seed_from_u64_expands_with_pcg32_little_endian() {
    // The 16 seed bytes rand_core 0.10 builds from 0 and 42 (four PCG32 outputs, LE).
    let seed0: [u8; 16] = [
        0xec, 0xf2, 0x73, 0xf9, 0x81, 0xb5, 0xcd, 0x45, 0x87, 0xf0, 0x46, 0x73, 0x06, 0xad, 0x6c,
        0xad,
    ];
    let seed42: [u8; 16] = [
        0xa4, 0x8f, 0xa1, 0x7b, 0x58, 0x32, 0x3d, 0x0a, 0xea, 0xb8, 0xa1, 0xcc, 0x69, 0x01, 0x14,
        0xb8,
    ];
    for (seed, bytes) in [(0, seed0), (42, seed42)] {
        let mut a = XorShiftRng::seed_from_u64(seed);
        let mut b = XorShiftRng::from_seed(bytes);
        for _ in 0..8 {
            assert_eq!(a.next_u32(), b.next_u32());
        }
    }
}

#[test]
fn all_zero_seed_is_replaced() {
    let mut rng = XorShiftRng::from_seed([0; 16]);
    let got: Vec<u32> = (0..3).map(|_| rng.next_u32()).collect();
    assert_eq!(got, [0x6a963343, 0x0bad52ca, 0x6a963f64]);
}

#[test]
fn thresholds_and_scales() {
    let pinned: [(f64, u64, u32); 10] = [
        (0.5, 2_147_483_648, 0x4000_0000),
        (0.1, 3_865_470_566, 0x3f8e_38e4),
        (0.25, 3_221_225_472, 0x3faa_aaab),
        (1.0 / 3.0, 2_863_311_531, 0x3fc0_0000),
        (0.9, 429_496_730, 0x4120_0000),
        (0.2, 3_435_973_837, 0x3fa0_0000),
        // (1 − 2⁻³³) · 2³² = 2³² − ½ rounds away from zero: every draw is kept.
        (2f64.powi(-33), 4_294_967_296, 0x3f80_0000),
        // About 0.0043 rounds to 0: every draw is dropped, yet draws happen.
        (1.0 - 1e-12, 0, 0x5368_d5f7),
        (0.0, 4_294_967_296, 0x3f80_0000),
        (1.0, 0, 0x7f80_0000),
    ];
    for (rate, threshold, scale) in pinned {
        let r = Rate::new(rate).unwrap();
        assert_eq!(r.threshold(), threshold, "threshold of {rate}");
        assert_eq!(r.scale().to_bits(), scale, "scale of {rate}");
        assert_eq!(r.get().to_bits(), rate.to_bits());
    }
    // Below 2⁻³³ every draw is kept; at 0.75 · 2⁻³² the product is 2³² − ¾ and rounds to
    // 2³² − 1, so the one draw u32::MAX is dropped.
    let below = Rate::new(2f64.powi(-33) * 0.75).unwrap();
    assert_eq!(below.threshold(), 4_294_967_296);
    let above = Rate::new(2f64.powi(-32) * 0.75).unwrap();
    assert_eq!(above.threshold(), 4_294_967_295);
}

#[test]
fn threshold_is_a_strict_comparison() {
    // Draws equal to the threshold are dropped, one below kept: rate 0.5 → threshold 2³¹.
    let rate = Rate::new(0.5).unwrap();
    let values = [0x7fff_ffff, 0x8000_0000, 0, u32::MAX];
    let mut rng = common::Script {
        values: &values,
        next: 0,
    };
    let mut keep = [0u32; 1];
    draw_mask(&mut keep, 4, rate, &mut rng).unwrap();
    assert_eq!(keep, [0b0101]);
    assert_eq!(rng.next, 4);
}

#[test]
fn map_order_is_sample_major_for_both_layouts() {
    // 2 samples × 3 channels: draws 0..6 go to maps (n, c) = (0,0) (0,1) (0,2) (1,0) (1,1) (1,2).
    let rate = Rate::new(0.5).unwrap();
    let values = [0, u32::MAX, 0, u32::MAX, u32::MAX, 0]; // kept: maps 0, 2, 5
    for format in [DataFormat::ChannelsFirst, DataFormat::ChannelsLast] {
        let dims = match format {
            DataFormat::ChannelsFirst => [2, 3, 2],
            DataFormat::ChannelsLast => [2, 2, 3],
        };
        let shape = Shape::<1>::from_dims(&dims, format).unwrap();
        let x: Vec<f32> = (1..=12).map(|v| v as f32).collect();
        let mut y = vec![f32::NAN; 12];
        let mut rng = common::Script {
            values: &values,
            next: 0,
        };
        spatial_dropout(&x, &mut y, &shape, rate, &mut rng).unwrap();
        let expected: [f32; 12] = match format {
            // [n][c][p]
            DataFormat::ChannelsFirst => [
                2.0, 4.0, 0.0, 0.0, 10.0, 12.0, 0.0, 0.0, 0.0, 0.0, 22.0, 24.0,
            ],
            // [n][p][c]
            DataFormat::ChannelsLast => [
                2.0, 0.0, 6.0, 8.0, 0.0, 12.0, 0.0, 0.0, 18.0, 0.0, 0.0, 24.0,
            ],
        };
        assert_eq!(y, expected, "{format}");
    }
}

#[test]
fn unseeded_layers_start_from_seed_zero_and_reseed_restarts() {
    let dims = [3, 2, 2, 40];
    let x: Vec<f32> = (0..480).map(kat_input).collect();
    let run = |layer: &mut SpatialDropout2D| {
        let mut y = vec![0.0; 480];
        layer.call(&x, &dims, &mut y, true).unwrap();
        bits(&y)
    };
    let mut unseeded = SpatialDropout2D::new(0.25).unwrap();
    let mut zero = SpatialDropout2D::new(0.25).unwrap().with_seed(0);
    assert_eq!(unseeded.seed(), None);
    assert_eq!(run(&mut unseeded), run(&mut zero));
    assert_eq!(run(&mut unseeded), run(&mut zero));

    // reseed restarts the generator but keeps the config seed.
    let mut seeded = SpatialDropout2D::new(0.25).unwrap().with_seed(42);
    let first = run(&mut seeded);
    run(&mut seeded);
    seeded.reseed(42);
    assert_eq!(seeded.seed(), Some(42));
    assert_eq!(run(&mut seeded), first);
    unseeded.reseed(42);
    assert_eq!(unseeded.seed(), None);
    assert_eq!(run(&mut unseeded), first);
}
