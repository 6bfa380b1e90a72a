//! The bindings under Node (`cargo test --target wasm32-unknown-unknown`, runner
//! `wasm-bindgen-test-runner`): the shared known answers through every entry point, Keras
//! configs, and errors that arrive as JavaScript `Error`s rather than traps.

use serde_json::Value;
use spatial_dropout_wasm::{Buffer, Layer, spatial_dropout_op};
use wasm_bindgen::{JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

const KNOWN_ANSWERS: &str = include_str!("../../tests/vectors/known_answers.json");
const MANIFEST: &str = include_str!("../../tests/fixtures/keras/manifest.json");

#[path = "../../tests/vectors/input.rs"]
mod input;

/// x[i] of the known answers (tests/vectors/known_answers.json), from the shared input rule.
fn known_input(n: usize) -> Vec<f32> {
    (0..n).map(input::known_input).collect()
}

fn buffer(values: &[f32]) -> Buffer {
    let mut b = Buffer::new(values.len()).unwrap();
    b.as_mut_slice().copy_from_slice(values);
    b
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

fn expected_bits(call: &Value) -> Vec<u32> {
    call["output_bits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
        .collect()
}

fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

struct Case {
    name: String,
    rank: u8,
    rate: f64,
    format: String,
    seed: u64,
    dims: Vec<u32>,
    calls: Vec<Vec<u32>>,
}

fn cases() -> Vec<Case> {
    let doc: Value = serde_json::from_str(KNOWN_ANSWERS).unwrap();
    assert_eq!(doc["format"], "spatial-dropout known answers v1");
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            rank: u8::try_from(c["rank"].as_u64().unwrap()).unwrap(),
            rate: c["rate"].as_f64().unwrap(),
            format: c["data_format"].as_str().unwrap().into(),
            seed: c["seed"].as_u64().unwrap(),
            dims: c["dims"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| u32::try_from(d.as_u64().unwrap()).unwrap())
                .collect(),
            calls: c["calls"]
                .as_array()
                .unwrap()
                .iter()
                .map(expected_bits)
                .collect(),
        })
        .collect()
}

fn layer(c: &Case) -> Layer {
    // The known answers pin the XorShift scheme; tests/keras_masks.rs-style checks of the
    // Keras scheme run in the npm suite against TensorFlow's fixture.
    Layer::new(
        c.rank,
        c.rate,
        &c.format,
        Some(c.seed),
        None,
        Some("xorshift".into()),
    )
    .unwrap()
}

#[wasm_bindgen_test]
fn known_answers_through_call_in_place_and_backward() {
    let cases = cases();
    assert!(cases.len() >= 10);
    for c in &cases {
        let n = c.dims.iter().map(|&d| d as usize).product();
        let x = known_input(n);
        let input = buffer(&x);
        let (mut a, mut b) = (layer(c), layer(c));
        for (k, expected) in c.calls.iter().enumerate() {
            let mut out = Buffer::new(n).unwrap();
            a.call(&input, &mut out, &c.dims, true).unwrap();
            assert_eq!(&bits(out.as_slice()), expected, "{} call {k}", c.name);
            let mut grad = Buffer::new(n).unwrap();
            a.backward(&input, &mut grad, &c.dims).unwrap();
            assert_eq!(&bits(grad.as_slice()), expected, "{} backward {k}", c.name);
            let mut data = buffer(&x);
            b.call_in_place(&mut data, &c.dims, true).unwrap();
            assert_eq!(&bits(data.as_slice()), expected, "{} in place {k}", c.name);
        }
        let mut out = Buffer::new(n).unwrap();
        spatial_dropout_op(
            &input,
            &mut out,
            &c.dims,
            c.rate,
            &c.format,
            c.seed,
            true,
            Some("xorshift".into()),
        )
        .unwrap();
        assert_eq!(
            bits(out.as_slice()),
            c.calls[0],
            "{} spatialDropout",
            c.name
        );
        spatial_dropout_op(
            &input, &mut out, &c.dims, c.rate, &c.format, c.seed, false, None,
        )
        .unwrap();
        assert_eq!(
            bits(out.as_slice()),
            bits(&x),
            "{} inference copies",
            c.name
        );
    }
}

#[wasm_bindgen_test]
fn keras_configs_round_trip() {
    let manifest: Value = serde_json::from_str(MANIFEST).unwrap();
    let mut read = 0;
    for entry in manifest["cases"].as_array().unwrap() {
        let rank = u8::try_from(entry["rank"].as_u64().unwrap()).unwrap();
        if entry.get("error").is_some() {
            continue;
        }
        let serialized = entry["serialized"].as_str().unwrap();
        let layer = Layer::from_config(rank, serialized).unwrap();
        assert_eq!(
            layer.config_json().unwrap(),
            entry["get_config"].as_str().unwrap()
        );
        let again = Layer::from_config(rank, &layer.config_json().unwrap()).unwrap();
        assert_eq!(
            again.config_json().unwrap(),
            entry["get_config"].as_str().unwrap()
        );
        read += 1;
    }
    assert!(read >= 100, "{read}");
    let wrong = Layer::from_config(
        2,
        r#"{"class_name":"SpatialDropout3D","config":{"rate":0.5}}"#,
    );
    assert!(message(wrong.unwrap_err()).contains("SpatialDropout3D"));
}

#[wasm_bindgen_test]
fn errors_are_javascript_errors_with_the_core_message() {
    let rate = Layer::new(2, 1.5, "channels_last", None, None, None).unwrap_err();
    // The variant's `Error::code()` in front, for api.js to pick the JavaScript class from.
    assert_eq!(
        message(rate),
        "1:Invalid value received for argument `rate`. Expected a float value between 0 and 1. \
         Received: rate=1.5"
    );
    let masks = Layer::new(2, 0.5, "channels_last", None, None, Some("philox".into()));
    assert!(message(masks.unwrap_err()).starts_with("18:the mask scheme must be one of"));
    let format = Layer::new(2, 0.5, "nhwc", None, None, None).unwrap_err();
    assert!(message(format).contains("channels_first"));
    let one_d = Layer::new(1, 0.5, "channels_first", None, None, None).unwrap_err();
    assert!(message(one_d).starts_with(
        "16:`data_format` must be channels_last or absent (SpatialDropout1D is always channels_last)"
    ));
    assert!(Layer::new(4, 0.5, "channels_last", None, None, None).is_err());
    let long = "n".repeat(65);
    assert!(
        message(Layer::new(3, 0.5, "channels_last", None, Some(long), None).unwrap_err())
            .contains("64 bytes")
    );

    let mut layer = Layer::new(2, 0.5, "channels_last", Some(1), None, None).unwrap();
    let input = buffer(&known_input(24));
    let mut out = Buffer::new(24).unwrap();
    let rank = layer.call(&input, &mut out, &[2, 3, 4], true).unwrap_err();
    assert!(message(rank).contains("expected ndim=4, found ndim=3"));
    let six = layer
        .call(&input, &mut out, &[1, 1, 1, 1, 1, 24], true)
        .unwrap_err();
    assert!(message(six).contains("found ndim=6"));
    let length = layer
        .call(&input, &mut out, &[2, 3, 4, 2], true)
        .unwrap_err();
    assert!(message(length).contains("48"));
    let overflow = layer.call(
        &Buffer::new(0).unwrap(),
        &mut Buffer::new(0).unwrap(),
        &[0, 65536, 65536, 2],
        true,
    );
    assert!(message(overflow.unwrap_err()).contains("overflows"));
    let mut short = Buffer::new(23).unwrap();
    assert!(layer.call(&input, &mut short, &[2, 3, 4, 1], true).is_err());
    assert!(
        message(layer.backward(&input, &mut out, &[2, 3, 4, 1]).unwrap_err())
            .contains("forward call")
    );
    // None of the failures drew from the generator.
    let mut fresh = Layer::new(2, 0.5, "channels_last", Some(1), None, None).unwrap();
    let mut expected = Buffer::new(24).unwrap();
    fresh
        .call(&input, &mut expected, &[2, 3, 4, 1], true)
        .unwrap();
    layer.call(&input, &mut out, &[2, 3, 4, 1], true).unwrap();
    assert_eq!(bits(out.as_slice()), bits(expected.as_slice()));

    for dims in [&[][..], &[24], &[24, 1]] {
        let op = spatial_dropout_op(&input, &mut out, dims, 0.5, "channels_last", 0, true, None);
        assert_eq!(
            message(op.unwrap_err()),
            format!(
                "3:spatialDropout needs 3, 4 or 5 dims (batch, 1 to 3 spatial dims, channels), \
                 found {}",
                dims.len()
            )
        );
    }
}

#[wasm_bindgen_test]
fn reseed_and_seed_getters() {
    let mut a = Layer::new(3, 0.5, "channels_first", None, Some("x".into()), None).unwrap();
    assert_eq!(a.seed(), None);
    assert_eq!(a.rank(), 3);
    assert_eq!(a.name(), "x");
    assert_eq!(a.data_format(), "channels_first");
    a.reseed(u64::MAX);
    assert_eq!(a.seed(), None, "reseeding keeps the config seed");
    let b = Layer::new(3, 0.5, "channels_first", Some(u64::MAX), None, None).unwrap();
    assert_eq!(b.seed(), Some(u64::MAX));
    let dims = [2, 64, 1, 1, 1];
    let input = buffer(&known_input(128));
    let (mut ya, mut yb) = (Buffer::new(128).unwrap(), Buffer::new(128).unwrap());
    a.call(&input, &mut ya, &dims, true).unwrap();
    let mut b = b;
    b.call(&input, &mut yb, &dims, true).unwrap();
    assert_eq!(bits(ya.as_slice()), bits(yb.as_slice()));
}

#[wasm_bindgen_test]
fn buffer_limit_is_the_largest_allocation_and_says_so() {
    use spatial_dropout_wasm::MAX_BUFFER_LEN;
    assert_eq!(
        MAX_BUFFER_LEN, 536_870_911,
        "isize::MAX bytes of f32 on wasm32"
    );
    for len in [MAX_BUFFER_LEN + 1, usize::MAX] {
        let text = message(Buffer::new(len).unwrap_err());
        assert_eq!(
            text,
            "101:a buffer holds at most 536870911 floats: one wasm32 allocation is under 2 GiB"
        );
    }
}
