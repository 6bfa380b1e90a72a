//! Properties over random shapes, rates, seeds and input bits, for spatial ranks 1, 2 and 3:
//! layouts agree after a transpose, in place equals out of place, explicit masks equal the
//! kernel, backward equals forward on the gradient, eval keeps every bit, dropped maps are +0.0
//! whatever the input, and the drop frequency matches the rate.

mod common;

use common::{bits, idx_cf, idx_cl, kept, to_channels_first};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use spatial_dropout::{
    DataFormat, Rate, SeedableRng, Shape, SpatialDropout, XorShiftRng, apply_mask,
    apply_mask_in_place, draw_mask, mask_words, spatial_dropout, spatial_dropout_in_place,
};

const CL: DataFormat = DataFormat::ChannelsLast;
const CF: DataFormat = DataFormat::ChannelsFirst;

/// Sets the data format where Keras has one (2D, 3D); 1D layers are channels_last only.
trait Layer: Sized {
    fn in_format(self, format: DataFormat) -> Self;
}
impl Layer for SpatialDropout<1> {
    fn in_format(self, format: DataFormat) -> Self {
        assert_eq!(format, CL, "SpatialDropout1D is channels_last");
        self
    }
}
impl Layer for SpatialDropout<2> {
    fn in_format(self, format: DataFormat) -> Self {
        self.with_data_format(format)
    }
}
impl Layer for SpatialDropout<3> {
    fn in_format(self, format: DataFormat) -> Self {
        self.with_data_format(format)
    }
}

#[derive(Debug, Clone)]
struct Case {
    batch: usize,
    channels: usize,
    spatial: Vec<usize>,
    rate: f64,
    seed: u64,
    /// Raw bits of the input, cycled over the tensor.
    input: Vec<u32>,
}

impl Case {
    fn shape<const S: usize>(&self, format: DataFormat) -> Shape<S> {
        let spatial: [usize; S] = self.spatial.clone().try_into().unwrap();
        Shape::new(self.batch, self.channels, spatial, format).unwrap()
    }
    fn map_len(&self) -> usize {
        self.spatial.iter().product()
    }
    fn x(&self, n: usize) -> Vec<f32> {
        self.input
            .iter()
            .cycle()
            .take(n)
            .map(|&b| f32::from_bits(b))
            .collect()
    }
    fn rate(&self) -> Rate {
        Rate::new(self.rate).unwrap()
    }
}

fn rates() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(1.0),
        Just(0.5),
        Just(2f64.powi(-33)),
        Just(1.0 - 1e-12),
        0.0f64..=1.0,
        0.0f64..=1.0,
    ]
}

/// Any bits, NaN payloads included.
fn any_bits() -> impl Strategy<Value = u32> {
    any::<u32>()
}

/// The values whose products are awkward: NaNs, infinities, signed zeros, subnormals.
fn special_bits() -> impl Strategy<Value = u32> {
    prop_oneof![
        Just(0x7fc0_0000_u32),
        Just(0xffc0_0001),
        Just(0x7f80_0001),
        Just(0x7f80_0000),
        Just(0xff80_0000),
        Just(0x8000_0000),
        Just(0x0000_0000),
        Just(0x0000_0001),
        Just(0x7f7f_ffff),
        any::<u32>(),
    ]
}

fn cases(rank: usize, bits: BoxedStrategy<u32>) -> impl Strategy<Value = Case> {
    let channels = prop_oneof![1usize..=8, 60usize..=70, 125usize..=140, Just(0)];
    (
        0usize..=3,
        channels,
        prop::collection::vec(0usize..=3, rank),
        rates(),
        any::<u64>(),
        prop::collection::vec(bits, 1..=40),
    )
        .prop_map(|(batch, channels, spatial, rate, seed, input)| Case {
            batch,
            channels,
            spatial,
            rate,
            seed,
            input,
        })
}

fn formats(rank: usize) -> Vec<DataFormat> {
    if rank == 1 { vec![CL] } else { vec![CL, CF] }
}

/// The kernel with a generator seeded from the case.
fn kernel<const S: usize>(case: &Case, shape: &Shape<S>, x: &[f32]) -> (Vec<f32>, XorShiftRng) {
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let mut y = vec![f32::from_bits(0x7fc0_dead); x.len()];
    spatial_dropout(x, &mut y, shape, case.rate(), &mut rng).unwrap();
    (y, rng)
}

fn layouts_agree<const S: usize>(case: Case) -> Result<(), TestCaseError> {
    let cl = case.shape::<S>(CL);
    let cf = case.shape::<S>(CF);
    let x_cl = case.x(cl.len());
    let x_cf = to_channels_first(&x_cl, case.batch, case.channels, case.map_len());
    let (y_cl, rng_cl) = kernel(&case, &cl, &x_cl);
    let (y_cf, rng_cf) = kernel(&case, &cf, &x_cf);
    let y_cl_as_cf = to_channels_first(&y_cl, case.batch, case.channels, case.map_len());
    prop_assert_eq!(bits(&y_cl_as_cf), bits(&y_cf));
    prop_assert_eq!(rng_cl, rng_cf);
    Ok(())
}

fn in_place_equals_out_of_place<const S: usize>(case: Case) -> Result<(), TestCaseError> {
    for format in formats(S) {
        let shape = case.shape::<S>(format);
        let x = case.x(shape.len());
        let (y, rng) = kernel(&case, &shape, &x);
        let mut data = x.clone();
        let mut rng2 = XorShiftRng::seed_from_u64(case.seed);
        spatial_dropout_in_place(&mut data, &shape, case.rate(), &mut rng2).unwrap();
        prop_assert_eq!(bits(&data), bits(&y));
        prop_assert_eq!(rng2, rng);
    }
    Ok(())
}

fn explicit_mask_equals_kernel<const S: usize>(case: Case) -> Result<(), TestCaseError> {
    for format in formats(S) {
        let shape = case.shape::<S>(format);
        let x = case.x(shape.len());
        let (y, rng) = kernel(&case, &shape, &x);
        let mut keep = vec![0u32; mask_words(shape.maps())];
        let mut rng2 = XorShiftRng::seed_from_u64(case.seed);
        // A tensor with no elements decides nothing: the kernel drew nothing.
        let decided = if shape.is_empty() { 0 } else { shape.maps() };
        draw_mask(&mut keep, decided, case.rate(), &mut rng2).unwrap();
        prop_assert_eq!(&rng2, &rng);
        // Bits past the last map are clear.
        if shape.maps() % 32 != 0 {
            prop_assert_eq!(keep[keep.len() - 1] >> (shape.maps() % 32), 0);
        }
        let mut y2 = vec![0.0; x.len()];
        apply_mask(&x, &mut y2, &shape, case.rate(), &keep).unwrap();
        prop_assert_eq!(bits(&y2), bits(&y));
        let mut data = x.clone();
        apply_mask_in_place(&mut data, &shape, case.rate(), &keep).unwrap();
        prop_assert_eq!(bits(&data), bits(&y));
    }
    Ok(())
}

fn backward_equals_forward_on_the_gradient<const S: usize>(case: Case) -> Result<(), TestCaseError>
where
    SpatialDropout<S>: Layer,
{
    for format in formats(S) {
        let shape = case.shape::<S>(format);
        let dims = shape.dims();
        let n = shape.len();
        let x = case.x(n);
        // A gradient unlike the input.
        let g: Vec<f32> = x.iter().rev().map(|v| v * -0.5 + 1.0).collect();
        let make = || {
            SpatialDropout::<S>::new(case.rate)
                .unwrap()
                .with_seed(case.seed)
                .in_format(format)
        };
        let mut layer = make();
        let mut replay = make();
        // Training twice, then inference: each backward replays its own forward call.
        for training in [true, true, false] {
            let mut y = vec![0.0; n];
            layer.call(&x, &dims, &mut y, training).unwrap();
            let mut gi = vec![0.0; n];
            layer.backward(&g, &dims, &mut gi).unwrap();
            let mut expected = vec![0.0; n];
            replay.call(&g, &dims, &mut expected, training).unwrap();
            prop_assert_eq!(bits(&gi), bits(&expected));
            // Backward changes nothing: a second one gives the same bits.
            let mut again = vec![0.0; n];
            layer.backward(&g, &dims, &mut again).unwrap();
            prop_assert_eq!(bits(&again), bits(&gi));
        }
    }
    Ok(())
}

fn eval_keeps_every_bit<const S: usize>(case: Case) -> Result<(), TestCaseError>
where
    SpatialDropout<S>: Layer,
{
    for format in formats(S) {
        let shape = case.shape::<S>(format);
        let dims = shape.dims();
        let x = case.x(shape.len());
        let mut layer = SpatialDropout::<S>::new(case.rate)
            .unwrap()
            .with_seed(case.seed)
            .in_format(format);
        let mut y = vec![0.0; x.len()];
        layer.call(&x, &dims, &mut y, false).unwrap();
        prop_assert_eq!(bits(&y), bits(&x));
        let mut data = x.clone();
        layer.call_in_place(&mut data, &dims, false).unwrap();
        prop_assert_eq!(bits(&data), bits(&x));
        // Rate 0 in training is a copy too, bit for bit.
        let zero = Rate::new(0.0).unwrap();
        let mut rng = XorShiftRng::seed_from_u64(case.seed);
        spatial_dropout(&x, &mut y, &shape, zero, &mut rng).unwrap();
        prop_assert_eq!(bits(&y), bits(&x));
        let mut data = x.clone();
        spatial_dropout_in_place(&mut data, &shape, zero, &mut rng).unwrap();
        prop_assert_eq!(bits(&data), bits(&x));
        prop_assert_eq!(rng, XorShiftRng::seed_from_u64(case.seed));
    }
    Ok(())
}

/// Every element of a dropped map is +0.0 (NaN, ±Inf, −0.0 in, +0.0 out); every element of a
/// kept map is `x · scale` (one f32 multiply) — so each map is all-dropped or all-kept.
fn dropped_maps_are_positive_zero<const S: usize>(case: Case) -> Result<(), TestCaseError> {
    for format in formats(S) {
        let shape = case.shape::<S>(format);
        let x = case.x(shape.len());
        let (y, _) = kernel(&case, &shape, &x);
        let mut keep = vec![0u32; mask_words(shape.maps())];
        let mut rng = XorShiftRng::seed_from_u64(case.seed);
        draw_mask(&mut keep, shape.maps(), case.rate(), &mut rng).unwrap();
        let scale = case.rate().scale();
        let map_len = case.map_len();
        for n in 0..case.batch {
            for c in 0..case.channels {
                let m = n * case.channels + c;
                for p in 0..map_len {
                    let i = match format {
                        CF => idx_cf(n, c, p, case.channels, map_len),
                        CL => idx_cl(n, c, p, case.channels, map_len),
                    };
                    let expected = if case.rate == 0.0 {
                        x[i].to_bits()
                    } else if kept(&keep, m) {
                        (x[i] * scale).to_bits()
                    } else {
                        0
                    };
                    prop_assert_eq!(y[i].to_bits(), expected, "map {} at {}", m, p);
                }
            }
        }
    }
    Ok(())
}

/// Over 4096 maps, the number dropped is within 5σ of `maps · rate`.
fn drop_frequency<const S: usize>(rate: f64, seed: u64) -> Result<(), TestCaseError>
where
    SpatialDropout<S>: Layer,
{
    let (batch, channels) = (64, 64);
    let spatial = [2; S];
    let shape = Shape::<S>::new(batch, channels, spatial, CL).unwrap();
    let dims = shape.dims();
    let x = vec![1.0f32; shape.len()];
    let mut y = vec![0.0; shape.len()];
    let mut layer = SpatialDropout::<S>::new(rate).unwrap().with_seed(seed);
    layer.call(&x, &dims, &mut y, true).unwrap();
    let map_len = shape.map_len();
    let dropped = (0..batch * channels)
        .filter(|&m| y[idx_cl(m / channels, m % channels, 0, channels, map_len)] == 0.0)
        .count();
    let maps = (batch * channels) as f64;
    let sigma = (maps * rate * (1.0 - rate)).sqrt();
    prop_assert!(
        (dropped as f64 - maps * rate).abs() <= 5.0 * sigma,
        "rate {}: {} of {} dropped",
        rate,
        dropped,
        maps
    );
    Ok(())
}

/// A shape's accessors agree with its dims, and `from_dims(dims())` gives it back.
fn shape_round_trips<const S: usize>(case: Case) -> Result<(), TestCaseError> {
    for format in [CL, CF] {
        let shape = case.shape::<S>(format);
        let dims = shape.dims();
        prop_assert_eq!(dims.len(), Shape::<S>::RANK);
        prop_assert_eq!(Shape::<S>::RANK, S + 2);
        prop_assert_eq!(Shape::<S>::from_dims(&dims, format), Ok(shape));
        prop_assert_eq!(dims[0], case.batch);
        let (channels, spatial) = match format {
            CF => (dims[1], &dims[2..]),
            CL => (dims[S + 1], &dims[1..=S]),
        };
        prop_assert_eq!(channels, case.channels);
        prop_assert_eq!(spatial, &case.spatial[..]);
        prop_assert_eq!(shape.spatial().to_vec(), case.spatial.clone());
        prop_assert_eq!(
            (shape.batch(), shape.channels(), shape.format()),
            (case.batch, case.channels, format)
        );
        prop_assert_eq!(shape.maps(), case.batch * case.channels);
        prop_assert_eq!(shape.map_len(), case.map_len());
        prop_assert_eq!(shape.len(), dims.iter().product::<usize>());
        prop_assert_eq!(shape.is_empty(), dims.contains(&0));
        prop_assert_eq!(mask_words(shape.maps()), shape.maps().div_ceil(32));
    }
    Ok(())
}

macro_rules! properties_for_rank {
    ($module:ident, $s:literal) => {
        mod $module {
            use super::*;

            proptest! {
                #![proptest_config(ProptestConfig::with_cases(64))]

                #[test]
                fn layouts_agree_after_a_transpose(case in cases($s, any_bits().boxed())) {
                    layouts_agree::<$s>(case)?;
                }

                #[test]
                fn in_place_equals_out_of_place(case in cases($s, any_bits().boxed())) {
                    super::in_place_equals_out_of_place::<$s>(case)?;
                }

                #[test]
                fn apply_mask_of_draw_mask_equals_the_kernel(
                    case in cases($s, any_bits().boxed())
                ) {
                    explicit_mask_equals_kernel::<$s>(case)?;
                }

                #[test]
                fn backward_equals_forward_on_the_gradient(
                    case in cases($s, special_bits().boxed())
                ) {
                    super::backward_equals_forward_on_the_gradient::<$s>(case)?;
                }

                #[test]
                fn eval_keeps_every_bit(case in cases($s, any_bits().boxed())) {
                    super::eval_keeps_every_bit::<$s>(case)?;
                }

                #[test]
                fn dropped_maps_are_positive_zero(case in cases($s, special_bits().boxed())) {
                    super::dropped_maps_are_positive_zero::<$s>(case)?;
                }

                #[test]
                fn shape_accessors_and_dims_round_trip(case in cases($s, any_bits().boxed())) {
                    shape_round_trips::<$s>(case)?;
                }

                #[test]
                fn drop_frequency_within_5_sigma(rate in 0.01f64..0.99, seed in any::<u64>()) {
                    drop_frequency::<$s>(rate, seed)?;
                }
            }
        }
    };
}

properties_for_rank!(rank1, 1);
properties_for_rank!(rank2, 2);
properties_for_rank!(rank3, 3);
