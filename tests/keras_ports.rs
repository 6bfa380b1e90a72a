//! Keras 3's own tests of SpatialDropout1D/2D/3D and of the Dropout base it inherits
//! (`keras/src/layers/regularization/{spatial_dropout,dropout}_test.py`), ported. Messages are
//! the ones Keras 3.15 raises, checked against a running Keras.

mod common;

use common::bits;
use spatial_dropout::{
    DataFormat, Error, Rate, SpatialDropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
};

const CL: DataFormat = DataFormat::ChannelsLast;
const CF: DataFormat = DataFormat::ChannelsFirst;

/// Checks Keras's `*_correctness` property on a training output of ones: every map is constant
/// over space, and the constant is 0 or the scale 2.0. Returns the number of kept maps.
fn assert_maps_constant(y: &[f32], dims: &[usize], format: DataFormat) -> usize {
    let (batch, channels) = match format {
        CF => (dims[0], dims[1]),
        CL => (dims[0], dims[dims.len() - 1]),
    };
    let map_len: usize = match format {
        CF => dims[2..].iter().product(),
        CL => dims[1..dims.len() - 1].iter().product(),
    };
    let mut kept = 0;
    for n in 0..batch {
        for c in 0..channels {
            let at = |p| match format {
                CF => common::idx_cf(n, c, p, channels, map_len),
                CL => common::idx_cl(n, c, p, channels, map_len),
            };
            let first = y[at(0)];
            assert!(first == 0.0 || first == 2.0, "map ({n}, {c}) holds {first}");
            for p in 1..map_len {
                assert_eq!(y[at(p)].to_bits(), first.to_bits(), "map ({n}, {c}) at {p}");
            }
            kept += usize::from(first == 2.0);
        }
    }
    kept
}

fn run<const S: usize>(layer: &mut SpatialDropout<S>, dims: &[usize], training: bool) -> Vec<f32> {
    let n = dims.iter().product();
    let x = vec![1.0f32; n];
    let mut y = vec![f32::NAN; n];
    layer.call(&x, dims, &mut y, training).unwrap();
    y
}

// `test_spatial_dropout_1D_correctness`: ones (10, 3, 10), outputs[:, 0, :] == outputs[:, 1, :].
#[test]
fn spatial_dropout_1d_correctness() {
    let dims = [10, 3, 10];
    let mut layer = SpatialDropout1D::new(0.5).unwrap().with_seed(1);
    let y = run(&mut layer, &dims, true);
    for n in 0..10 {
        for c in 0..10 {
            assert_eq!(y[n * 30 + c], y[n * 30 + 10 + c]);
            assert_eq!(y[n * 30 + c], y[n * 30 + 20 + c]);
        }
    }
    let kept = assert_maps_constant(&y, &dims, CL);
    assert!(
        kept > 0 && kept < 100,
        "a rate-0.5 mask of 100 maps is mixed: {kept}"
    );
}

// `test_spatial_dropout_2D_correctness`, for both image data formats:
// channels_last ones (10, 3, 3, 10), outputs[:, 0, 0, :] == outputs[:, 1, 1, :];
// channels_first ones (10, 10, 3, 3), outputs[:, :, 0, 0] == outputs[:, :, 1, 1].
#[test]
fn spatial_dropout_2d_correctness() {
    for (format, dims) in [(CL, [10, 3, 3, 10]), (CF, [10, 10, 3, 3])] {
        let mut layer = SpatialDropout2D::new(0.5)
            .unwrap()
            .with_seed(2)
            .with_data_format(format);
        let y = run(&mut layer, &dims, true);
        for n in 0..10 {
            for c in 0..10 {
                let (a, b) = match format {
                    CL => (n * 90 + c, n * 90 + (3 + 1) * 10 + c),
                    CF => (n * 90 + c * 9, n * 90 + c * 9 + 3 + 1),
                };
                assert_eq!(y[a], y[b], "{format} ({n}, {c})");
            }
        }
        let kept = assert_maps_constant(&y, &dims, format);
        assert!(kept > 0 && kept < 100, "{format}: {kept}");
    }
}

// `test_spatial_dropout_3D_correctness`: ones (10, 3, 3, 3, 10) or (10, 10, 3, 3, 3),
// outputs[:, 0, 0, 0, :] == outputs[:, 1, 1, 1, :] (resp. the channels_first spelling).
#[test]
fn spatial_dropout_3d_correctness() {
    for (format, dims) in [(CL, [10, 3, 3, 3, 10]), (CF, [10, 10, 3, 3, 3])] {
        let mut layer = SpatialDropout3D::new(0.5)
            .unwrap()
            .with_seed(3)
            .with_data_format(format);
        let y = run(&mut layer, &dims, true);
        for n in 0..10 {
            for c in 0..10 {
                let (a, b) = match format {
                    CL => (n * 270 + c, n * 270 + (9 + 3 + 1) * 10 + c),
                    CF => (n * 270 + c * 27, n * 270 + c * 27 + 9 + 3 + 1),
                };
                assert_eq!(y[a], y[b], "{format} ({n}, {c})");
            }
        }
        let kept = assert_maps_constant(&y, &dims, format);
        assert!(kept > 0 && kept < 100, "{format}: {kept}");
    }
}

// `test_spatial_dropout_{1d,2d,3d}` (run_layer_test): the output shape is the input shape, in
// training and inference, for both data formats; inference is the identity.
#[test]
fn run_layer_test_shapes() {
    fn check<const S: usize>(mut layer: SpatialDropout<S>, dims: &[usize]) {
        assert_eq!(layer.compute_output_shape(dims), Ok(dims));
        let n: usize = dims.iter().product();
        let x: Vec<f32> = (0..n).map(|i| i as f32 * 0.25 - 3.0).collect();
        for training in [true, false] {
            let mut y = vec![f32::NAN; n];
            layer.call(&x, dims, &mut y, training).unwrap();
            assert!(y.iter().all(|v| !v.is_nan()), "every output written");
            if !training {
                assert_eq!(bits(&y), bits(&x));
            }
        }
    }
    check(SpatialDropout1D::new(0.5).unwrap(), &[2, 3, 4]);
    check(SpatialDropout2D::new(0.5).unwrap(), &[2, 3, 4, 5]);
    check(
        SpatialDropout2D::new(0.5).unwrap().with_data_format(CF),
        &[2, 3, 4, 5],
    );
    check(SpatialDropout3D::new(0.5).unwrap(), &[2, 3, 4, 4, 5]);
    check(
        SpatialDropout3D::new(0.5).unwrap().with_data_format(CF),
        &[2, 3, 4, 4, 5],
    );
}

// `test_dropout_rescaling`: ones (20, 500) at rate 0.5, seed 1337; mean within 0.02 of 1 and
// max == 2.0. Here each of the 10 000 values is its own map, in every rank and format.
#[test]
fn dropout_rescaling() {
    fn check<const S: usize>(mut layer: SpatialDropout<S>, dims: &[usize]) {
        let y = run(&mut layer, dims, true);
        assert_eq!(y.len(), 20 * 500);
        let mean = y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64;
        // Keras's 0.02 is two standard deviations of this mean (0.01): a seed-dependent bound
        // that its per-element masks happen to meet. Five keep it a test of the rate, not of
        // one seed's luck.
        assert!((mean - 1.0).abs() <= 0.05, "{dims:?}: mean {mean}");
        let max = y.iter().copied().fold(f32::MIN, f32::max);
        assert_eq!(max, 2.0);
        assert!(y.iter().all(|&v| v == 0.0 || v == 2.0));
    }
    check(
        SpatialDropout1D::new(0.5).unwrap().with_seed(1337),
        &[20, 1, 500],
    );
    check(
        SpatialDropout2D::new(0.5).unwrap().with_seed(1337),
        &[20, 1, 1, 500],
    );
    check(
        SpatialDropout2D::new(0.5)
            .unwrap()
            .with_seed(1337)
            .with_data_format(CF),
        &[20, 500, 1, 1],
    );
    check(
        SpatialDropout3D::new(0.5).unwrap().with_seed(1337),
        &[20, 1, 1, 1, 500],
    );
    check(
        SpatialDropout3D::new(0.5)
            .unwrap()
            .with_seed(1337)
            .with_data_format(CF),
        &[20, 500, 1, 1, 1],
    );
}

const RATE_MESSAGE: &str =
    "Invalid value received for argument `rate`. Expected a float value between 0 and 1.";

// `test_dropout_negative_rate`, `test_dropout_rate_greater_than_one`, and NaN (which Keras
// rejects too: `not 0 <= nan <= 1`). Full messages as Keras 3.15 prints them.
#[test]
fn invalid_rates_with_keras_messages() {
    for (rate, message) in [
        (
            -0.5,
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=-0.5",
        ),
        (
            1.5,
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=1.5",
        ),
        (
            f64::NAN,
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=nan",
        ),
        (
            2.0,
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=2.0",
        ),
        (
            f64::INFINITY,
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=inf",
        ),
    ] {
        let errors = [
            SpatialDropout1D::new(rate).unwrap_err(),
            SpatialDropout2D::new(rate).unwrap_err(),
            SpatialDropout3D::new(rate).unwrap_err(),
            Rate::new(rate).unwrap_err(),
        ];
        for err in errors {
            assert!(matches!(err, Error::InvalidRate { .. }));
            assert_eq!(err.to_string(), message);
            assert!(err.to_string().starts_with(RATE_MESSAGE));
        }
    }
}

// Keras's InputSpec(ndim=3/4/5): "… is incompatible with the layer: expected ndim=5, found
// ndim=4. …"
#[test]
fn rank_errors() {
    fn message<const S: usize>(layer: &mut SpatialDropout<S>, dims: &[usize]) -> String {
        let n = dims.iter().product();
        let x = vec![1.0; n];
        let mut y = vec![0.0; n];
        let err = layer.call(&x, dims, &mut y, true).unwrap_err();
        assert_eq!(layer.call_in_place(&mut y, dims, false), Err(err));
        assert_eq!(layer.compute_output_shape(dims).map(|_| ()), Err(err));
        err.to_string()
    }
    let mut l3 = SpatialDropout3D::new(0.5).unwrap();
    let m = message(&mut l3, &[2, 3, 4, 5]);
    assert!(m.contains("expected ndim=5, found ndim=4"), "{m}");
    assert!(m.contains("is incompatible with the layer"), "{m}");
    let mut l1 = SpatialDropout1D::new(0.5).unwrap();
    assert!(message(&mut l1, &[2, 3, 4, 5]).contains("expected ndim=3, found ndim=4"));
    // Keras's rescaling input fed to SpatialDropout1D as is: (20, 500).
    assert!(message(&mut l1, &[20, 500]).contains("expected ndim=3, found ndim=2"));
    let mut l2 = SpatialDropout2D::new(0.5).unwrap().with_data_format(CF);
    assert!(message(&mut l2, &[2, 3, 4, 5, 6]).contains("expected ndim=4, found ndim=5"));
    assert!(message(&mut l2, &[7]).contains("expected ndim=4, found ndim=1"));
}

// `backend.standardize_data_format`: `str(data_format).lower()` must be one of the two names.
#[test]
fn data_format_parsing() {
    for (text, format) in [
        ("channels_last", CL),
        ("channels_first", CF),
        ("Channels_Last", CL),
        ("CHANNELS_FIRST", CF),
        ("cHaNnElS_fIrSt", CF),
    ] {
        assert_eq!(text.parse::<DataFormat>(), Ok(format), "{text}");
    }
    for bad in [
        "nchw",
        "channels-last",
        "",
        "channels_last ",
        "channel_last",
    ] {
        let err = bad.parse::<DataFormat>().unwrap_err();
        assert_eq!(err, Error::InvalidDataFormat);
        // Keras's message up to its "Received: data_format=…" suffix.
        assert_eq!(
            err.to_string(),
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}"
        );
    }
    // Keras's default image_data_format, and the spellings it writes back.
    assert_eq!(DataFormat::default(), CL);
    assert_eq!(CL.as_str(), "channels_last");
    assert_eq!(CF.to_string(), "channels_first");
    assert_eq!(SpatialDropout2D::new(0.1).unwrap().data_format(), CL);
    assert_eq!(SpatialDropout1D::new(0.1).unwrap().data_format(), CL);
}

// `Dropout.call`: `if training and self.rate > 0` — rate 0 in training is the identity.
#[test]
fn rate_zero_in_training_is_the_identity() {
    let dims = [2, 2, 2, 3];
    let x: Vec<f32> = vec![-0.0, f32::INFINITY, 1.5, -2.0, 3.0, f32::MIN_POSITIVE]
        .into_iter()
        .cycle()
        .take(24)
        .collect();
    let mut layer = SpatialDropout2D::new(0.0).unwrap().with_seed(5);
    let mut y = vec![0.0; 24];
    layer.call(&x, &dims, &mut y, true).unwrap();
    assert_eq!(bits(&y), bits(&x));
}

// Keras's seeded layers: a fresh layer with the same seed replays the same masks, and
// successive training calls draw new ones (the SeedGenerator advances).
#[test]
fn seeds_replay_and_successive_calls_differ() {
    let dims = [4, 2, 2, 2, 16];
    let mut a = SpatialDropout3D::new(0.5).unwrap().with_seed(1337);
    let mut b = SpatialDropout3D::new(0.5).unwrap().with_seed(1337);
    let a1 = run(&mut a, &dims, true);
    let a2 = run(&mut a, &dims, true);
    assert_eq!(bits(&a1), bits(&run(&mut b, &dims, true)));
    assert_eq!(bits(&a2), bits(&run(&mut b, &dims, true)));
    assert_ne!(
        bits(&a1),
        bits(&a2),
        "64 maps: two equal masks have probability 2^-64"
    );
    // Inference calls draw nothing: the next training mask is unchanged.
    let mut c = SpatialDropout3D::new(0.5).unwrap().with_seed(1337);
    run(&mut c, &dims, false);
    assert_eq!(bits(&run(&mut c, &dims, true)), bits(&a1));
}

// Keras's layer defaults and names.
#[test]
fn layer_defaults() {
    let l = SpatialDropout3D::new(0.25).unwrap();
    assert_eq!(l.rate().get(), 0.25);
    assert_eq!(l.seed(), None);
    assert_eq!(l.name(), "spatial_dropout3d");
    assert_eq!(SpatialDropout1D::DEFAULT_NAME, "spatial_dropout1d");
    assert_eq!(SpatialDropout2D::DEFAULT_NAME, "spatial_dropout2d");
    assert_eq!(SpatialDropout1D::CLASS_NAME, "SpatialDropout1D");
    assert_eq!(SpatialDropout2D::CLASS_NAME, "SpatialDropout2D");
    assert_eq!(SpatialDropout3D::CLASS_NAME, "SpatialDropout3D");
    let l = SpatialDropout2D::new(0.25)
        .unwrap()
        .with_seed(7)
        .with_name("drop")
        .unwrap();
    assert_eq!((l.seed(), l.name()), (Some(7), "drop"));
}
