//! The kernels and `Shape` on arbitrary dims, slice lengths, rates, seeds and layouts: every call
//! either fails without touching the output or matches the reference model bit for bit.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use spatial_dropout::{
    DataFormat, Rate, SeedableRng, Shape, XorShiftRng, apply_mask, apply_mask_in_place, draw_mask,
    mask_words, spatial_dropout, spatial_dropout_in_place,
};

#[path = "reference.rs"]
mod reference;

#[derive(Debug, Arbitrary)]
struct Case {
    dims: Vec<u16>,
    big_dims: bool,
    rate_bits: u64,
    rate_choice: u8,
    seed: u64,
    channels_first: bool,
    len_delta: i8,
    mask_delta: i8,
    values: Vec<u32>,
}

const MAX_LEN: usize = 1 << 16;

fn rate_of(case: &Case) -> f64 {
    match case.rate_choice % 6 {
        0 => 0.0,
        1 => 1.0,
        2 => 0.5,
        3 => f64::from_bits(case.rate_bits), // anything: NaN, inf, negative, tiny
        4 => (case.rate_bits >> 11) as f64 / (1u64 << 53) as f64,
        _ => 1.0 - 1e-12,
    }
}

fuzz_target!(|case: Case| {
    let format = if case.channels_first {
        DataFormat::ChannelsFirst
    } else {
        DataFormat::ChannelsLast
    };
    let dims: Vec<usize> = case
        .dims
        .iter()
        .map(|&d| {
            if case.big_dims {
                usize::from(d) << 48 | usize::from(d)
            } else {
                usize::from(d % 9)
            }
        })
        .collect();
    match dims.len() {
        3 => run::<1>(&case, &dims, format),
        4 => run::<2>(&case, &dims, format),
        5 => run::<3>(&case, &dims, format),
        _ => {
            assert!(Shape::<1>::from_dims(&dims, format).is_err());
            assert!(Shape::<2>::from_dims(&dims, format).is_err());
            assert!(Shape::<3>::from_dims(&dims, format).is_err());
        }
    }
});

fn run<const S: usize>(case: &Case, dims: &[usize], format: DataFormat) {
    let overflows = shape_overflows(dims, format);
    let Ok(shape) = Shape::<S>::from_dims(dims, format) else {
        // Only a product that does not fit in usize may be refused.
        assert!(overflows);
        return;
    };
    assert!(!overflows);
    assert_eq!(shape.dims().as_slice(), dims);
    let rate = match Rate::new(rate_of(case)) {
        Ok(rate) => rate,
        Err(_) => {
            let r = rate_of(case);
            assert!(!(0.0..=1.0).contains(&r));
            return;
        }
    };
    if shape.len() > MAX_LEN {
        return;
    }
    let len = (shape.len() as isize
        + isize::from(case.len_delta % 3 == 0) * isize::from(case.len_delta))
    .max(0) as usize;
    let input: Vec<f32> = (0..len)
        .map(|i| {
            f32::from_bits(
                case.values
                    .get(i % case.values.len().max(1))
                    .copied()
                    .unwrap_or(i as u32),
            )
        })
        .collect();
    let sentinel = f32::from_bits(0x7fc0_dead);

    // Out of place.
    let mut output = vec![sentinel; shape.len()];
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let result = spatial_dropout(&input, &mut output, &shape, rate, &mut rng);
    if len != shape.len() {
        assert!(result.is_err());
        assert!(output.iter().all(|y| y.to_bits() == sentinel.to_bits()));
        assert_eq!(
            rng,
            XorShiftRng::seed_from_u64(case.seed),
            "a failed call drew"
        );
        return;
    }
    result.unwrap();
    // A tensor with no elements decides nothing, whatever its batch.
    let decided = if shape.is_empty() { 0 } else { shape.maps() };
    let mut reference_rng = XorShiftRng::seed_from_u64(case.seed);
    let keep = reference::decisions(decided, rate, &mut reference_rng);
    assert_eq!(rng, reference_rng, "draw count differs from the contract");
    let expected = reference::forward(&input, dims, format, rate, &keep);
    assert!(reference::same_bits(&output, &expected));

    // In place: same bits, same draws.
    let mut data = input.clone();
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    spatial_dropout_in_place(&mut data, &shape, rate, &mut rng).unwrap();
    assert!(reference::same_bits(&data, &expected));
    assert_eq!(rng, reference_rng);

    // Explicit masks, including too-short mask slices.
    let words = mask_words(shape.maps());
    let mask_len = (words as isize + isize::from(case.mask_delta % 4)).max(0) as usize;
    let mut mask = vec![0xA5A5_A5A5u32; mask_len];
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let result = draw_mask(&mut mask, shape.maps(), rate, &mut rng);
    if mask_len < words {
        assert!(result.is_err());
        assert!(mask.iter().all(|&w| w == 0xA5A5_A5A5));
        assert_eq!(rng, XorShiftRng::seed_from_u64(case.seed));
        let mut output = vec![sentinel; shape.len()];
        assert!(apply_mask(&input, &mut output, &shape, rate, &mask).is_err());
        assert!(output.iter().all(|y| y.to_bits() == sentinel.to_bits()));
        return;
    }
    result.unwrap();
    // draw_mask knows maps, not elements: it decides every map.
    let mut reference_rng = XorShiftRng::seed_from_u64(case.seed);
    let keep = reference::decisions(shape.maps(), rate, &mut reference_rng);
    assert_eq!(rng, reference_rng);
    for (m, &k) in keep.iter().enumerate() {
        assert_eq!(mask[m / 32] >> (m % 32) & 1 == 1, k);
    }
    let mut output = vec![sentinel; shape.len()];
    apply_mask(&input, &mut output, &shape, rate, &mask).unwrap();
    assert!(reference::same_bits(&output, &expected));
    let mut data = input;
    apply_mask_in_place(&mut data, &shape, rate, &mask).unwrap();
    assert!(reference::same_bits(&data, &expected));
}

/// Whether `map_len`, `maps`, a sample's length or the element count does not fit in `usize`: the products a
/// `Shape` holds, computed here in `u128` (where they cannot wrap for dims below 2^64).
fn shape_overflows(dims: &[usize], format: DataFormat) -> bool {
    let (channels, spatial) = match format {
        DataFormat::ChannelsFirst => (dims[1], &dims[2..]),
        DataFormat::ChannelsLast => (dims[dims.len() - 1], &dims[1..dims.len() - 1]),
    };
    let fits = |x: Option<u128>| x.is_some_and(|x| x <= usize::MAX as u128);
    let map_len = spatial
        .iter()
        .try_fold(1u128, |a, &d| a.checked_mul(d as u128));
    let maps = (dims[0] as u128).checked_mul(channels as u128);
    let sample = map_len.and_then(|a| a.checked_mul(channels as u128));
    let len = map_len.zip(maps).and_then(|(a, b)| a.checked_mul(b));
    !(fits(map_len) && fits(maps) && fits(sample) && fits(len))
}
