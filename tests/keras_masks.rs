//! The masks TensorFlow's Keras drew (tests/fixtures/keras_masks.json, written by
//! tests/fixtures/make_keras_masks.py from real tensorflow-cpu 2.16.1 runs with Keras 3.15.1 and
//! 3.3.3, eager, `model.fit` and XLA), reproduced call after call by the layer, by
//! `keras_mask` and by backward, on every rank and format.

use spatial_dropout::{
    DataFormat, Masks, Rate, Shape, SpatialDropout, apply_mask, keras_mask, keras_word, mask_words,
};

include!("vectors/keras_masks.rs");

fn masks_of(variant: &str) -> Masks {
    variant.parse().expect("a Keras variant")
}

fn format_of(case: &KerasCase) -> DataFormat {
    if case.channels_first {
        DataFormat::ChannelsFirst
    } else {
        DataFormat::ChannelsLast
    }
}

/// Maps, elements per map and element count of `dims`.
fn sizes(dims: &[usize], format: DataFormat) -> (usize, usize, usize) {
    let (batch, channels) = match format {
        DataFormat::ChannelsFirst => (dims[0], dims[1]),
        DataFormat::ChannelsLast => (dims[0], *dims.last().unwrap()),
    };
    let len: usize = dims.iter().product();
    let map_len = len.checked_div(batch * channels).unwrap_or(0);
    (batch * channels, map_len, len)
}

/// The keep words a layer's output on ones shows: kept maps hold the scale, dropped ones +0.0.
fn keep_of(y: &[f32], dims: &[usize], format: DataFormat, scale: f32) -> Vec<u32> {
    let (maps, map_len, _) = sizes(dims, format);
    let channels = maps / dims[0].max(1);
    let mut words = vec![0u32; mask_words(maps)];
    if map_len == 0 {
        return Vec::new();
    }
    for m in 0..maps {
        let (n, c) = (m / channels, m % channels);
        let values: Vec<f32> = (0..map_len)
            .map(|p| match format {
                DataFormat::ChannelsFirst => y[(n * channels + c) * map_len + p],
                DataFormat::ChannelsLast => y[(n * map_len + p) * channels + c],
            })
            .collect();
        let kept = values[0] == scale;
        assert!(
            values
                .iter()
                .all(|&v| v.to_bits() == if kept { scale.to_bits() } else { 0 }),
            "map {m} is all kept or all +0.0"
        );
        words[m / 32] |= u32::from(kept) << (m % 32);
    }
    words
}

fn check<const S: usize>(case: &KerasCase, mut layer: SpatialDropout<S>) -> usize {
    let masks = masks_of(case.variant);
    let format = format_of(case);
    let rate = Rate::new(case.rate).unwrap();
    let mut checked = 0;
    for call in case.calls {
        let what = format!("{} ({}), call {}", case.id, case.variant, call.k);
        if layer.calls() != call.k {
            layer.set_calls(call.k);
        }
        let (maps, _, len) = sizes(call.dims, format);
        let x = vec![1.0f32; len];
        let mut y = vec![f32::NAN; len];
        layer.call(&x, call.dims, &mut y, true).unwrap();
        assert_eq!(layer.calls(), call.k + 1, "{what}: the call counts");
        if len == 0 {
            assert!(call.keep.is_empty(), "{what}");
            continue;
        }
        let got = keep_of(&y, call.dims, format, rate.scale());
        assert_eq!(got, call.keep, "{what}: layer.call");

        // Backward recomputes the same mask from (seed, k).
        let mut g = vec![f32::NAN; len];
        layer.backward(&x, call.dims, &mut g).unwrap();
        assert_eq!(
            g.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{what}: backward"
        );

        // The stateless mask, and applying it.
        let mut keep = vec![0u32; mask_words(maps)];
        keras_mask(&mut keep, maps, rate, case.seed, call.k, masks).unwrap();
        assert_eq!(keep, call.keep, "{what}: keras_mask");
        let shape = Shape::<S>::from_dims(call.dims, format).unwrap();
        let mut y2 = vec![f32::NAN; len];
        apply_mask(&x, &mut y2, &shape, rate, &keep).unwrap();
        assert_eq!(
            y2.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{what}: apply_mask"
        );

        // The raw words under the scheme's keep rule.
        let threshold = rate.keras_threshold();
        let xla = matches!(masks, Masks::KerasXla | Masks::Keras34Xla);
        for m in [0, maps / 2, maps - 1] {
            let w = keras_word(case.seed, call.k, m as u64, masks);
            let bits = if xla { w >> 9 } else { w & 0x7F_FFFF };
            let kept = (call.keep[m / 32] >> (m % 32)) & 1 == 1;
            assert_eq!(bits >= threshold, kept, "{what}: keras_word of map {m}");
        }
        checked += 1;
    }
    checked
}

fn layer<const S: usize>(case: &KerasCase) -> SpatialDropout<S> {
    SpatialDropout::<S>::new(case.rate)
        .unwrap()
        .with_seed(case.seed)
        .with_masks(masks_of(case.variant))
}

#[test]
fn the_layer_draws_the_masks_tensorflow_drew() {
    let mut pairs = 0;
    for case in KERAS_CASES {
        let format = format_of(case);
        pairs += match case.rank {
            1 => check(case, layer::<1>(case)),
            2 => check(case, layer::<2>(case).with_data_format(format)),
            3 => check(case, layer::<3>(case).with_data_format(format)),
            r => panic!("rank {r}"),
        };
    }
    // Every variant, eager and fit, with non-empty calls.
    assert!(pairs >= 4 * 280, "{pairs} (case, call) pairs checked");
    for variant in ["keras", "keras-xla", "keras-3.4", "keras-3.4-xla"] {
        for mode in ["eager", "fit"] {
            assert!(
                KERAS_CASES
                    .iter()
                    .any(|c| c.variant == variant && c.mode == mode),
                "{variant} {mode}"
            );
        }
    }
}

/// Keras is the default scheme: a layer built with only a seed draws Keras's masks, and the
/// quickstart's masks are the ones Keras drew for `SpatialDropout3D(0.5, seed=42)`.
#[test]
fn keras_is_the_default_and_the_quickstart_matches() {
    let case = KERAS_CASES.iter().find(|c| c.id == "quickstart").unwrap();
    let mut layer = SpatialDropout::<3>::new(0.5).unwrap().with_seed(42);
    assert_eq!(layer.masks(), Masks::Keras);
    for call in case.calls {
        let x = vec![1.0f32; 64];
        let mut y = vec![0.0f32; 64];
        layer.call(&x, call.dims, &mut y, true).unwrap();
        let keep = keep_of(&y, call.dims, DataFormat::ChannelsLast, 2.0);
        assert_eq!(keep, call.keep, "call {}", call.k);
    }
}

/// A training call on a tensor with no elements counts as a call and draws nothing, at once,
/// however large its batch: the next call draws Keras's mask of the next call number.
#[test]
fn empty_tensors_count_as_calls_and_cost_nothing() {
    let huge = usize::MAX / 4;
    let mut layer = SpatialDropout::<3>::new(0.5).unwrap().with_seed(42);
    let start = std::time::Instant::now();
    for dims in [
        [huge, 1, 0, 1, 1],
        [huge, 0, 1, 1, 3],
        [1 << 30, 1, 0, 1, 1],
    ] {
        layer.call(&[], &dims, &mut [], true).unwrap();
        layer.call_in_place(&mut [], &dims, true).unwrap();
        layer.backward(&[], &dims, &mut []).unwrap();
    }
    // Generous: each call is O(1); before, one such call looped for seconds to forever.
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    assert_eq!(layer.calls(), 6);
    let case = KERAS_CASES
        .iter()
        .find(|c| c.variant == "keras" && c.calls.iter().any(|k| k.keep.is_empty()))
        .expect("an empty-tensor case");
    assert!(case.calls.windows(2).all(|w| w[1].k == w[0].k + 1));
}
