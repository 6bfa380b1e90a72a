//! The bindings hold every layer as the core's rank-erased `SpatialDropoutNd` and pass dims
//! from JavaScript through `u32` (`src/lib.rs`, `dims_of`). These tests check that this is
//! invisible: for each rank and format, the same sequence of calls on the binding's `Layer` and
//! on the core's `SpatialDropout<S>` gives the same output bits and the same error messages,
//! including wrong ranks, wrong lengths, overflowing and empty shapes, and backward before any
//! forward call.

use spatial_dropout::{DataFormat, SpatialDropout};
use spatial_dropout_wasm::{Buffer, Layer};
use wasm_bindgen::{JsError, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn message(e: JsError) -> String {
    js_sys::Error::from(JsValue::from(e)).message().into()
}

fn buffer(len: usize, salt: u32) -> Buffer {
    let mut b = Buffer::new(len).unwrap();
    for (i, v) in b.as_mut_slice().iter_mut().enumerate() {
        *v = ((i as u32).wrapping_mul(2_654_435_761).wrapping_add(salt) % 2001) as f32 - 1000.0;
    }
    b
}

fn bits(values: &[f32]) -> Vec<u32> {
    values.iter().map(|v| v.to_bits()).collect()
}

/// The core's error as the bindings send it: `Error::code()`, a `:`, the message.
fn coded(e: &spatial_dropout::Error) -> String {
    format!("{}:{e}", e.code())
}

/// The result of one call on either side: output bits or the error message.
type Outcome = Result<Vec<u32>, String>;

/// One operation of the sequence.
#[derive(Clone, Copy, Debug)]
enum Op {
    Call(bool),
    InPlace(bool),
    Backward,
}

/// Runs `ops` on `dims` (elements: the product of `dims`, or `len` when given) on both sides.
fn compare<const S: usize>(
    core: &mut SpatialDropout<S>,
    wasm: &mut Layer,
    dims: &[u32],
    len: Option<usize>,
    op: Op,
) {
    let n = len.unwrap_or_else(|| dims.iter().map(|&d| d as usize).product());
    let udims: Vec<usize> = dims.iter().map(|&d| d as usize).collect();
    let input = buffer(n, 7);
    let (core_out, wasm_out): (Outcome, Outcome) = match op {
        Op::Call(training) => {
            let mut a = vec![0.0_f32; n];
            let core_r = core
                .call(input.as_slice(), &udims, &mut a, training)
                .map(|()| bits(&a))
                .map_err(|e| coded(&e));
            let mut b = Buffer::new(n).unwrap();
            let wasm_r = wasm
                .call(&input, &mut b, dims, training)
                .map(|()| bits(b.as_slice()))
                .map_err(message);
            (core_r, wasm_r)
        }
        Op::InPlace(training) => {
            let mut a = input.as_slice().to_vec();
            let core_r = core
                .call_in_place(&mut a, &udims, training)
                .map(|()| bits(&a))
                .map_err(|e| coded(&e));
            let mut b = buffer(n, 7);
            let wasm_r = wasm
                .call_in_place(&mut b, dims, training)
                .map(|()| bits(b.as_slice()))
                .map_err(message);
            (core_r, wasm_r)
        }
        Op::Backward => {
            let mut a = vec![0.0_f32; n];
            let core_r = core
                .backward(input.as_slice(), &udims, &mut a)
                .map(|()| bits(&a))
                .map_err(|e| coded(&e));
            let mut b = Buffer::new(n).unwrap();
            let wasm_r = wasm
                .backward(&input, &mut b, dims)
                .map(|()| bits(b.as_slice()))
                .map_err(message);
            (core_r, wasm_r)
        }
    };
    assert_eq!(
        wasm_out, core_out,
        "rank {S}, dims {dims:?}, len {len:?}, {op:?}"
    );
}

/// Good and bad dims of rank `S` in `format`.
fn cases(rank: usize) -> Vec<(Vec<u32>, Option<usize>)> {
    let good: Vec<u32> = match rank {
        1 => vec![3, 5, 4],
        2 => vec![2, 3, 5, 4],
        _ => vec![2, 2, 3, 5, 3],
    };
    let mut other = good.clone();
    other[1] += 1;
    let mut empty = good.clone();
    empty[1] = 0;
    let mut huge = good.clone();
    let last = huge.len() - 1;
    huge[1] = 65_536;
    huge[last] = 65_536;
    huge[0] = 65_536;
    let mut more = good.clone();
    more.push(1);
    let mut fewer = good.clone();
    fewer.pop();
    let product: usize = good.iter().map(|&d| d as usize).product();
    vec![
        (good.clone(), None),
        (good.clone(), Some(product - 1)),
        (other, None),
        (empty, None),
        (huge, Some(0)),
        (more, None),
        (fewer, None),
        (vec![1, 1, 1, 1, 1, 24], Some(24)),
        (vec![], Some(0)),
    ]
}

fn run<const S: usize>(format: DataFormat, wasm_format: &str) {
    let make_core = || {
        let l = SpatialDropout::<S>::new(0.4).unwrap().with_seed(11);
        if S == 1 {
            l
        } else {
            // `with_data_format` exists for 2D and 3D only: go through a config.
            let mut buf = [0_u8; spatial_dropout::MAX_CONFIG_LEN];
            let n = l.write_config(&mut buf).unwrap();
            let text = String::from_utf8(buf[..n].to_vec())
                .unwrap()
                .replace("channels_last", format.as_str());
            SpatialDropout::<S>::from_config(text.as_bytes()).unwrap()
        }
    };
    let ops = [
        Op::Backward,
        Op::Call(true),
        Op::Backward,
        Op::InPlace(true),
        Op::Call(false),
        Op::Backward,
        Op::InPlace(false),
        Op::Call(true),
    ];
    for (dims, len) in cases(S) {
        // A fresh pair per case, then every operation on these dims, then on good dims.
        let mut core = make_core();
        let mut wasm = Layer::new(S as u8, 0.4, wasm_format, Some(11), None, None).unwrap();
        assert_eq!(wasm.name(), core.name());
        for op in ops {
            compare(&mut core, &mut wasm, &dims, len, op);
            compare(&mut core, &mut wasm, &cases(S)[0].0, None, op);
        }
    }
}

#[wasm_bindgen_test]
fn rank_1_matches_the_core() {
    run::<1>(DataFormat::ChannelsLast, "channels_last");
}

#[wasm_bindgen_test]
fn rank_2_matches_the_core() {
    run::<2>(DataFormat::ChannelsLast, "channels_last");
    run::<2>(DataFormat::ChannelsFirst, "channels_first");
}

#[wasm_bindgen_test]
fn rank_3_matches_the_core() {
    run::<3>(DataFormat::ChannelsLast, "channels_last");
    run::<3>(DataFormat::ChannelsFirst, "channels_first");
}

/// Configs written by a layer of each rank are the core's bytes for that class.
#[wasm_bindgen_test]
fn configs_are_the_core_configs_of_each_class() {
    fn check<const S: usize>(format: &str) {
        let wasm = Layer::new(S as u8, 0.25, format, Some(5), Some("n".into()), None).unwrap();
        let config = wasm.config_json().unwrap();
        let core = SpatialDropout::<S>::from_config(config.as_bytes()).unwrap();
        let mut buf = [0_u8; spatial_dropout::MAX_CONFIG_LEN];
        let n = core.write_config(&mut buf).unwrap();
        assert_eq!(config.as_bytes(), &buf[..n]);
        assert_eq!(core.data_format().as_str(), format);
        let back = Layer::from_config(S as u8, &config).unwrap();
        assert_eq!(back.config_json().unwrap(), config);
        assert_eq!(back.data_format(), format);
        // Another class is rejected with the core's message.
        let other = if S == 1 { 2 } else { 1 };
        let serialized = format!(r#"{{"class_name":"SpatialDropout{S}D","config":{config}}}"#);
        let wrong = Layer::from_config(other, &serialized).unwrap_err();
        assert!(message(wrong).contains(&format!("SpatialDropout{S}D layer")));
    }
    check::<1>("channels_last");
    check::<2>("channels_last");
    check::<2>("channels_first");
    check::<3>("channels_last");
    check::<3>("channels_first");
}
