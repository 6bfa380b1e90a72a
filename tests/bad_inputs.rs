//! The bad-input matrix of `docs/bad-inputs.md`, Rust and JSON rows: every row is run here,
//! its error message must be exactly the one the document shows, and every call that takes a
//! caller buffer must leave it untouched (and a layer's generator unadvanced).
//!
//! `BLESS=1 cargo test --test bad_inputs` rewrites the table from the code after a deliberate
//! change of a message.

use spatial_dropout::{
    DataFormat, Error, Rate, SeedableRng, Shape1D, Shape2D, Shape3D, SpatialDropout1D,
    SpatialDropout2D, SpatialDropout3D, XorShiftRng, apply_mask, apply_mask_in_place, draw_mask,
    spatial_dropout, spatial_dropout_in_place,
};

const CL: DataFormat = DataFormat::ChannelsLast;
const CF: DataFormat = DataFormat::ChannelsFirst;
const SENTINEL: f32 = -7.25;
const DOC: &str = "docs/bad-inputs.md";
const BEGIN: &str = "<!-- rust-matrix:begin -->";
const END: &str = "<!-- rust-matrix:end -->";

struct Row {
    api: &'static str,
    input: &'static str,
    run: fn() -> Error,
}

/// Unwraps the error of a call that must fail.
fn err<T: core::fmt::Debug>(r: Result<T, Error>) -> Error {
    r.expect_err("this bad input was accepted")
}

fn untouched(buf: &[f32]) {
    assert!(
        buf.iter().all(|&y| y.to_bits() == SENTINEL.to_bits()),
        "a failed call wrote"
    );
}

/// A failed layer call must not advance the generator: its next mask equals a fresh layer's.
fn generator_unadvanced(layer: &mut SpatialDropout2D, seed: u64) {
    let dims = [4, 1, 1, 16];
    let x = [1.0_f32; 64];
    let (mut a, mut b) = ([0.0_f32; 64], [0.0_f32; 64]);
    layer.call(&x, &dims, &mut a, true).unwrap();
    SpatialDropout2D::new(0.5)
        .unwrap()
        .with_seed(seed)
        .call(&x, &dims, &mut b, true)
        .unwrap();
    assert_eq!(a, b, "a failed call advanced the generator");
}

fn layer3(seed: u64) -> SpatialDropout3D {
    SpatialDropout3D::new(0.5).unwrap().with_seed(seed)
}

/// `layer3(1)` after one training call on a `[1, 1, 1, 1, 2]` tensor: ready for `backward`.
fn layer3_after_call() -> SpatialDropout3D {
    let mut layer = layer3(1);
    layer
        .call(&[1.0; 2], &[1, 1, 1, 1, 2], &mut [0.0; 2], true)
        .unwrap();
    layer
}

const CONFIG: &str =
    r#"{"rate":0.5,"seed":7,"name":"sd","dtype":"float32","data_format":"channels_last"}"#;

fn json3(text: &str) -> Error {
    err(SpatialDropout3D::from_config(text.as_bytes()))
}

fn rows() -> Vec<Row> {
    vec![
        Row {
            api: "Rate::new",
            input: "-0.5",
            run: || err(Rate::new(-0.5)),
        },
        Row {
            api: "Rate::new",
            input: "1.5",
            run: || err(Rate::new(1.5)),
        },
        Row {
            api: "Rate::new",
            input: "NaN",
            run: || err(Rate::new(f64::NAN)),
        },
        Row {
            api: "Rate::new",
            input: "+inf",
            run: || err(Rate::new(f64::INFINITY)),
        },
        Row {
            api: "SpatialDropout2D::new",
            input: "rate 1e20",
            run: || err(SpatialDropout2D::new(1e20)),
        },
        Row {
            api: "DataFormat::from_str",
            input: "\"channels_middle\"",
            run: || err("channels_middle".parse::<DataFormat>()),
        },
        Row {
            api: "DataFormat::from_str",
            input: "\"\" (empty)",
            run: || err("".parse::<DataFormat>()),
        },
        Row {
            api: "Shape3D::from_dims",
            input: "4 dims `[2, 4, 4, 4]`",
            run: || err(Shape3D::from_dims(&[2, 4, 4, 4], CL)),
        },
        Row {
            api: "Shape1D::from_dims",
            input: "no dims",
            run: || err(Shape1D::from_dims(&[], CF)),
        },
        Row {
            api: "Shape2D::new",
            input: "batch `usize::MAX`, 2 channels",
            run: || err(Shape2D::new(usize::MAX, 2, [1, 1], CL)),
        },
        Row {
            api: "Shape1D::new",
            input: "batch 0, a sample of `usize::MAX` × 2 elements",
            run: || err(Shape1D::new(0, 2, [usize::MAX], CL)),
        },
        Row {
            api: "Shape3D::new",
            input: "spatial `[h, h, 1]`, h = 2^(usize::BITS / 2 + 4)",
            run: || {
                let h = 1usize << (usize::BITS / 2 + 4);
                err(Shape3D::new(1, 1, [h, h, 1], CL))
            },
        },
        Row {
            api: "spatial_dropout",
            input: "input 7 elements, shape 8",
            run: || {
                let s = Shape1D::new(1, 2, [4], CL).unwrap();
                let mut out = [SENTINEL; 8];
                let e = err(spatial_dropout(
                    &[0.0; 7],
                    &mut out,
                    &s,
                    Rate::new(0.5).unwrap(),
                    &mut XorShiftRng::seed_from_u64(1),
                ));
                untouched(&out);
                e
            },
        },
        Row {
            api: "spatial_dropout",
            input: "output 9 elements, shape 8",
            run: || {
                let s = Shape1D::new(1, 2, [4], CL).unwrap();
                let mut out = [SENTINEL; 9];
                let e = err(spatial_dropout(
                    &[0.0; 8],
                    &mut out,
                    &s,
                    Rate::new(0.5).unwrap(),
                    &mut XorShiftRng::seed_from_u64(1),
                ));
                untouched(&out);
                e
            },
        },
        Row {
            api: "spatial_dropout_in_place",
            input: "data 0 elements, shape 8",
            run: || {
                let s = Shape1D::new(1, 2, [4], CF).unwrap();
                err(spatial_dropout_in_place(
                    &mut [],
                    &s,
                    Rate::new(0.5).unwrap(),
                    &mut XorShiftRng::seed_from_u64(1),
                ))
            },
        },
        Row {
            api: "draw_mask",
            input: "33 maps, 1 word",
            run: || {
                let mut keep = [0xDEAD_BEEF_u32; 1];
                let e = err(draw_mask(
                    &mut keep,
                    33,
                    Rate::new(0.5).unwrap(),
                    &mut XorShiftRng::seed_from_u64(1),
                ));
                assert_eq!(keep, [0xDEAD_BEEF]);
                e
            },
        },
        Row {
            api: "apply_mask",
            input: "8 maps, empty mask",
            run: || {
                let s = Shape2D::new(2, 4, [1, 1], CL).unwrap();
                let mut out = [SENTINEL; 8];
                let e = err(apply_mask(
                    &[1.0; 8],
                    &mut out,
                    &s,
                    Rate::new(0.5).unwrap(),
                    &[],
                ));
                untouched(&out);
                e
            },
        },
        Row {
            api: "apply_mask_in_place",
            input: "data 3 elements, shape 8",
            run: || {
                let s = Shape2D::new(2, 4, [1, 1], CL).unwrap();
                let mut data = [SENTINEL; 3];
                let e = err(apply_mask_in_place(
                    &mut data,
                    &s,
                    Rate::new(0.5).unwrap(),
                    &[u32::MAX],
                ));
                untouched(&data);
                e
            },
        },
        Row {
            api: "SpatialDropout2D::call",
            input: "3 dims `[1, 2, 3]`",
            run: || {
                let mut layer = SpatialDropout2D::new(0.5).unwrap().with_seed(3);
                let mut out = [SENTINEL; 6];
                let e = err(layer.call(&[1.0; 6], &[1, 2, 3], &mut out, true));
                untouched(&out);
                generator_unadvanced(&mut layer, 3);
                e
            },
        },
        Row {
            api: "SpatialDropout2D::call",
            input: "outputs 5 elements, dims `[1, 2, 1, 3]`",
            run: || {
                let mut layer = SpatialDropout2D::new(0.5).unwrap().with_seed(4);
                let mut out = [SENTINEL; 5];
                let e = err(layer.call(&[1.0; 6], &[1, 2, 1, 3], &mut out, true));
                untouched(&out);
                generator_unadvanced(&mut layer, 4);
                e
            },
        },
        Row {
            api: "SpatialDropout2D::call",
            input: "inference, inputs 5 elements",
            run: || {
                let mut layer = SpatialDropout2D::new(0.5).unwrap().with_seed(5);
                let mut out = [SENTINEL; 6];
                let e = err(layer.call(&[1.0; 5], &[1, 2, 1, 3], &mut out, false));
                untouched(&out);
                e
            },
        },
        Row {
            api: "SpatialDropout2D::call_in_place",
            input: "data 7 elements, dims `[1, 2, 1, 3]`",
            run: || {
                let mut layer = SpatialDropout2D::new(0.5).unwrap().with_seed(6);
                let mut data = [SENTINEL; 7];
                let e = err(layer.call_in_place(&mut data, &[1, 2, 1, 3], true));
                untouched(&data);
                generator_unadvanced(&mut layer, 6);
                e
            },
        },
        Row {
            api: "SpatialDropout3D::backward",
            input: "before any forward call",
            run: || {
                let mut g = [SENTINEL; 1];
                let e = err(layer3(1).backward(&[1.0], &[1, 1, 1, 1, 1], &mut g));
                untouched(&g);
                e
            },
        },
        Row {
            api: "SpatialDropout3D::backward",
            input: "dims other than the last call's",
            run: || {
                let layer = layer3_after_call();
                let mut g = [SENTINEL; 2];
                let e = err(layer.backward(&[1.0; 2], &[1, 1, 1, 2, 1], &mut g));
                untouched(&g);
                e
            },
        },
        Row {
            api: "SpatialDropout3D::backward",
            input: "grad_inputs 1 element, shape 2",
            run: || {
                let layer = layer3_after_call();
                let mut g = [SENTINEL; 1];
                let e = err(layer.backward(&[1.0; 2], &[1, 1, 1, 1, 2], &mut g));
                untouched(&g);
                e
            },
        },
        Row {
            api: "SpatialDropout3D::backward",
            input: "grad_outputs 3 elements, shape 2",
            run: || {
                let layer = layer3_after_call();
                let mut g = [SENTINEL; 2];
                let e = err(layer.backward(&[1.0; 3], &[1, 1, 1, 1, 2], &mut g));
                untouched(&g);
                e
            },
        },
        Row {
            api: "SpatialDropout1D::with_name",
            input: "a 65-byte name",
            run: || {
                err(SpatialDropout1D::new(0.1)
                    .unwrap()
                    .with_name(&"n".repeat(65)))
            },
        },
        Row {
            api: "SpatialDropout1D::compute_output_shape",
            input: "4 dims",
            run: || {
                err(SpatialDropout1D::new(0.1)
                    .unwrap()
                    .compute_output_shape(&[1, 2, 3, 4]))
            },
        },
        Row {
            api: "write_config",
            input: "a 10-byte buffer",
            run: || {
                let mut buf = [0xAA_u8; 10];
                let e = err(layer3(1).write_config(&mut buf));
                assert_eq!(buf, [0xAA; 10]);
                e
            },
        },
        Row {
            api: "write_serialized",
            input: "a buffer one byte short",
            run: || {
                let layer = layer3(1);
                let mut big = [0u8; 512];
                let n = layer.write_serialized(&mut big).unwrap();
                err(layer.write_serialized(&mut big[..n - 1]))
            },
        },
        Row {
            api: "from_config (3D)",
            input: "empty bytes",
            run: || json3(""),
        },
        Row {
            api: "from_config (3D)",
            input: "truncated `{\"rate\":0.5`",
            run: || json3(r#"{"rate":0.5"#),
        },
        Row {
            api: "from_config (3D)",
            input: "trailing bytes after the object",
            run: || json3(&format!("{CONFIG} x")),
        },
        Row {
            api: "from_config (3D)",
            input: "invalid UTF-8 in `name`",
            run: || {
                err(SpatialDropout3D::from_config(
                    b"{\"rate\":0.5,\"name\":\"\xff\"}",
                ))
            },
        },
        Row {
            api: "from_config (3D)",
            input: "no `rate`",
            run: || json3(r#"{"seed":1,"name":"x","dtype":"float32"}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`rate` as a string",
            run: || json3(r#"{"rate":"0.5"}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`rate` 1.5",
            run: || json3(r#"{"rate":1.5}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`seed` -1",
            run: || json3(r#"{"rate":0.5,"seed":-1}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`seed` 1.5",
            run: || json3(r#"{"rate":0.5,"seed":1.5}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`dtype` \"float16\"",
            run: || json3(r#"{"rate":0.5,"dtype":"float16"}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "DTypePolicy `mixed_float16`",
            run: || {
                json3(
                    r#"{"rate":0.5,"dtype":{"module":"keras","class_name":"DTypePolicy","config":{"name":"mixed_float16"},"registered_name":null}}"#,
                )
            },
        },
        Row {
            api: "from_config (3D)",
            input: "`data_format` \"channels_middle\"",
            run: || json3(r#"{"rate":0.5,"data_format":"channels_middle"}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "a 65-byte `name`",
            run: || json3(&format!(r#"{{"rate":0.5,"name":"{}"}}"#, "n".repeat(65))),
        },
        Row {
            api: "from_config (3D)",
            input: "`noise_shape` `[1, 1, 1, 1, 8]`",
            run: || json3(r#"{"rate":0.5,"noise_shape":[1,1,1,1,8],"trainable":true}"#),
        },
        Row {
            api: "from_config (3D)",
            input: "`class_name` \"SpatialDropout2D\"",
            run: || {
                json3(&format!(
                    r#"{{"module":"keras.layers","class_name":"SpatialDropout2D","config":{CONFIG},"registered_name":null}}"#
                ))
            },
        },
        Row {
            api: "from_config (3D)",
            input: "`class_name` \"Dense\"",
            run: || json3(&format!(r#"{{"class_name":"Dense","config":{CONFIG}}}"#)),
        },
        Row {
            api: "from_config (3D)",
            input: "`class_name` without `config`",
            run: || json3(r#"{"class_name":"SpatialDropout3D"}"#),
        },
        Row {
            api: "from_config (1D)",
            input: "`data_format` \"channels_first\"",
            run: || {
                err(SpatialDropout1D::from_config(
                    br#"{"rate":0.5,"data_format":"channels_first"}"#,
                ))
            },
        },
        Row {
            api: "from_config (3D)",
            input: "a JSON array",
            run: || json3("[0.5]"),
        },
        Row {
            api: "from_model_json (2D)",
            input: "no layer of that name",
            run: || {
                err(SpatialDropout2D::from_model_json(
                    br#"{"class_name":"Sequential","config":{"layers":[]}}"#,
                    "sd",
                ))
            },
        },
    ]
}

fn render() -> String {
    let mut table =
        String::from("| # | Rust API | bad input | error (`Display`) |\n|---|---|---|---|\n");
    for (i, row) in rows().iter().enumerate() {
        let message = (row.run)().to_string().replace('|', "\\|");
        // Double backticks: the messages quote names in single backticks.
        table.push_str(&format!(
            "| R{:02} | `{}` | {} | `` {} `` |\n",
            i + 1,
            row.api,
            row.input,
            message
        ));
    }
    table
}

#[test]
fn the_document_shows_every_rust_and_json_row_with_its_exact_error() {
    let doc = std::fs::read_to_string(DOC).unwrap();
    let (head, rest) = doc.split_once(BEGIN).expect("begin marker");
    let (current, tail) = rest.split_once(END).expect("end marker");
    let fresh = render();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(DOC, format!("{head}{BEGIN}\n{fresh}{END}{tail}")).unwrap();
        return;
    }
    assert_eq!(
        current.trim(),
        fresh.trim(),
        "docs/bad-inputs.md is stale: run with BLESS=1"
    );
}

#[test]
fn every_row_is_distinct() {
    let rows = rows();
    let mut seen = std::collections::HashSet::new();
    for row in &rows {
        assert!(
            seen.insert((row.api, row.input)),
            "duplicate row {} {}",
            row.api,
            row.input
        );
    }
    assert!(rows.len() >= 40);
}
