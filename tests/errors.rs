//! Every error path of every public function, the exact messages, and that a failed call
//! changes nothing: no caller buffer is written, no generator advanced, no layer state touched.

mod common;

use common::{Counting, bits};
use spatial_dropout::{
    DataFormat, Error, MAX_NAME_LEN, Rate, Rng, SeedableRng, Shape, Shape1D, Shape2D, Shape3D,
    SpatialDropout1D, SpatialDropout2D, SpatialDropout3D, XorShiftRng, apply_mask,
    apply_mask_in_place, draw_mask, mask_words, spatial_dropout, spatial_dropout_in_place,
};

const CL: DataFormat = DataFormat::ChannelsLast;
const CF: DataFormat = DataFormat::ChannelsFirst;
/// What a buffer holds before a failed call: a NaN with a payload no path writes.
const UNTOUCHED: f32 = f32::from_bits(0x7fc0_0bad);

fn half() -> Rate {
    Rate::new(0.5).unwrap()
}

fn untouched(n: usize) -> Vec<f32> {
    vec![UNTOUCHED; n]
}

fn assert_untouched(buf: &[f32]) {
    assert!(
        buf.iter().all(|v| v.to_bits() == UNTOUCHED.to_bits()),
        "a failed call wrote to a buffer"
    );
}

fn length(what: &'static str, expected: usize, found: usize) -> Error {
    Error::LengthMismatch {
        what,
        expected,
        found,
    }
}

// ---- Rate -------------------------------------------------------------------------------------

#[test]
fn rate_rejects_nan_infinities_negatives_and_values_above_one() {
    for bad in [
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
        -f64::MIN_POSITIVE,
        -5e-324,
        1.5,
        1.0 + f64::EPSILON,
        f64::MAX,
    ] {
        let err = Rate::new(bad).unwrap_err();
        match err {
            Error::InvalidRate { rate } => assert_eq!(rate.to_bits(), bad.to_bits()),
            other => panic!("{bad}: {other:?}"),
        }
        assert!(matches!(
            Rate::try_from(bad),
            Err(Error::InvalidRate { .. })
        ));
        assert!(matches!(
            SpatialDropout1D::new(bad),
            Err(Error::InvalidRate { .. })
        ));
        assert!(matches!(
            SpatialDropout2D::new(bad),
            Err(Error::InvalidRate { .. })
        ));
        assert!(matches!(
            SpatialDropout3D::new(bad),
            Err(Error::InvalidRate { .. })
        ));
    }
}

#[test]
fn rate_accepts_the_closed_unit_interval() {
    for good in [0.0, 5e-324, 0.5, 1.0 - f64::EPSILON / 2.0, 1.0] {
        assert_eq!(Rate::new(good).unwrap().get().to_bits(), good.to_bits());
        assert_eq!(f64::from(Rate::try_from(good).unwrap()), good);
    }
    // -0.0 is in range and normalised to +0.0 (Keras writes `0.0`).
    assert_eq!(Rate::new(-0.0).unwrap().get().to_bits(), 0.0f64.to_bits());
}

/// Keras formats the rejected rate with Python's `repr`; so does the message here.
#[test]
fn invalid_rate_message_prints_the_rate_as_python_does() {
    let table: [(f64, &str); 21] = [
        (-0.5, "-0.5"),
        (1.5, "1.5"),
        (f64::NAN, "nan"),
        (2.0, "2.0"),
        (1e20, "1e+20"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (-1e-5, "-1e-05"),
        (1.0000000000000002, "1.0000000000000002"),
        (123456789.123, "123456789.123"),
        (-1e-300, "-1e-300"),
        (-5e-324, "-5e-324"),
        (f64::MAX, "1.7976931348623157e+308"),
        (1e16, "1e+16"),
        (9999999999999998.0, "9999999999999998.0"),
        (-0.0001, "-0.0001"),
        (1e15, "1000000000000000.0"),
        (-2.5e-7, "-2.5e-07"),
        (100.0, "100.0"),
        (-0.00015000000000000001, "-0.00015000000000000001"),
        (-3.0, "-3.0"),
    ];
    for (rate, python) in table {
        let err = Error::InvalidRate { rate };
        assert_eq!(
            err.to_string(),
            format!(
                "Invalid value received for argument `rate`. Expected a float value between 0 \
                 and 1. Received: rate={python}"
            ),
        );
    }
}

// ---- DataFormat -------------------------------------------------------------------------------

#[test]
fn data_format_rejects_other_spellings() {
    for bad in [
        "",
        "nchw",
        "NHWC",
        "channels-last",
        "channels_last ",
        " channels_first",
        "channels_lastt",
        "channels",
        "channels_ﬁrst",
    ] {
        assert_eq!(
            bad.parse::<DataFormat>(),
            Err(Error::InvalidDataFormat),
            "{bad:?}"
        );
    }
}

// ---- Shape ------------------------------------------------------------------------------------

#[test]
fn shape_overflow_in_every_product() {
    let big = usize::MAX / 2 + 1;
    // batch × channels
    assert_eq!(Shape1D::new(big, 2, [1], CL), Err(Error::ShapeOverflow));
    // the spatial product
    assert_eq!(
        Shape3D::new(1, 1, [2, big, 1], CF),
        Err(Error::ShapeOverflow)
    );
    assert_eq!(
        Shape2D::new(1, 1, [usize::MAX, usize::MAX], CF),
        Err(Error::ShapeOverflow)
    );
    // maps × map_len, each fitting alone
    assert_eq!(Shape2D::new(big, 1, [2, 1], CL), Err(Error::ShapeOverflow));
    assert_eq!(
        Shape1D::new(1, usize::MAX, [usize::MAX], CL),
        Err(Error::ShapeOverflow)
    );
    // The largest shapes that fit are fine.
    let s = Shape1D::new(big, 1, [1], CL).unwrap();
    assert_eq!((s.len(), s.maps(), s.map_len()), (big, big, 1));
    let s = Shape3D::new(1, 1, [usize::MAX, 1, 1], CF).unwrap();
    assert_eq!(s.len(), usize::MAX);
}

#[test]
fn shape_overflow_through_from_dims() {
    let big = usize::MAX / 2 + 1;
    for format in [CL, CF] {
        assert_eq!(
            Shape3D::from_dims(&[big, 2, 1, 1, 1], format),
            Err(Error::ShapeOverflow)
        );
        assert_eq!(
            Shape2D::from_dims(&[1, big, 2, 1], format),
            Err(Error::ShapeOverflow)
        );
    }
}

/// Products past `u32::MAX` overflow only where `usize` has 32 bits (thumb, riscv32, wasm32).
#[test]
fn shape_overflow_depends_on_the_width_of_usize() {
    let lens = [
        Shape1D::new(1 << 16, 1 << 16, [1], CL).map(|s| s.len()), // maps = 2³²
        Shape1D::new(2, 3, [1 << 31], CL).map(|s| s.len()),       // 6 · 2³¹ elements
        Shape3D::new(1, 1, [1 << 11, 1 << 11, 1 << 11], CF).map(|s| s.len()), // map_len = 2³³
        Shape2D::new(65_537, 1, [65_537, 1], CL).map(|s| s.len()), // 4 295 098 369 elements
    ];
    for len in lens {
        if usize::BITS == 32 {
            assert_eq!(len, Err(Error::ShapeOverflow));
        } else {
            assert!(u64::try_from(len.unwrap()).unwrap() > u64::from(u32::MAX));
        }
    }
}

#[test]
fn zero_dims_do_not_hide_an_overflow_elsewhere() {
    // The number of maps is the number of draws, so it must fit even when a spatial dim is 0.
    assert_eq!(
        Shape1D::new(usize::MAX, 2, [0], CL),
        Err(Error::ShapeOverflow)
    );
    // Zero maps: the element count is 0, but one sample (channels × map_len) must still fit.
    assert_eq!(
        Shape2D::new(0, usize::MAX, [7, 3], CF),
        Err(Error::ShapeOverflow)
    );
    let s = Shape2D::new(0, usize::MAX / 21, [7, 3], CF).unwrap();
    assert_eq!((s.len(), s.maps(), s.map_len()), (0, 0, 21));
}

#[test]
fn shape_rank_mismatch() {
    for format in [CL, CF] {
        for n in 0..8 {
            let dims = vec![1; n];
            let r1 = Shape1D::from_dims(&dims, format);
            let r2 = Shape2D::from_dims(&dims, format);
            let r3 = Shape3D::from_dims(&dims, format);
            for (rank, result) in [
                (3, r1.map(|_| ())),
                (4, r2.map(|_| ())),
                (5, r3.map(|_| ())),
            ] {
                if n == rank {
                    assert_eq!(result, Ok(()));
                } else {
                    assert_eq!(
                        result,
                        Err(Error::RankMismatch {
                            expected: rank,
                            found: n
                        })
                    );
                }
            }
        }
    }
}

// ---- kernels ----------------------------------------------------------------------------------

fn shape() -> Shape2D {
    Shape2D::from_dims(&[2, 3, 4, 5], CF).unwrap() // 120 elements, 10 maps
}

#[test]
fn spatial_dropout_length_mismatch_names_the_argument() {
    let s = shape();
    for (input_len, output_len, expected) in [
        (119, 120, length("input", 120, 119)),
        (121, 120, length("input", 120, 121)),
        (0, 120, length("input", 120, 0)),
        (120, 119, length("output", 120, 119)),
        (120, 200, length("output", 120, 200)),
        // Both wrong: the input is checked first.
        (1, 2, length("input", 120, 1)),
    ] {
        for rate in [0.0, 0.5, 1.0] {
            let mut y = untouched(output_len);
            let mut rng = Counting::seeded(1);
            let input = vec![1.0; input_len];
            let err = spatial_dropout(&input, &mut y, &s, Rate::new(rate).unwrap(), &mut rng);
            assert_eq!(err, Err(expected), "rate {rate}");
            assert_untouched(&y);
            assert_eq!(rng.u32_draws + rng.other_draws, 0, "a failed call drew");
        }
    }
}

#[test]
fn spatial_dropout_in_place_length_mismatch() {
    let s = shape();
    for n in [0, 1, 119, 121, 240] {
        for rate in [0.0, 0.5, 1.0] {
            let mut data = untouched(n);
            let mut rng = Counting::seeded(1);
            assert_eq!(
                spatial_dropout_in_place(&mut data, &s, Rate::new(rate).unwrap(), &mut rng),
                Err(length("data", 120, n))
            );
            assert_untouched(&data);
            assert_eq!(rng.u32_draws + rng.other_draws, 0);
        }
    }
}

#[test]
fn draw_mask_too_short_draws_and_writes_nothing() {
    for (maps, words) in [(1, 0), (32, 0), (33, 1), (64, 1), (65, 2), (1000, 31)] {
        for rate in [0.0, 0.5, 1.0] {
            let mut keep = vec![0xdead_beef_u32; words];
            let mut rng = Counting::seeded(3);
            assert_eq!(
                draw_mask(&mut keep, maps, Rate::new(rate).unwrap(), &mut rng),
                Err(Error::MaskTooShort {
                    expected: mask_words(maps),
                    found: words
                })
            );
            assert!(keep.iter().all(|&w| w == 0xdead_beef));
            assert_eq!(rng.u32_draws + rng.other_draws, 0);
        }
    }
    // Zero maps need zero words.
    let mut rng = Counting::seeded(3);
    draw_mask(&mut [], 0, half(), &mut rng).unwrap();
    assert_eq!(rng.u32_draws, 0);
}

#[test]
fn apply_mask_errors() {
    let s = shape();
    let x = vec![1.0; 120];
    let keep = [u32::MAX];
    let cases: [(usize, usize, &[u32], Error); 5] = [
        (119, 120, &keep, length("input", 120, 119)),
        (120, 121, &keep, length("output", 120, 121)),
        (
            120,
            120,
            &[],
            Error::MaskTooShort {
                expected: 1,
                found: 0,
            },
        ),
        // Lengths are checked before the mask.
        (120, 0, &[], length("output", 120, 0)),
        (0, 120, &keep, length("input", 120, 0)),
    ];
    for (input_len, output_len, mask, expected) in cases {
        for rate in [0.0, 0.5, 1.0] {
            let mut y = untouched(output_len);
            let result = apply_mask(
                x.get(..input_len).unwrap_or(&[]),
                &mut y,
                &s,
                Rate::new(rate).unwrap(),
                mask,
            );
            assert_eq!(result, Err(expected));
            assert_untouched(&y);
        }
    }
    // A mask longer than needed is fine.
    let mut y = untouched(120);
    apply_mask(&x, &mut y, &s, half(), &[u32::MAX, 0, 7]).unwrap();
    assert!(y.iter().all(|&v| v == 2.0));
}

#[test]
fn apply_mask_in_place_errors() {
    let s = Shape3D::from_dims(&[3, 2, 2, 2, 11], CL).unwrap(); // 33 maps: 2 words
    for (n, mask, expected) in [
        (263, &[u32::MAX, 1][..], length("data", 264, 263)),
        (
            264,
            &[u32::MAX][..],
            Error::MaskTooShort {
                expected: 2,
                found: 1,
            },
        ),
        (0, &[][..], length("data", 264, 0)),
    ] {
        for rate in [0.0, 0.5, 1.0] {
            let mut data = untouched(n);
            assert_eq!(
                apply_mask_in_place(&mut data, &s, Rate::new(rate).unwrap(), mask),
                Err(expected)
            );
            assert_untouched(&data);
        }
    }
}

// ---- the layer --------------------------------------------------------------------------------

/// The layer's next training output on a probe input: compares generator states.
fn next_mask_3d(layer: &mut SpatialDropout3D) -> Vec<u32> {
    let dims = [4, 1, 1, 1, 16]; // 64 maps
    let x = vec![1.0; 64];
    let mut y = vec![0.0; 64];
    layer.call(&x, &dims, &mut y, true).unwrap();
    bits(&y)
}

#[test]
fn layer_name_too_long() {
    let fits = "n".repeat(MAX_NAME_LEN);
    let layer = SpatialDropout2D::new(0.5)
        .unwrap()
        .with_name(&fits)
        .unwrap();
    assert_eq!(layer.name(), fits);

    let too_long = "n".repeat(MAX_NAME_LEN + 1);
    let err = SpatialDropout2D::new(0.5)
        .unwrap()
        .with_name(&too_long)
        .unwrap_err();
    assert_eq!(err, Error::NameTooLong { max: MAX_NAME_LEN });

    // A multi-byte character straddling the bound: bytes count, not characters.
    let straddling = format!("{}é", "n".repeat(MAX_NAME_LEN - 1));
    assert_eq!(straddling.len(), MAX_NAME_LEN + 1);
    let mut layer = SpatialDropout1D::new(0.5)
        .unwrap()
        .with_name("mine")
        .unwrap();
    assert_eq!(
        layer.set_name(&straddling),
        Err(Error::NameTooLong { max: MAX_NAME_LEN })
    );
    assert_eq!(layer.name(), "mine", "a failed set_name keeps the old name");
    layer.set_name("").unwrap();
    assert_eq!(layer.name(), "");
}

#[test]
fn layer_call_errors_change_nothing() {
    let mut layer = SpatialDropout3D::new(0.5).unwrap().with_seed(9);
    let mut fresh = SpatialDropout3D::new(0.5).unwrap().with_seed(9);
    let dims = [2, 2, 2, 2, 3]; // 48 elements
    let x = vec![1.0; 48];
    for training in [true, false] {
        let failures: [(&[usize], usize, usize, Error); 6] = [
            (
                &[2, 2, 2, 12],
                48,
                48,
                Error::RankMismatch {
                    expected: 5,
                    found: 4,
                },
            ),
            (
                &[2, 2, 2, 2, 3, 1],
                48,
                48,
                Error::RankMismatch {
                    expected: 5,
                    found: 6,
                },
            ),
            (
                &[],
                48,
                48,
                Error::RankMismatch {
                    expected: 5,
                    found: 0,
                },
            ),
            (&dims, 47, 48, length("input", 48, 47)),
            (&dims, 48, 49, length("output", 48, 49)),
            (&[usize::MAX, 2, 1, 1, 1], 48, 48, Error::ShapeOverflow),
        ];
        for (d, input_len, output_len, expected) in failures {
            let mut y = untouched(output_len);
            assert_eq!(
                layer.call(&x[..input_len], d, &mut y, training),
                Err(expected),
                "training {training}"
            );
            assert_untouched(&y);
            let mut data = untouched(input_len);
            let in_place_expected = match expected {
                Error::LengthMismatch { .. } if input_len != 48 => length("data", 48, input_len),
                Error::LengthMismatch { .. } => continue,
                other => other,
            };
            assert_eq!(
                layer.call_in_place(&mut data, d, training),
                Err(in_place_expected)
            );
            assert_untouched(&data);
        }
    }
    // No failed call advanced the generator or recorded a forward call.
    assert_eq!(
        layer.backward(&x, &dims, &mut [0.0; 48]),
        Err(Error::NoForwardCall)
    );
    assert_eq!(next_mask_3d(&mut layer), next_mask_3d(&mut fresh));
    assert_eq!(next_mask_3d(&mut layer), next_mask_3d(&mut fresh));
}

#[test]
fn layer_backward_errors() {
    let dims = [2, 3, 4]; // 24 elements, 1D
    let x: Vec<f32> = (0..24).map(|i| i as f32 + 1.0).collect();
    let mut layer = SpatialDropout1D::new(0.5).unwrap().with_seed(4);

    // Before any forward call.
    let mut g = untouched(24);
    assert_eq!(layer.backward(&x, &dims, &mut g), Err(Error::NoForwardCall));
    assert_untouched(&g);

    let mut y = vec![0.0; 24];
    layer.call(&x, &dims, &mut y, true).unwrap();
    let failures: [(&[usize], usize, usize, Error); 6] = [
        // Same element count, other dims.
        (&[2, 4, 3], 24, 24, Error::ShapeMismatch),
        (&[1, 6, 4], 24, 24, Error::ShapeMismatch),
        (
            &[2, 3, 4, 1],
            24,
            24,
            Error::RankMismatch {
                expected: 3,
                found: 4,
            },
        ),
        (&dims, 23, 24, length("grad_outputs", 24, 23)),
        (&dims, 24, 25, length("grad_inputs", 24, 25)),
        (&dims, 0, 0, length("grad_outputs", 24, 0)),
    ];
    for (d, gout_len, gin_len, expected) in failures {
        let mut g = untouched(gin_len);
        assert_eq!(layer.backward(&x[..gout_len], d, &mut g), Err(expected));
        assert_untouched(&g);
    }

    // After an inference call backward is a copy, with the same errors.
    let mut inference = SpatialDropout1D::new(0.5).unwrap();
    inference.call(&x, &dims, &mut y, false).unwrap();
    let mut g = untouched(25);
    assert_eq!(
        inference.backward(&x, &dims, &mut g),
        Err(length("grad_inputs", 24, 25))
    );
    assert_untouched(&g);
    let mut g = untouched(24);
    assert_eq!(
        inference.backward(&x[..3], &dims, &mut g),
        Err(length("grad_outputs", 24, 3))
    );
    assert_untouched(&g);
}

#[test]
fn failed_calls_keep_the_backward_state_of_the_last_good_call() {
    let dims = [2, 3, 3, 4];
    let x: Vec<f32> = (0..72).map(|i| i as f32 - 30.0).collect();
    let mut layer = SpatialDropout2D::new(0.5).unwrap().with_seed(77);
    let mut y = vec![0.0; 72];
    layer.call(&x, &dims, &mut y, true).unwrap();

    // Failures of every kind, training or not.
    let mut junk = untouched(72);
    assert!(layer.call(&x, &[2, 3, 3], &mut junk, true).is_err());
    assert!(layer.call(&x, &[2, 3, 3, 5], &mut junk, false).is_err());
    assert!(layer.call_in_place(&mut junk[..71], &dims, true).is_err());
    assert!(layer.call_in_place(&mut junk, &[72], false).is_err());
    assert!(layer.backward(&x, &[2, 3, 4, 3], &mut junk).is_err());
    assert_untouched(&junk);

    let mut g = vec![0.0; 72];
    layer.backward(&x, &dims, &mut g).unwrap();
    assert_eq!(bits(&g), bits(&y));
}

#[test]
fn compute_output_shape_checks_the_rank() {
    let layer = SpatialDropout2D::new(0.3).unwrap();
    assert_eq!(
        layer.compute_output_shape(&[1, 2, 3, 4]),
        Ok(&[1, 2, 3, 4][..])
    );
    assert_eq!(
        layer.compute_output_shape(&[1, 2, 3]),
        Err(Error::RankMismatch {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(
        layer.compute_output_shape(&[usize::MAX, 2, 1, 1]),
        Err(Error::ShapeOverflow)
    );
    let layer = SpatialDropout1D::new(0.3).unwrap();
    assert_eq!(
        layer.compute_output_shape(&[1, 2, 3, 4]),
        Err(Error::RankMismatch {
            expected: 3,
            found: 4
        })
    );
}

// ---- messages ---------------------------------------------------------------------------------

#[test]
fn display_texts() {
    let table: [(Error, &str); 9] = [
        (
            Error::InvalidRate { rate: 1.5 },
            "Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
             Received: rate=1.5",
        ),
        (
            Error::InvalidDataFormat,
            "The `data_format` argument must be one of {'channels_first', 'channels_last'}",
        ),
        (
            Error::RankMismatch {
                expected: 5,
                found: 4,
            },
            "Input is incompatible with the layer: expected ndim=5, found ndim=4",
        ),
        (
            Error::ShapeOverflow,
            "the product of the dims overflows usize on this target",
        ),
        (
            length("grad_inputs", 24, 25),
            "`grad_inputs` holds 25 elements but the shape needs 24",
        ),
        (
            Error::MaskTooShort {
                expected: 2,
                found: 1,
            },
            "the keep mask holds 1 words but 2 are needed (one bit per map)",
        ),
        (
            Error::NameTooLong { max: 64 },
            "the layer name is longer than 64 bytes",
        ),
        (
            Error::NoForwardCall,
            "`backward` needs a forward call of the layer first",
        ),
        (
            Error::ShapeMismatch,
            "`backward` got a shape other than the one of the layer's last forward call",
        ),
    ];
    for (err, text) in table {
        assert_eq!(err.to_string(), text);
        // Usable as a std error, and Copy.
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert_eq!(boxed.to_string(), text);
        let copy = err;
        assert_eq!(format!("{copy:?}"), format!("{err:?}"));
    }
}

#[test]
fn failed_kernel_calls_leave_the_generator_alone() {
    let mut rng = XorShiftRng::seed_from_u64(5);
    let before = rng.clone();
    let s = shape();
    assert!(spatial_dropout_in_place(&mut [0.0; 3], &s, half(), &mut rng).is_err());
    assert!(spatial_dropout(&[0.0; 120], &mut [0.0; 3], &s, half(), &mut rng).is_err());
    assert!(draw_mask(&mut [], 10, half(), &mut rng).is_err());
    assert_eq!(rng, before);
    assert_eq!(rng.next_u32(), XorShiftRng::seed_from_u64(5).next_u32());
    // Generic over the rank, the shape type carries the rank check.
    assert!(matches!(
        Shape::<1>::from_dims(&[1, 2], CF),
        Err(Error::RankMismatch {
            expected: 3,
            found: 2
        })
    ));
}

/// Found by the `kernels` fuzz target: with a batch of 0 the element count is 0, but one
/// sample's length (`channels × map_len`) still overflowed inside the channels_last walk.
#[test]
fn sample_length_overflow_is_an_error_even_with_an_empty_batch() {
    let big = 1usize << (usize::BITS / 2 + 1);
    for format in [DataFormat::ChannelsLast, DataFormat::ChannelsFirst] {
        assert_eq!(
            Shape::<1>::new(0, big, [big], format),
            Err(Error::ShapeOverflow)
        );
    }
    // A sample that fits is fine with any batch, including 0.
    assert!(Shape::<1>::new(0, 1 << 10, [1 << 10], DataFormat::ChannelsLast).is_ok());
}

/// Found by the `kernels` fuzz target: a 0 after a pair of spatial dims whose product overflows
/// makes `map_len` 0, which fits; only a product that really does not fit is an error.
#[test]
fn a_zero_spatial_dim_makes_the_map_empty_whatever_precedes_it() {
    let big = usize::MAX / 2;
    let s = Shape3D::new(2, 3, [big, big, 0], CL).unwrap();
    assert_eq!((s.len(), s.maps(), s.map_len()), (0, 6, 0));
    assert_eq!(
        Shape3D::new(2, 3, [big, big, 1], CL),
        Err(Error::ShapeOverflow)
    );
    let mut layer = spatial_dropout::SpatialDropout3D::new(0.5)
        .unwrap()
        .with_seed(1);
    let mut out: [f32; 0] = [];
    layer
        .call(&[], &[2, big, big, 0, 3], &mut out, true)
        .unwrap();
}
