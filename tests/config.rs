//! Keras JSON in and out, against the bytes real Keras wrote (tests/fixtures/keras, made by
//! tests/fixtures/make_keras_fixtures.py with TensorFlow 2.16 / Keras 3 and tf-keras 2.16):
//! every fixture reads with Keras's values, writing gives Keras's bytes, every rejection has
//! its exact error, and no byte string makes the reader panic.
#![cfg(feature = "json")]

use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;
use spatial_dropout::{
    DataFormat, Error, LayerJson, MAX_CONFIG_LEN, MAX_NAME_LEN, MAX_SERIALIZED_LEN, ModelLayers,
    SpatialDropout, SpatialDropout1D, SpatialDropout2D, SpatialDropout3D,
};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras")
}

fn read(file: &str) -> Vec<u8> {
    std::fs::read(fixture_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn manifest() -> Value {
    serde_json::from_slice(&read("manifest.json")).expect("manifest.json")
}

fn cases() -> Vec<Value> {
    manifest()["cases"].as_array().unwrap().clone()
}

/// Every layer fixture (not the manifest or the float table).
fn fixture_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(fixture_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".json") && f != "manifest.json" && f != "float_repr.json")
        .collect();
    files.sort();
    files
}

/// What a reader found, as plain values, so that one check serves every rank.
#[derive(Debug, PartialEq)]
struct Read {
    rate_bits: u64,
    seed: Option<u64>,
    name: String,
    format: DataFormat,
    config: String,
    serialized: String,
}

fn describe<const S: usize>(layer: &SpatialDropout<S>) -> Read {
    let mut buf = [0u8; MAX_SERIALIZED_LEN];
    let n = layer.write_config(&mut buf).unwrap();
    assert_eq!(n, layer.config_len());
    assert!(n <= MAX_CONFIG_LEN);
    let config = String::from_utf8(buf[..n].to_vec()).unwrap();
    let n = layer.write_serialized(&mut buf).unwrap();
    assert_eq!(n, layer.serialized_len());
    let serialized = String::from_utf8(buf[..n].to_vec()).unwrap();
    Read {
        rate_bits: layer.rate().get().to_bits(),
        seed: layer.seed(),
        name: layer.name().to_owned(),
        format: layer.data_format(),
        config,
        serialized,
    }
}

fn read_rank(rank: u64, json: &[u8]) -> Result<Read, Error> {
    match rank {
        1 => SpatialDropout1D::from_config(json).map(|l| describe(&l)),
        2 => SpatialDropout2D::from_config(json).map(|l| describe(&l)),
        3 => SpatialDropout3D::from_config(json).map(|l| describe(&l)),
        _ => unreachable!(),
    }
}

fn build_rank(rank: usize, layer: &LayerJson<'_>) -> Result<Read, Error> {
    match rank {
        1 => layer.build::<1>().map(|l| describe(&l)),
        2 => layer.build::<2>().map(|l| describe(&l)),
        3 => layer.build::<3>().map(|l| describe(&l)),
        _ => unreachable!(),
    }
}

/// What the manifest says Keras has for this layer.
fn expected(case: &Value) -> Read {
    let rate: f64 = case["rate"].as_str().unwrap().parse().unwrap();
    Read {
        rate_bits: rate.to_bits(),
        seed: case["seed"].as_u64(),
        name: case["name"].as_str().unwrap().to_owned(),
        format: case["data_format"].as_str().unwrap().parse().unwrap(),
        config: case["get_config"].as_str().unwrap().to_owned(),
        serialized: case["serialized"].as_str().unwrap().to_owned(),
    }
}

fn rank_of(case: &Value) -> u64 {
    case["rank"].as_u64().unwrap()
}

#[test]
fn manifest_covers_every_file_and_every_form() {
    let m = manifest();
    assert_eq!(m["format"], "spatial-dropout keras fixtures v1");
    assert!(m["keras"].as_str().unwrap().starts_with("3."));
    assert!(m["tf_keras"].as_str().unwrap().starts_with("2.16"));
    let mut listed: Vec<String> = cases()
        .iter()
        .chain(m["models"].as_array().unwrap())
        .map(|c| c["file"].as_str().unwrap().to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, fixture_files(), "manifest and fixture files differ");
    for form in [
        "keras3 get_config",
        "keras3 serialize_keras_object",
        "keras3 config, dtype as DTypePolicy",
        "keras3 serialized, dtype as DTypePolicy",
        "keras2 get_config",
        "keras2 serialize_keras_object",
    ] {
        assert!(
            cases().iter().any(|c| c["form"] == form),
            "no fixture of form {form}"
        );
    }
    // The issue's grid: 1D/2D/3D × both formats × seed null and integers × seven rates.
    let grid = cases()
        .iter()
        .filter(|c| c["form"] == "keras3 get_config")
        .count();
    assert_eq!(grid, (1 + 2 + 2) * 3 * 7);
}

#[test]
fn every_fixture_reads_with_the_values_keras_wrote() {
    let mut count = 0;
    for case in cases().iter().filter(|c| c.get("error").is_none()) {
        let file = case["file"].as_str().unwrap();
        let got = read_rank(rank_of(case), &read(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(got, expected(case), "{file}");
        count += 1;
    }
    assert!(count > 140, "only {count} fixtures read");
}

#[test]
fn writing_gives_keras_bytes_for_layers_built_in_rust() {
    // Built with the builders, not read: the writer alone must give Keras's bytes.
    for case in cases().iter().filter(|c| c.get("error").is_none()) {
        let want = expected(case);
        let rate = f64::from_bits(want.rate_bits);
        macro_rules! check {
            ($layer:ty, $format:expr) => {{
                let mut layer = <$layer>::new(rate).unwrap().with_name(&want.name).unwrap();
                $format(&mut layer);
                if let Some(seed) = want.seed {
                    layer = layer.with_seed(seed);
                }
                let got = describe(&layer);
                assert_eq!(got.config, want.config, "{}", case["file"]);
                assert_eq!(got.serialized, want.serialized, "{}", case["file"]);
            }};
        }
        let format = want.format;
        match rank_of(case) {
            1 => check!(SpatialDropout1D, |_: &mut SpatialDropout1D| {}),
            2 => check!(SpatialDropout2D, |l: &mut SpatialDropout2D| *l =
                l.clone().with_data_format(format)),
            _ => check!(SpatialDropout3D, |l: &mut SpatialDropout3D| *l =
                l.clone().with_data_format(format)),
        }
    }
}

#[test]
fn written_text_reads_back_to_the_same_layer() {
    for case in cases().iter().filter(|c| c.get("error").is_none()) {
        let want = expected(case);
        for text in [&want.config, &want.serialized] {
            let got = read_rank(rank_of(case), text.as_bytes()).unwrap();
            assert_eq!(got, want, "{}", case["file"]);
        }
    }
}

#[test]
fn integer_rates_read_as_floats_and_write_as_keras_writes_the_float() {
    let text = read("k3_config_int_rate_1.json");
    assert!(text.starts_with(br#"{"rate":1,"#));
    let layer = SpatialDropout2D::from_config(&text).unwrap();
    assert_eq!(layer.rate().get(), 1.0);
    let mut buf = [0u8; MAX_CONFIG_LEN];
    let n = layer.write_config(&mut buf).unwrap();
    assert!(buf[..n].starts_with(br#"{"rate":1.0,"#));
}

#[test]
fn keras_written_rejections_give_their_errors() {
    let mut seen = 0;
    for case in cases().iter().filter(|c| c.get("error").is_some()) {
        let file = case["file"].as_str().unwrap();
        let err = read_rank(rank_of(case), &read(file)).unwrap_err();
        let want = match case["error"].as_str().unwrap() {
            "UnsupportedDtype" => Error::UnsupportedDtype,
            "WrongClass" if file.contains("wrong_rank") => Error::WrongClass {
                expected: "SpatialDropout2D",
                found: Some("SpatialDropout3D"),
            },
            "WrongClass" => Error::WrongClass {
                expected: "SpatialDropout2D",
                found: None,
            },
            other => panic!("unknown error {other}"),
        };
        assert_eq!(err, want, "{file}");
        seen += 1;
    }
    assert_eq!(seen, 4);
}

#[test]
fn model_documents_list_their_layers_in_order() {
    let m = manifest();
    let models = m["models"].as_array().unwrap();
    assert_eq!(models.len(), 4);
    for model in models {
        let file = model["file"].as_str().unwrap();
        let doc = read(file);
        let found: Vec<LayerJson<'_>> = ModelLayers::new(&doc).unwrap().collect();
        let want = model["layers"].as_array().unwrap();
        assert_eq!(found.len(), want.len(), "{file}");
        for (layer, case) in found.iter().zip(want) {
            let rank = layer.rank();
            assert_eq!(rank as u64, rank_of(case), "{file}");
            assert_eq!(layer.class_name(), case["class_name"], "{file}");
            assert_eq!(layer.name().unwrap().as_str(), case["name"], "{file}");
            assert_eq!(&doc[layer.range()], layer.json());
            assert_eq!(layer.json().first(), Some(&b'{'));
            assert_eq!(layer.json().last(), Some(&b'}'));
            assert_eq!(build_rank(rank, layer).unwrap(), expected(case), "{file}");
            // By name, through the whole document.
            let name = case["name"].as_str().unwrap();
            let by_name = match rank {
                1 => SpatialDropout1D::from_model_json(&doc, name).map(|l| describe(&l)),
                2 => SpatialDropout2D::from_model_json(&doc, name).map(|l| describe(&l)),
                _ => SpatialDropout3D::from_model_json(&doc, name).map(|l| describe(&l)),
            };
            assert_eq!(by_name.unwrap(), expected(case), "{file} {name}");
            // Another rank is refused with the class found.
            let other = if rank == 2 { 3 } else { 2 };
            let wrong = build_rank(other, layer).unwrap_err();
            assert!(
                matches!(wrong, Error::WrongClass { found: Some(f), .. } if f == layer.class_name()),
                "{file}: {wrong:?}"
            );
        }
    }
}

#[test]
fn model_lookup_errors() {
    let doc = read("k3_model_sequential.json");
    // A layer that exists but is no SpatialDropout, and a name nobody has.
    for name in ["conv_a", "logits", "nope", ""] {
        assert_eq!(
            SpatialDropout2D::from_model_json(&doc, name).unwrap_err(),
            Error::LayerNotFound,
            "{name}"
        );
    }
    assert_eq!(
        SpatialDropout3D::from_model_json(&doc, "drop_a").unwrap_err(),
        Error::WrongClass {
            expected: "SpatialDropout3D",
            found: Some("SpatialDropout2D")
        }
    );
    // A whole model is not a layer config.
    assert_eq!(
        SpatialDropout2D::from_config(&doc).unwrap_err(),
        Error::WrongClass {
            expected: "SpatialDropout2D",
            found: None
        }
    );
    let broken = &doc[..doc.len() - 1];
    assert_eq!(
        ModelLayers::new(broken).unwrap_err(),
        Error::Json {
            reason: "unexpected end of input",
            offset: broken.len()
        }
    );
    assert!(matches!(
        SpatialDropout2D::from_model_json(broken, "drop_a"),
        Err(Error::Json { .. })
    ));
}

#[test]
fn nested_models_and_keras2_functional_entries_are_found() {
    let doc = read("k3_model_functional.json");
    let names: Vec<_> = ModelLayers::new(&doc)
        .unwrap()
        .map(|l| l.name().unwrap())
        .collect();
    assert_eq!(names, ["drop3_last", "drop3_first", "inner_drop"]);
    let layer = SpatialDropout1D::from_model_json(&doc, "inner_drop").unwrap();
    assert_eq!((layer.rate().get(), layer.seed()), (0.2, Some(3)));
    // Keras 2 drops data_format: a channels_last layer comes back.
    let doc = read("k2_model_functional.json");
    let layer = SpatialDropout3D::from_model_json(&doc, "k2_drop3d").unwrap();
    assert_eq!(layer.data_format(), DataFormat::ChannelsLast);
    assert_eq!(layer.seed(), None);
}

#[test]
fn a_tfjs_model_json_wrapping_a_keras2_model_is_scanned() {
    // TF.js's model.json holds the Keras 2 model.to_json() under "modelTopology".
    let keras2 = String::from_utf8(read("k2_model_sequential.json")).unwrap();
    let doc = format!(
        r#"{{"format": "layers-model", "generatedBy": "keras v2.16.0", "convertedBy": "TensorFlow.js Converter v4.22.0", "modelTopology": {keras2}, "weightsManifest": [{{"paths": ["group1-shard1of1.bin"], "weights": [{{"name": "conv1/kernel", "shape": [3, 5, 6], "dtype": "float32"}}]}}]}}"#
    );
    let names: Vec<_> = ModelLayers::new(doc.as_bytes())
        .unwrap()
        .map(|l| (l.class_name(), l.name().unwrap()))
        .collect();
    assert_eq!(
        names,
        [
            ("SpatialDropout1D", "k2_drop1".try_into().unwrap()),
            ("SpatialDropout1D", "k2_drop2".try_into().unwrap())
        ]
    );
    let layer = SpatialDropout1D::from_model_json(doc.as_bytes(), "k2_drop1").unwrap();
    assert_eq!((layer.rate().get(), layer.seed()), (0.3, Some(5)));
}

const CONFIG_2D: &str =
    r#"{"rate":0.5,"seed":3,"name":"d","dtype":"float32","data_format":"channels_last"}"#;

fn err2(json: &str) -> Error {
    SpatialDropout2D::from_config(json.as_bytes()).unwrap_err()
}

fn err1(json: &str) -> Error {
    SpatialDropout1D::from_config(json.as_bytes()).unwrap_err()
}

fn json_err(reason: &'static str, offset: usize) -> Error {
    Error::Json { reason, offset }
}

#[test]
fn malformed_json_is_refused_with_reason_and_offset() {
    let cases: &[(&[u8], Error)] = &[
        (b"", json_err("unexpected end of input", 0)),
        (b"   ", json_err("unexpected end of input", 3)),
        (br#"{"rate":0.5"#, json_err("unexpected end of input", 11)),
        (br#"{"rate":0.5,}"#, json_err("expected a string key", 12)),
        (br#"{"rate" 0.5}"#, json_err("expected `:`", 8)),
        (
            br#"{rate:0.5}"#,
            json_err("expected a string key or `}`", 1),
        ),
        (
            br#"{"rate":0.5 "seed":1}"#,
            json_err("expected `,` or `}`", 12),
        ),
        (br#"{"rate":01}"#, json_err("expected `,` or `}`", 9)),
        (br#"{"rate":.5}"#, json_err("expected a JSON value", 8)),
        (br#"{"rate":1.}"#, json_err("invalid number", 8)),
        (br#"{"rate":1e}"#, json_err("invalid number", 8)),
        (br#"{"rate":-}"#, json_err("invalid number", 8)),
        (br#"{"rate":tru}"#, json_err("expected a JSON value", 8)),
        (
            br#"{"rate":0.5,"x":[1,]}"#,
            json_err("expected a JSON value", 19),
        ),
        (
            br#"{"rate":0.5,"x":[1}"#,
            json_err("expected `,` or `]`", 18),
        ),
        (
            br#"{"rate":0.5} {}"#,
            json_err("trailing characters after the JSON value", 13),
        ),
        (
            br#"{"rate":0.5,"name":"a"#,
            json_err("unterminated string", 19),
        ),
        (
            br#"{"rate":0.5,"name":"\q"}"#,
            json_err("invalid escape in a string", 20),
        ),
        (
            br#"{"rate":0.5,"name":"\u12"}"#,
            json_err("invalid \\u escape in a string", 20),
        ),
        (
            b"{\"rate\":0.5,\"name\":\"a\nb\"}",
            json_err("unescaped control character in a string", 21),
        ),
        (
            b"{\"rate\":0.5,\"name\":\"\xff\"}",
            json_err("invalid UTF-8 in a string", 19),
        ),
        (
            b"{\"rate\":0.5,\"n\xc3\":1}",
            json_err("invalid UTF-8 in a string", 12),
        ),
        (
            br#"{"rate":0.5,"name":"\ud800"}"#,
            json_err("unpaired surrogate escape in a string", 20),
        ),
        (
            br#"{"rate":0.5,"name":"\udc00\ud800"}"#,
            json_err("unpaired surrogate escape in a string", 20),
        ),
        (b"[0.5]", json_err("expected a JSON object", 0)),
        (b"\"x\"", json_err("expected a JSON object", 0)),
    ];
    for (json, want) in cases {
        assert_eq!(
            SpatialDropout2D::from_config(json).unwrap_err(),
            *want,
            "{}",
            String::from_utf8_lossy(json)
        );
    }
}

#[test]
fn nesting_is_bounded_at_128_levels() {
    let nest = |depth: usize| {
        format!(
            r#"{{"rate":0.5,"x":{}{}}}"#,
            "[".repeat(depth - 1),
            "]".repeat(depth - 1)
        )
    };
    // The root object is level 1.
    assert!(SpatialDropout2D::from_config(nest(128).as_bytes()).is_ok());
    assert_eq!(
        err2(&nest(129)),
        json_err("nested deeper than 128 levels", 16 + 127)
    );
    // A million open brackets: an error, not a stack overflow.
    let deep = "[".repeat(1_000_000);
    assert!(matches!(
        ModelLayers::new(deep.as_bytes()),
        Err(Error::Json {
            reason: "nested deeper than 128 levels",
            ..
        })
    ));
}

#[test]
fn class_name_must_be_this_rank() {
    let wrap = |class: &str| {
        format!(r#"{{"module":"keras.layers","class_name":{class},"config":{CONFIG_2D}}}"#)
    };
    assert!(SpatialDropout2D::from_config(wrap(r#""SpatialDropout2D""#).as_bytes()).is_ok());
    for (class, found) in [
        (r#""SpatialDropout1D""#, Some("SpatialDropout1D")),
        (r#""SpatialDropout3D""#, Some("SpatialDropout3D")),
        (r#""Dropout""#, None),
        (r#""spatialdropout2d""#, None),
        (r#""SpatialDropout2D ""#, None),
    ] {
        assert_eq!(
            err2(&wrap(class)),
            Error::WrongClass {
                expected: "SpatialDropout2D",
                found
            },
            "{class}"
        );
    }
    // An escaped spelling of the right name is the right name.
    assert!(SpatialDropout2D::from_config(wrap(r#""Spatial\u0044ropout2D""#).as_bytes()).is_ok());
    assert_eq!(
        err2(&wrap("2")),
        Error::InvalidValue {
            key: "class_name",
            expected: "a string"
        }
    );
    assert_eq!(
        err2(r#"{"class_name":"SpatialDropout2D"}"#),
        Error::MissingKey { key: "config" }
    );
    assert_eq!(
        err2(r#"{"class_name":"SpatialDropout2D","config":[]}"#),
        Error::InvalidValue {
            key: "config",
            expected: "an object"
        }
    );
}

#[test]
fn dtype_must_be_float32() {
    let with = |dtype: &str| CONFIG_2D.replace(r#""float32""#, dtype);
    let policy = |class: &str, name: &str| {
        format!(
            r#"{{"module":"keras","class_name":"{class}","config":{{"name":"{name}"}},"registered_name":null}}"#
        )
    };
    for ok in [
        r#""float32""#.to_owned(),
        "null".to_owned(),
        policy("DTypePolicy", "float32"),
        policy("FloatDTypePolicy", "float32"),
        policy("Policy", "float32"),
    ] {
        assert!(
            SpatialDropout2D::from_config(with(&ok).as_bytes()).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        r#""float64""#.to_owned(),
        r#""float16""#.to_owned(),
        r#""mixed_float16""#.to_owned(),
        r#""Float32""#.to_owned(),
        policy("DTypePolicy", "mixed_bfloat16"),
        policy("QuantizedDTypePolicy", "float32"),
        r#"{"class_name":"DTypePolicy"}"#.to_owned(),
        r#"{"class_name":"DTypePolicy","config":{"name":32}}"#.to_owned(),
    ] {
        assert_eq!(err2(&with(&bad)), Error::UnsupportedDtype, "{bad}");
    }
    assert_eq!(
        err2(&with("32")),
        Error::InvalidValue {
            key: "dtype",
            expected: "\"float32\" or a DTypePolicy object"
        }
    );
}

#[test]
fn rate_is_checked_as_keras_checks_it() {
    let with = |rate: &str| CONFIG_2D.replace("0.5", rate);
    for (text, rate) in [
        ("1.5", 1.5),
        ("-0.1", -0.1),
        ("1.0000000000000002", 1.0000000000000002),
        ("1e400", f64::INFINITY),
        ("-Infinity", f64::NEG_INFINITY),
    ] {
        assert_eq!(err2(&with(text)), Error::InvalidRate { rate }, "{text}");
    }
    assert!(matches!(err2(&with("NaN")), Error::InvalidRate { rate } if rate.is_nan()));
    for text in [r#""0.5""#, "null", "true", "[0.5]"] {
        assert_eq!(
            err2(&with(text)),
            Error::InvalidValue {
                key: "rate",
                expected: "a number between 0 and 1"
            },
            "{text}"
        );
    }
    assert_eq!(
        err2(r#"{"seed":null,"name":"d"}"#),
        Error::MissingKey { key: "rate" }
    );
    // Up to 40 significant digits are read exactly (Python writes at most 17); more are
    // refused rather than rounded twice. Leading and trailing zeros do not count.
    let forty = format!("0.{}", "3".repeat(40));
    let layer = SpatialDropout2D::from_config(with(&forty).as_bytes()).unwrap();
    assert_eq!(layer.rate().get(), forty.parse::<f64>().unwrap());
    let padded = format!("0.000{}5{}", "0".repeat(3), "0".repeat(60));
    assert!(SpatialDropout2D::from_config(with(&padded).as_bytes()).is_ok());
    assert_eq!(
        err2(&with(&format!("0.{}", "3".repeat(41)))),
        Error::InvalidValue {
            key: "rate",
            expected: "a number of at most 40 significant digits"
        }
    );
    // Keras's message.
    assert_eq!(
        err2(&with("1.5")).to_string(),
        "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=1.5"
    );
    // Exponents and -0 are numbers like any other.
    let layer = SpatialDropout2D::from_config(with("2.5E-1").as_bytes()).unwrap();
    assert_eq!(layer.rate().get(), 0.25);
    let layer = SpatialDropout2D::from_config(with("-0.0").as_bytes()).unwrap();
    assert_eq!(layer.rate().get().to_bits(), 0.0f64.to_bits());
}

#[test]
fn data_format_is_checked() {
    let with = |format: &str| CONFIG_2D.replace(r#""channels_last""#, format);
    for bad in [
        r#""channels_middle""#,
        r#""""#,
        r#""channels_last_but_much_longer""#,
        "5",
        "[]",
    ] {
        assert_eq!(err2(&with(bad)), Error::InvalidDataFormat, "{bad}");
    }
    let layer = SpatialDropout2D::from_config(with(r#""CHANNELS_FIRST""#).as_bytes()).unwrap();
    assert_eq!(layer.data_format(), DataFormat::ChannelsFirst);
    let layer = SpatialDropout2D::from_config(with("null").as_bytes()).unwrap();
    assert_eq!(layer.data_format(), DataFormat::ChannelsLast);
    // SpatialDropout1D has no data_format: channels_last is harmless, channels_first is not.
    let one = r#"{"rate":0.5,"data_format":"channels_last"}"#;
    assert!(SpatialDropout1D::from_config(one.as_bytes()).is_ok());
    assert_eq!(
        err1(&one.replace("last", "first")),
        Error::InvalidValue {
            key: "data_format",
            expected: "channels_last or absent (SpatialDropout1D is always channels_last)"
        }
    );
}

#[test]
fn names_are_bounded_and_unescaped() {
    let with = |name: &str| CONFIG_2D.replace(r#""d""#, name);
    let longest = "n".repeat(MAX_NAME_LEN);
    let layer = SpatialDropout2D::from_config(with(&format!("\"{longest}\"")).as_bytes()).unwrap();
    assert_eq!(layer.name(), longest);
    assert_eq!(
        err2(&with(&format!("\"{longest}n\""))),
        Error::NameTooLong { max: MAX_NAME_LEN }
    );
    // The bound is on the decoded name: 64 `\u00e4` escapes are 128 bytes of UTF-8.
    let escaped = "\\u0041".repeat(MAX_NAME_LEN);
    let layer = SpatialDropout2D::from_config(with(&format!("\"{escaped}\"")).as_bytes()).unwrap();
    assert_eq!(layer.name(), "A".repeat(MAX_NAME_LEN));
    assert_eq!(
        err2(&with(&format!("\"{}\"", "\\u00e4".repeat(33)))),
        Error::NameTooLong { max: MAX_NAME_LEN }
    );
    for bad in ["5", "[]", "{}"] {
        assert_eq!(
            err2(&with(bad)),
            Error::InvalidValue {
                key: "name",
                expected: "a string"
            }
        );
    }
    // No name: Keras's default; a layer entry's own `name` when the config has none.
    let layer = SpatialDropout2D::from_config(br#"{"rate":0.5}"#).unwrap();
    assert_eq!(layer.name(), "spatial_dropout2d");
    let layer = SpatialDropout2D::from_config(
        br#"{"class_name":"SpatialDropout2D","name":"outer","config":{"rate":0.5,"name":null}}"#,
    )
    .unwrap();
    assert_eq!(layer.name(), "outer");
}

#[test]
fn noise_shape_must_be_null() {
    let k2 = r#"{"name":"d","trainable":true,"dtype":"float32","rate":0.5,"noise_shape":NS,"seed":null}"#;
    assert!(SpatialDropout2D::from_config(k2.replace("NS", "null").as_bytes()).is_ok());
    for bad in ["[null,1,1,4]", "[]", "0", r#""x""#] {
        assert_eq!(err2(&k2.replace("NS", bad)), Error::NoiseShape, "{bad}");
    }
}

#[test]
fn seeds_are_null_or_u64() {
    let with = |seed: &str| CONFIG_2D.replace(r#""seed":3"#, &format!(r#""seed":{seed}"#));
    let layer = SpatialDropout2D::from_config(with("18446744073709551615").as_bytes()).unwrap();
    assert_eq!(layer.seed(), Some(u64::MAX));
    let layer = SpatialDropout2D::from_config(with("null").as_bytes()).unwrap();
    assert_eq!(layer.seed(), None);
    let layer = SpatialDropout2D::from_config(br#"{"rate":0.5}"#).unwrap();
    assert_eq!(layer.seed(), None);
    for bad in [
        "-1",
        "1.5",
        "3.0",
        "1e3",
        "18446744073709551616",
        r#""7""#,
        "true",
        "NaN",
    ] {
        assert_eq!(
            err2(&with(bad)),
            Error::InvalidValue {
                key: "seed",
                expected: "null or an integer from 0 to 18446744073709551615"
            },
            "{bad}"
        );
    }
}

#[test]
fn a_seeded_config_replays_the_seeded_layer() {
    let dims = [2, 3, 3, 4];
    let input: Vec<f32> = (0..72).map(|i| i as f32 + 1.0).collect();
    let mut from_json = SpatialDropout2D::from_config(CONFIG_2D.as_bytes()).unwrap();
    let mut built = SpatialDropout2D::new(0.5).unwrap().with_seed(3);
    for _ in 0..3 {
        let (mut a, mut b) = (vec![0.0; 72], vec![0.0; 72]);
        from_json.call(&input, &dims, &mut a, true).unwrap();
        built.call(&input, &dims, &mut b, true).unwrap();
        assert_eq!(a, b);
    }
}

#[test]
fn duplicate_keys_take_the_last_as_python_does() {
    let layer = SpatialDropout2D::from_config(br#"{"rate":0.9,"rate":0.25,"name":"a","name":"b"}"#)
        .unwrap();
    assert_eq!((layer.rate().get(), layer.name()), (0.25, "b"));
}

#[test]
fn a_short_buffer_is_an_error_and_stays_untouched() {
    let layer = SpatialDropout3D::new(1.0 / 3.0).unwrap().with_seed(9);
    let need = layer.config_len();
    let mut buf = vec![0xAAu8; need - 1];
    assert_eq!(
        layer.write_config(&mut buf),
        Err(Error::BufferTooSmall {
            needed: need,
            found: need - 1
        })
    );
    assert!(buf.iter().all(|&b| b == 0xAA));
    let need = layer.serialized_len();
    let mut buf = vec![0xAAu8; need - 1];
    assert_eq!(
        layer.write_serialized(&mut buf),
        Err(Error::BufferTooSmall {
            needed: need,
            found: need - 1
        })
    );
    assert!(buf.iter().all(|&b| b == 0xAA));
    assert_eq!(
        layer.write_config(&mut []).unwrap_err().to_string(),
        format!(
            "the output buffer holds 0 bytes but the JSON text needs {}",
            layer.config_len()
        )
    );
    let mut exact = vec![0u8; layer.config_len()];
    assert_eq!(layer.write_config(&mut exact), Ok(exact.len()));
}

#[test]
fn the_longest_layer_fits_the_bounds() {
    // Every name byte a control character (6 bytes each), the longest rate and seed.
    let name: String = "\u{1}".repeat(MAX_NAME_LEN);
    let rate = 2.2250738585072014e-308;
    let layer = SpatialDropout3D::new(rate)
        .unwrap()
        .with_seed(u64::MAX)
        .with_name(&name)
        .unwrap()
        .with_data_format(DataFormat::ChannelsFirst);
    assert_eq!(layer.config_len(), MAX_CONFIG_LEN);
    assert_eq!(layer.serialized_len(), MAX_SERIALIZED_LEN);
    let mut buf = [0u8; MAX_SERIALIZED_LEN];
    let n = layer.write_serialized(&mut buf).unwrap();
    // serde_json agrees it is JSON with these values.
    let v: Value = serde_json::from_slice(&buf[..n]).unwrap();
    assert_eq!(v["config"]["name"], name.as_str());
    assert_eq!(v["config"]["seed"], u64::MAX);
    assert_eq!(v["config"]["rate"].as_f64(), Some(rate));
    assert_eq!(
        describe(&SpatialDropout3D::from_config(&buf[..n]).unwrap()),
        describe(&layer)
    );
}

#[test]
fn rates_are_written_as_python_repr() {
    // Python's repr of doubles (float_repr.json), for those a rate can be.
    let table: Value = serde_json::from_slice(&read("float_repr.json")).unwrap();
    let mut checked = 0;
    for pair in table["values"].as_array().unwrap() {
        let x = f64::from_bits(pair[0].as_u64().unwrap());
        if !(0.0..=1.0).contains(&x) || x.is_sign_negative() {
            continue;
        }
        let layer = SpatialDropout1D::new(x).unwrap();
        let mut buf = [0u8; MAX_CONFIG_LEN];
        let n = layer.write_config(&mut buf).unwrap();
        let text = std::str::from_utf8(&buf[..n]).unwrap();
        let written = text
            .strip_prefix(r#"{"rate":"#)
            .and_then(|t| t.split(',').next())
            .unwrap();
        assert_eq!(
            written,
            pair[1].as_str().unwrap(),
            "bits {:#x}",
            x.to_bits()
        );
        checked += 1;
    }
    assert!(checked > 1500, "{checked}");
}

#[test]
fn every_double_is_formatted_as_python_repr() {
    // The rate in Keras's error message is Python's repr too (error.rs has its own
    // formatter, over `core`'s `{:e}`): check it on the whole table, beyond rates' range.
    let table: Value = serde_json::from_slice(&read("float_repr.json")).unwrap();
    let values = table["values"].as_array().unwrap();
    assert!(values.len() > 2600);
    for pair in values {
        let x = f64::from_bits(pair[0].as_u64().unwrap());
        let message = Error::InvalidRate { rate: x }.to_string();
        let written = message.rsplit("rate=").next().unwrap();
        assert_eq!(
            written,
            pair[1].as_str().unwrap(),
            "bits {:#x}",
            x.to_bits()
        );
    }
}

#[test]
fn names_are_escaped_as_json_dumps_escapes_them() {
    let layer = SpatialDropout1D::new(0.5)
        .unwrap()
        .with_name("q\"b\\s/\u{8}\u{c}\n\r\t\u{1f}\u{7f}é☃😀~")
        .unwrap();
    let mut buf = [0u8; MAX_CONFIG_LEN];
    let n = layer.write_config(&mut buf).unwrap();
    assert_eq!(
        std::str::from_utf8(&buf[..n]).unwrap(),
        r#"{"rate":0.5,"seed":null,"name":"q\"b\\s/\b\f\n\r\t\u001f\u007f\u00e9\u2603\ud83d\ude00~","dtype":"float32"}"#
    );
    assert_eq!(
        SpatialDropout1D::from_config(&buf[..n]).unwrap().name(),
        layer.name()
    );
}

#[test]
fn error_messages_say_what_to_fix() {
    for (err, text) in [
        (
            json_err("expected `:`", 8),
            "malformed JSON at byte 8: expected `:`",
        ),
        (
            Error::WrongClass {
                expected: "SpatialDropout2D",
                found: Some("SpatialDropout3D"),
            },
            "the JSON describes a SpatialDropout3D layer, not a SpatialDropout2D",
        ),
        (
            Error::WrongClass {
                expected: "SpatialDropout2D",
                found: None,
            },
            "the JSON describes another layer class, not a SpatialDropout2D",
        ),
        (
            Error::UnsupportedDtype,
            "only float32 layers are supported: `dtype` must be \"float32\" or a float32 DTypePolicy",
        ),
        (
            Error::NoiseShape,
            "`noise_shape` must be null: SpatialDropout derives the noise shape from the input",
        ),
        (Error::MissingKey { key: "rate" }, "the JSON has no `rate`"),
        (
            Error::InvalidValue {
                key: "name",
                expected: "a string",
            },
            "`name` must be a string",
        ),
        (
            Error::LayerNotFound,
            "the model JSON has no SpatialDropout layer of that name",
        ),
    ] {
        assert_eq!(err.to_string(), text);
    }
}

/// Every reader entry point on one input; none may panic.
fn read_everything(bytes: &[u8]) {
    let _ = SpatialDropout1D::from_config(bytes);
    let _ = SpatialDropout2D::from_config(bytes);
    let _ = SpatialDropout3D::from_config(bytes);
    let _ = SpatialDropout2D::from_model_json(bytes, "drop_a");
    if let Ok(layers) = ModelLayers::new(bytes) {
        for layer in layers {
            let _ = layer.name();
            let _ = layer.is_named("x");
            let _ = build_rank(layer.rank(), &layer);
        }
    }
}

#[test]
fn every_prefix_of_every_fixture_is_refused_without_panic() {
    for file in fixture_files() {
        let doc = read(&file);
        // Leading whitespace only can make a prefix a whole document; the fixtures end in `}`.
        let end = doc.iter().rposition(|&b| b == b'}').unwrap();
        for cut in 0..=end {
            let prefix = &doc[..cut];
            assert!(
                matches!(
                    SpatialDropout2D::from_config(prefix),
                    Err(Error::Json { .. })
                ),
                "{file} cut at {cut}"
            );
            if cut % 7 == 0 || doc.len() < 400 {
                read_everything(prefix);
            }
        }
    }
}

#[test]
fn the_lexer_agrees_with_serde_json_on_every_fixture_mutation() {
    // Flip, drop or duplicate each byte of a few fixtures: the reader's idea of well-formed
    // JSON must be serde_json's (no NaN/Infinity or lone surrogates can arise from these).
    for file in [
        "k3_config_2d_first_0.25_42.json",
        "k2_serialized_3d_last_null.json",
        "k3_config_escaped_name.json",
    ] {
        let doc = read(file);
        for i in 0..doc.len() {
            for variant in 0..3 {
                let mut m = doc.clone();
                match variant {
                    0 => m[i] = b"{}[],:\"\\ 0x"[i % 11],
                    1 => {
                        m.remove(i);
                    }
                    _ => m.insert(i, m[i]),
                }
                let ours = ModelLayers::new(&m).is_ok();
                let theirs = serde_json::from_slice::<serde_json::Value>(&m);
                // JSON text may hold a lone surrogate escape (Python reads it); serde_json
                // refuses it. Every other verdict must agree.
                let lone = theirs.is_err() && m.windows(3).any(|w| w == b"\\ud");
                assert!(
                    ours == theirs.is_ok() || (ours && lone),
                    "{file} {variant} at {i}: {}",
                    String::from_utf8_lossy(&m)
                );
                read_everything(&m);
            }
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(("\\PC{0,8}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        read_everything(&bytes);
    }

    #[test]
    fn json_alphabet_soup_never_panics_and_agrees_with_serde_json(
        bytes in prop::collection::vec(
            prop::sample::select(b"{}[],: \"\\/0123456789-+.eEtrufalsnbxc\n".to_vec()), 0..64)
    ) {
        read_everything(&bytes);
        // The verdict is about syntax, so serde_json only scans (`IgnoredAny`): reading into a
        // `Value` would also refuse well-formed numbers beyond f64 such as `1e310`, which JSON
        // allows and the reader accepts (a rate of `1e310` is then refused as out of range).
        prop_assert_eq!(
            ModelLayers::new(&bytes).is_ok(),
            serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok()
        );
    }

    #[test]
    fn rates_read_as_core_parses_them(
        int in "0|[1-9][0-9]{0,2}",
        frac in "[0-9]{0,38}",
        exp in proptest::option::of(-30i32..5),
    ) {
        // Any decimal text: the reader's correctly rounded value is core's.
        let mut text = int.clone();
        if !frac.is_empty() {
            text = format!("{text}.{frac}");
        }
        if let Some(e) = exp {
            text = format!("{text}e{e}");
        }
        prop_assume!(int.len() + frac.len() <= 40);
        let want: f64 = text.parse().unwrap();
        let json = format!(r#"{{"rate":{text}}}"#);
        match SpatialDropout1D::from_config(json.as_bytes()) {
            Ok(layer) => prop_assert_eq!(layer.rate().get().to_bits(), want.to_bits(), "{}", text),
            Err(Error::InvalidRate { rate }) => {
                prop_assert_eq!(rate.to_bits(), want.to_bits(), "{}", text)
            }
            Err(e) => prop_assert!(false, "{}: {:?}", text, e),
        }
    }

    #[test]
    fn layers_round_trip_through_json(
        rate in 0.0f64..=1.0,
        seed in proptest::option::of(any::<u64>()),
        name in "\\PC{1,20}",
        first in any::<bool>(),
    ) {
        prop_assume!(name.len() <= MAX_NAME_LEN);
        let format = if first { DataFormat::ChannelsFirst } else { DataFormat::ChannelsLast };
        let mut layer = SpatialDropout2D::new(rate).unwrap().with_name(&name).unwrap()
            .with_data_format(format);
        if let Some(seed) = seed {
            layer = layer.with_seed(seed);
        }
        let want = describe(&layer);
        prop_assert_eq!(&describe(&SpatialDropout2D::from_config(want.config.as_bytes()).unwrap()), &want);
        prop_assert_eq!(&describe(&SpatialDropout2D::from_config(want.serialized.as_bytes()).unwrap()), &want);
        // serde_json reads the same values (its float parse is exact with float_roundtrip).
        let v: Value = serde_json::from_str(&want.config).unwrap();
        prop_assert_eq!(v["rate"].as_f64().unwrap().to_bits(), rate.to_bits());
        prop_assert_eq!(v["name"].as_str().unwrap(), name.as_str());
        prop_assert_eq!(v["seed"].as_u64(), seed);
    }
}

proptest! {
    // Recursive values are slow to make: fewer cases.
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn every_json_serde_json_writes_is_accepted(v in arb_json(), pretty in any::<bool>()) {
        let text = if pretty { serde_json::to_vec_pretty(&v) } else { serde_json::to_vec(&v) };
        let text = text.unwrap();
        prop_assert!(ModelLayers::new(&text).is_ok());
        read_everything(&text);
    }
}

#[test]
fn max_config_len_is_the_exact_bound_per_rank_and_name() {
    fn worst<const S: usize>(name: &str, format: DataFormat) -> (usize, usize) {
        let layer = SpatialDropout::<S>::new(f64::MIN_POSITIVE)
            .unwrap()
            .with_seed(u64::MAX)
            .with_name(name)
            .unwrap();
        let layer = if S == 1 {
            layer
        } else {
            spatial_dropout::SpatialDropout::<S>::from_config(&{
                let mut buf = [0u8; MAX_CONFIG_LEN];
                let n = layer.write_config(&mut buf).unwrap();
                String::from_utf8(buf[..n].to_vec())
                    .unwrap()
                    .replace("channels_last", format.as_str())
                    .into_bytes()
            })
            .unwrap()
        };
        (
            layer.config_len(),
            SpatialDropout::<S>::max_config_len(name),
        )
    }
    for name in [
        "",
        "d",
        "spatial_dropout3d",
        "q\"\\\n\u{1}\u{7f}é€😀",
        &"\u{1}".repeat(64),
    ] {
        let (len, max) = worst::<1>(name, DataFormat::ChannelsLast);
        assert_eq!(len, max, "1D {name:?}");
        let (len, max) = worst::<2>(name, DataFormat::ChannelsFirst);
        assert_eq!(len, max, "2D {name:?}");
        let (len, max) = worst::<3>(name, DataFormat::ChannelsFirst);
        assert_eq!(len, max, "3D {name:?}");
        assert!(max <= MAX_CONFIG_LEN);
    }
    assert_eq!(
        SpatialDropout::<2>::max_config_len(&"\u{1}".repeat(64)),
        MAX_CONFIG_LEN
    );
}
