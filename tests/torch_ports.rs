//! PyTorch's tests of `nn.Dropout2d` / `nn.Dropout3d` (`test/nn/test_dropout.py`), ported:
//! `_test_dropoutNd_channel_zero`, `_test_dropout` (mean, backward, in place, eval) and the
//! empty-tensor cases.

mod common;

use common::{Counting, bits, idx_cf, idx_cl};
use spatial_dropout::{
    DataFormat, Masks, Rate, Rng, SeedableRng, Shape, SpatialDropout, SpatialDropout2D,
    SpatialDropout3D, XorShiftRng, spatial_dropout, spatial_dropout_in_place,
};

const CL: DataFormat = DataFormat::ChannelsLast;
const CF: DataFormat = DataFormat::ChannelsFirst;

/// `torch.rand`-like inputs in (0, 1]: never zero, so a zero output means a dropped map.
fn rand_input(n: usize, seed: u64) -> Vec<f32> {
    let mut rng = XorShiftRng::seed_from_u64(seed);
    (0..n)
        .map(|_| ((rng.next_u32() >> 8) + 1) as f32 / 16_777_216.0)
        .collect()
}

fn layer2d(p: f64, seed: u64, format: DataFormat) -> SpatialDropout2D {
    SpatialDropout2D::new(p)
        .unwrap()
        .with_seed(seed)
        .with_data_format(format)
}

fn layer3d(p: f64, seed: u64, format: DataFormat) -> SpatialDropout3D {
    SpatialDropout3D::new(p)
        .unwrap()
        .with_seed(seed)
        .with_data_format(format)
}

/// (batch, channels, map_len) of memory-order dims.
fn split(dims: &[usize], format: DataFormat) -> (usize, usize, usize) {
    match format {
        CF => (dims[0], dims[1], dims[2..].iter().product()),
        CL => (
            dims[0],
            dims[dims.len() - 1],
            dims[1..dims.len() - 1].iter().product(),
        ),
    }
}

/// `result[b, c].count_nonzero() in (0, channel_numel)` for every (b, c). Returns kept maps.
fn count_whole_maps(y: &[f32], dims: &[usize], format: DataFormat) -> (usize, usize) {
    let (batch, channels, map_len) = split(dims, format);
    let mut kept = 0;
    for n in 0..batch {
        for c in 0..channels {
            let nonzero = (0..map_len)
                .filter(|&p| {
                    let i = match format {
                        CF => idx_cf(n, c, p, channels, map_len),
                        CL => idx_cl(n, c, p, channels, map_len),
                    };
                    y[i] != 0.0
                })
                .count();
            assert!(
                nonzero == 0 || nonzero == map_len,
                "map ({n}, {c}): {nonzero} of {map_len} nonzero"
            );
            kept += usize::from(nonzero == map_len);
        }
    }
    (kept, batch * channels)
}

fn forward<const S: usize>(layer: &mut SpatialDropout<S>, x: &[f32], dims: &[usize]) -> Vec<f32> {
    let mut y = vec![f32::NAN; x.len()];
    layer.call(x, dims, &mut y, true).unwrap();
    y
}

// `_test_dropoutNd_channel_zero`: Dropout2d on rand(2, 1000, 3, 3) style inputs, p = 0.5;
// Dropout3d likewise. Every channel is all zero or all nonzero.
#[test]
fn dropout_nd_channel_zero() {
    for format in [CF, CL] {
        let dims2 = match format {
            CF => [2, 1000, 3, 3],
            CL => [2, 3, 3, 1000],
        };
        let x = rand_input(18_000, 1);
        let y = forward(&mut layer2d(0.5, 11, format), &x, &dims2);
        let (kept, maps) = count_whole_maps(&y, &dims2, format);
        assert!(kept > 0 && kept < maps, "{format}: {kept} of {maps}");

        let dims3 = match format {
            CF => [2, 1000, 2, 2, 2],
            CL => [2, 2, 2, 2, 1000],
        };
        let x = rand_input(16_000, 2);
        let y = forward(&mut layer3d(0.5, 12, format), &x, &dims3);
        let (kept, maps) = count_whole_maps(&y, &dims3, format);
        assert!(kept > 0 && kept < maps, "{format}: {kept} of {maps}");
    }
}

// `_test_dropout(nn.Dropout2d / nn.Dropout3d, …)`: input filled with 1 − p at p = 0.2, output
// mean within 0.05 of 1 − p; the same for the gradient of backward(input); the same in place;
// eval changes nothing (in place or not).
#[test]
fn dropout_mean_backward_in_place_eval() {
    let p = 0.2_f64;
    let fill = (1.0 - p) as f32;
    for format in [CF, CL] {
        // ≥ 1000 maps each: (b, c) = (40, 32) and (25, 64).
        let cases: [(&[usize], bool); 2] = [
            (
                match format {
                    CF => &[40, 32, 3, 5],
                    CL => &[40, 3, 5, 32],
                },
                false,
            ),
            (
                match format {
                    CF => &[25, 64, 2, 3, 2],
                    CL => &[25, 2, 3, 2, 64],
                },
                true,
            ),
        ];
        for (dims, is_3d) in cases {
            let n: usize = dims.iter().product();
            let x = vec![fill; n];
            let mean = |v: &[f32]| v.iter().map(|&e| f64::from(e)).sum::<f64>() / n as f64;
            let (out, grad, in_place, eval, eval_in_place) = if is_3d {
                exercise(layer3d(p, 20, format), &x, dims)
            } else {
                exercise(layer2d(p, 20, format), &x, dims)
            };
            assert!(
                (mean(&out) - (1.0 - p)).abs() < 0.05,
                "{dims:?}: {}",
                mean(&out)
            );
            assert!((mean(&grad) - (1.0 - p)).abs() < 0.05, "{dims:?}: grad");
            assert!(
                (mean(&in_place) - (1.0 - p)).abs() < 0.05,
                "{dims:?}: in place"
            );
            assert_eq!(bits(&eval), bits(&x));
            assert_eq!(bits(&eval_in_place), bits(&x));
            // Kept elements are (1 − p) · 1/(1 − p) in f32: exactly 1 here.
            assert!(out.iter().all(|&v| v == 0.0 || v == 1.0));
            count_whole_maps(&out, dims, format);
        }
    }
}

type Outputs = (Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>);

fn exercise<const S: usize>(layer: SpatialDropout<S>, x: &[f32], dims: &[usize]) -> Outputs {
    let n = x.len();
    let mut training = layer.clone();
    let out = forward(&mut training, x, dims);
    let mut grad = vec![f32::NAN; n];
    training.backward(x, dims, &mut grad).unwrap();
    assert_eq!(bits(&grad), bits(&out), "backward(input) replays the mask");

    // inplace=True, a fresh module: the same mask from the same seed.
    let mut in_place = x.to_vec();
    layer
        .clone()
        .call_in_place(&mut in_place, dims, true)
        .unwrap();
    assert_eq!(bits(&in_place), bits(&out));

    let mut eval = vec![f32::NAN; n];
    layer.clone().call(x, dims, &mut eval, false).unwrap();
    let mut eval_in_place = x.to_vec();
    layer
        .clone()
        .call_in_place(&mut eval_in_place, dims, false)
        .unwrap();
    (out, grad, in_place, eval, eval_in_place)
}

// Eval is the identity for any input bits, NaN payloads and signed zeros included.
#[test]
fn eval_is_the_identity() {
    let x: Vec<f32> = [
        0x7fc0_0001_u32,
        0xffc1_2345,
        0x7f80_0001, // signalling NaN
        0x8000_0000,
        0x0000_0001,
        0x7f80_0000,
        0xff80_0000,
        0x3f80_0000,
    ]
    .iter()
    .cycle()
    .take(2 * 3 * 2 * 2 * 2)
    .map(|&b| f32::from_bits(b))
    .collect();
    for format in [CF, CL] {
        let dims = match format {
            CF => [2, 3, 2, 2, 2],
            CL => [2, 2, 2, 2, 3],
        };
        for p in [0.0, 0.2, 0.5, 1.0] {
            let mut layer = layer3d(p, 1, format);
            let mut y = vec![0.0; x.len()];
            layer.call(&x, &dims, &mut y, false).unwrap();
            assert_eq!(bits(&y), bits(&x), "p = {p}");
            let mut data = x.clone();
            layer.call_in_place(&mut data, &dims, false).unwrap();
            assert_eq!(bits(&data), bits(&x), "p = {p}");
        }
    }
}

// p = 1 zeroes everything, p = 0 keeps everything (F.dropout2d's special cases).
#[test]
fn p_one_and_p_zero() {
    let dims = [3, 4, 2, 5];
    let x = rand_input(120, 3);
    let y = forward(&mut layer2d(1.0, 1, CF), &x, &dims);
    assert!(y.iter().all(|v| v.to_bits() == 0));
    let y = forward(&mut layer2d(0.0, 1, CF), &x, &dims);
    assert_eq!(bits(&y), bits(&x));
}

// `test_empty_dropout` and Dropout2d/3d on tensors with a 0 dim: the output keeps its (empty)
// size, and the maps that exist still draw their values.
#[test]
fn empty_tensors_keep_their_size_and_draw_nothing() {
    let rate = Rate::new(0.2).unwrap();
    let cases: [(&[usize], DataFormat, usize); 6] = [
        (&[0, 3, 4, 4], CF, 0),
        (&[2, 0, 4, 4], CF, 0),
        (&[2, 3, 0, 4], CF, 6),
        (&[2, 3, 4, 0], CF, 6),
        (&[2, 0, 4, 3], CL, 6),
        (&[5, 4, 4, 0], CL, 0),
    ];
    for (dims, format, maps) in cases {
        let shape = Shape::<2>::from_dims(dims, format).unwrap();
        assert_eq!((shape.len(), shape.maps()), (0, maps), "{dims:?}");
        assert_eq!(&*shape.dims(), dims);

        let mut rng = Counting::seeded(8);
        let mut y: Vec<f32> = Vec::new();
        spatial_dropout(&[], &mut y, &shape, rate, &mut rng).unwrap();
        spatial_dropout_in_place(&mut y, &shape, rate, &mut rng).unwrap();
        assert!(y.is_empty());
        // No elements, no decisions: nothing is drawn, whatever the batch (the maps are
        // counted above to show that some exist).
        assert_eq!(rng.u32_draws, 0, "{dims:?}");

        // The layer: output shape is the input shape, the call counts (as in Keras) but the
        // generator does not move.
        let mut layer = layer2d(0.2, 8, format).with_masks(Masks::XorShift);
        assert_eq!(layer.compute_output_shape(dims), Ok(dims));
        layer.call(&[], dims, &mut [], true).unwrap();
        layer.backward(&[], dims, &mut []).unwrap();
        assert_eq!(layer.calls(), 1);
        let mut probe = XorShiftRng::seed_from_u64(8);
        let next_dims = [1, 1, 1, 64];
        let x = vec![1.0; 64];
        let mut from_layer = vec![0.0; 64];
        layer.call(&x, &next_dims, &mut from_layer, true).unwrap();
        let mut expected = vec![0.0; 64];
        let next_shape = Shape::<2>::from_dims(&next_dims, format).unwrap();
        spatial_dropout(&x, &mut expected, &next_shape, rate, &mut probe).unwrap();
        assert_eq!(bits(&from_layer), bits(&expected), "{dims:?}");
    }
}
