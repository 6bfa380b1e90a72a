//! TensorFlow's Keras masks (tests/fixtures/keras_masks.json, as the Rust table
//! tests/vectors/keras_masks.rs) through the bindings under Node: every (case, call) through a
//! seeded `Layer` of the variant's scheme, backward, `spatialDropout` for call 0 and `maskWords`.

use spatial_dropout_wasm::{Buffer, Layer, mask_words_op, spatial_dropout_op};
use wasm_bindgen_test::wasm_bindgen_test;

include!("../../tests/vectors/keras_masks.rs");

/// The keep words of `y`, a layer's output on ones: kept maps hold `scale`, dropped ones +0.0.
fn keep_of(y: &[f32], dims: &[usize], channels_first: bool, scale: f32) -> Vec<u32> {
    let (batch, channels) = if channels_first {
        (dims[0], dims[1])
    } else {
        (dims[0], dims[dims.len() - 1])
    };
    let maps = batch * channels;
    let map_len = y.len().checked_div(maps).unwrap_or(0);
    let mut words = vec![0u32; maps.div_ceil(32)];
    for m in 0..maps {
        let (n, c) = (m / channels, m % channels);
        let i = if channels_first {
            m * map_len
        } else {
            n * map_len * channels + c
        };
        let v = y[i];
        assert!(v == scale || v.to_bits() == 0, "map {m}: {v}");
        words[m / 32] |= u32::from(v == scale) << (m % 32);
    }
    words
}

fn format(case: &KerasCase) -> &'static str {
    if case.channels_first {
        "channels_first"
    } else {
        "channels_last"
    }
}

#[wasm_bindgen_test]
fn every_tensorflow_mask_through_the_bindings() {
    let mut pairs = 0;
    for case in KERAS_CASES {
        let scale = (1.0 / (1.0 - case.rate)) as f32;
        let mut layer = Layer::new(
            case.rank as u8,
            case.rate,
            format(case),
            Some(case.seed),
            None,
            Some(case.variant.into()),
        )
        .unwrap();
        for (j, call) in case.calls.iter().enumerate() {
            let what = format!("{} ({}) call {}", case.id, case.variant, call.k);
            if layer.calls() != call.k {
                layer.set_calls(call.k);
            }
            let n: usize = call.dims.iter().product();
            let dims: Vec<u32> = call.dims.iter().map(|&d| d as u32).collect();
            let mut ones = Buffer::new(n).unwrap();
            ones.as_mut_slice().fill(1.0);
            let mut out = Buffer::new(n).unwrap();
            layer.call(&ones, &mut out, &dims, true).unwrap();
            assert_eq!(layer.calls(), call.k + 1, "{what}");
            if n == 0 {
                continue;
            }
            let keep = keep_of(out.as_slice(), call.dims, case.channels_first, scale);
            assert_eq!(keep, call.keep, "{what}: call");
            let mut grad = Buffer::new(n).unwrap();
            layer.backward(&ones, &mut grad, &dims).unwrap();
            assert_eq!(grad.as_slice(), out.as_slice(), "{what}: backward");
            let maps = keep.len() * 32;
            let maps = maps.min(if case.channels_first {
                call.dims[0] * call.dims[1]
            } else {
                call.dims[0] * call.dims[call.dims.len() - 1]
            });
            let words = mask_words_op(
                Some(case.variant.into()),
                case.seed,
                call.k,
                maps as u32,
                case.rate,
            )
            .unwrap();
            assert_eq!(words, call.keep, "{what}: maskWords");
            if j == 0 && call.k == 0 {
                let mut op = Buffer::new(n).unwrap();
                spatial_dropout_op(
                    &ones,
                    &mut op,
                    &dims,
                    case.rate,
                    format(case),
                    case.seed,
                    true,
                    Some(case.variant.into()),
                )
                .unwrap();
                assert_eq!(op.as_slice(), out.as_slice(), "{what}: spatialDropout");
            }
            pairs += 1;
        }
    }
    assert!(pairs >= 1100, "{pairs} pairs");
}

/// Keras's scheme is the default of the layer and of `spatialDropout`.
#[wasm_bindgen_test]
fn keras_is_the_default() {
    let case = KERAS_CASES.iter().find(|c| c.id == "quickstart").unwrap();
    let mut layer = Layer::new(3, 0.5, "channels_last", Some(42), None, None).unwrap();
    assert_eq!(layer.masks(), "keras");
    let mut ones = Buffer::new(64).unwrap();
    ones.as_mut_slice().fill(1.0);
    for call in case.calls {
        let mut out = Buffer::new(64).unwrap();
        layer.call(&ones, &mut out, &[2, 2, 2, 2, 4], true).unwrap();
        assert_eq!(keep_of(out.as_slice(), call.dims, false, 2.0), call.keep);
    }
    let bad = Layer::new(
        3,
        0.5,
        "channels_last",
        Some(42),
        None,
        Some("philox".into()),
    );
    assert!(bad.is_err());
}

/// An empty tensor with a huge batch: one O(1) call that counts.
#[wasm_bindgen_test]
fn empty_tensors_count_and_cost_nothing() {
    let mut layer = Layer::new(3, 0.5, "channels_last", Some(42), None, None).unwrap();
    let empty = Buffer::new(0).unwrap();
    let mut out = Buffer::new(0).unwrap();
    layer
        .call(&empty, &mut out, &[u32::MAX, 1, 0, 1, 1], true)
        .unwrap();
    layer
        .call(&empty, &mut out, &[1 << 30, 1, 0, 1, 1], true)
        .unwrap();
    assert_eq!(layer.calls(), 2);
}
