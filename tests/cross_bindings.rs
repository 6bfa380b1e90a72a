//! The Rust half of the cross-binding check (`tests/fixtures/cross_binding_errors.json`): each
//! bad input of the fixture, run through the core the way the npm package's entry points run
//! it, must give the fixture's `message` (Rust's `Display`, which `wasm/test/cross_bindings.test.mjs`
//! requires the package to throw verbatim) and `code` (`Error::code()`); and the C header's
//! status code named `c_status` must be that code. `capi/tests/cross_bindings.c` runs the same
//! inputs through the C API (`.ci/capi.sh`), and `capi/tests/cross_bindings.py` checks that it
//! returns that status. The C API returns a status code and a static message per code
//! (`spatial_dropout_error_message`), so the code is what C can be compared on; when it reports
//! Rust's full messages, compare them there too.

use serde_json::Value;
use spatial_dropout::{DataFormat, Error, Masks, Rate, SpatialDropout, keras_mask, mask_words};

const FIXTURE: &str = "tests/fixtures/cross_binding_errors.json";
const HEADER: &str = "capi/include/spatial_dropout.h";

/// C status codes that are not Rust's `Error::code()`: none (kept, so that a divergence has to
/// be listed here on purpose).
const KNOWN_C_DIVERGENCES: &[(&str, i64)] = &[];

fn rate(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().expect("a rate string f64 parses (NaN, Infinity)"),
        v => v.as_f64().expect("a rate"),
    }
}

fn dims(v: &Value) -> Vec<usize> {
    v.as_array()
        .expect("dims")
        .iter()
        .map(|d| usize::try_from(d.as_u64().expect("a dim")).expect("fits"))
        .collect()
}

/// The wasm binding's layer constructor, in its order: rate, data format, scheme, name.
fn new_layer<const S: usize>(
    args: &Value,
    format: fn(SpatialDropout<S>, DataFormat) -> SpatialDropout<S>,
) -> Result<SpatialDropout<S>, Error> {
    let r = Rate::new(rate(&args["rate"]))?;
    let f: DataFormat = args["dataFormat"]
        .as_str()
        .unwrap_or("channels_last")
        .parse()?;
    let m: Masks = args["masks"].as_str().unwrap_or("keras").parse()?;
    let mut layer = format(SpatialDropout::<S>::with_rate(r).with_masks(m), f);
    if let Some(name) = args["name"].as_str() {
        layer.set_name(name)?;
    }
    Ok(layer.with_seed(1))
}

fn run_rank<const S: usize>(
    api: &str,
    args: &Value,
    format: fn(SpatialDropout<S>, DataFormat) -> SpatialDropout<S>,
) -> Error {
    let len = args["len"]
        .as_u64()
        .map_or(0, |n| usize::try_from(n).expect("fits"));
    let result = match api {
        "new" => new_layer::<S>(args, format).map(drop),
        "callInPlace" => {
            let mut layer = SpatialDropout::<S>::new(0.5).expect("rate").with_seed(1);
            layer.call_in_place(&mut vec![0.0; len], &dims(&args["dims"]), true)
        }
        "backward" => {
            let mut layer = SpatialDropout::<S>::new(0.5).expect("rate").with_seed(1);
            if !args["forward"].is_null() {
                let x = vec![0.0; len];
                layer
                    .call(&x, &dims(&args["forward"]), &mut vec![0.0; len], true)
                    .expect("the forward call");
            }
            layer.backward(&vec![0.0; len], &dims(&args["dims"]), &mut vec![0.0; len])
        }
        "fromConfig" => {
            SpatialDropout::<S>::from_config(args["json"].as_str().expect("json").as_bytes())
                .map(drop)
        }
        _ => panic!("unknown api {api}"),
    };
    result.expect_err("this bad input was accepted")
}

fn keep_format<const S: usize>(layer: SpatialDropout<S>, f: DataFormat) -> SpatialDropout<S> {
    assert_eq!(
        f,
        DataFormat::ChannelsLast,
        "SpatialDropout1D takes no data format here"
    );
    layer
}

/// Runs one case through the core.
fn run(api: &str, args: &Value) -> Error {
    if api == "maskWords" {
        // The binding's `maskWords`: rate, then the scheme, then the mask.
        let maps = usize::try_from(args["maps"].as_u64().expect("maps")).expect("fits");
        let result = Rate::new(rate(&args["rate"])).and_then(|r| {
            let masks: Masks = args["masks"].as_str().unwrap_or("keras").parse()?;
            let mut keep = vec![0_u32; mask_words(maps)];
            keras_mask(
                &mut keep,
                maps,
                r,
                args["seed"].as_u64().expect("seed"),
                0,
                masks,
            )
        });
        return result.expect_err("this bad input was accepted");
    }
    match args["rank"].as_u64() {
        Some(1) => run_rank::<1>(api, args, keep_format::<1>),
        Some(2) => run_rank::<2>(api, args, |l, f| l.with_data_format(f)),
        Some(3) => run_rank::<3>(api, args, |l, f| l.with_data_format(f)),
        r => panic!("rank {r:?}"),
    }
}

/// The number the C header gives `name` (`NAME = N,` in the status enum).
fn header_code(header: &str, name: &str) -> i64 {
    header
        .lines()
        .find_map(|line| {
            let (left, right) = line.trim().split_once('=')?;
            (left.trim() == name).then(|| right.trim().trim_end_matches(',').trim().parse().ok())?
        })
        .unwrap_or_else(|| panic!("{HEADER} has no status {name}"))
}

#[test]
fn every_bad_input_gives_the_same_error_in_rust_js_and_c() {
    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).expect("fixture")).expect("JSON");
    let header = std::fs::read_to_string(HEADER).expect("the C header");
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 20, "too few cases");
    let mut failures = Vec::new();
    let mut divergences_seen = Vec::new();
    for case in cases {
        let id = case["id"].as_str().expect("id");
        let error = run(case["api"].as_str().expect("api"), &case["args"]);
        let message = error.to_string();
        if message != case["message"].as_str().expect("message") {
            failures.push(format!(
                "{id}: Rust says {message:?}, the fixture (and JS) {}",
                case["message"]
            ));
        }
        if i64::from(error.code()) != case["code"].as_i64().expect("code") {
            failures.push(format!(
                "{id}: Rust's code is {}, the fixture's {}",
                error.code(),
                case["code"]
            ));
        }
        let c_status = case["c_status"].as_str().expect("c_status");
        let c = header_code(&header, c_status);
        match KNOWN_C_DIVERGENCES
            .iter()
            .find(|(name, _)| *name == c_status)
        {
            Some(&(_, known)) => {
                divergences_seen.push(c_status);
                if c != known {
                    failures.push(format!(
                        "{id}: {c_status} is now {c} (Rust: {}): update KNOWN_C_DIVERGENCES",
                        error.code()
                    ));
                }
            }
            None if c != i64::from(error.code()) => failures.push(format!(
                "{id}: C's {c_status} is {c}, Rust's Error::code() {}",
                error.code()
            )),
            None => {}
        }
    }
    for (name, _) in KNOWN_C_DIVERGENCES {
        assert!(divergences_seen.contains(name), "no case exercises {name}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
