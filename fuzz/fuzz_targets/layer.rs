//! A layer driven through arbitrary call / call_in_place / backward / reseed / set_calls
//! sequences, in either mask scheme, checked against a reference model: the call number and a
//! generator of its own, the reference kernel, and the contract's rules for what counts as a
//! call and what backward replays. The Keras model takes its masks from `keras_mask` (pinned
//! against TensorFlow by tests/keras_masks.rs); what is fuzzed here is the layer's state.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use spatial_dropout::{
    DataFormat, Error, Masks, Rate, SeedableRng, SpatialDropout2D, XorShiftRng, keras_mask,
    mask_words,
};

#[path = "reference.rs"]
mod reference;

#[derive(Debug, Arbitrary)]
enum Op {
    Call {
        dims: [u8; 4],
        training: bool,
        short: bool,
    },
    CallInPlace {
        dims: [u8; 4],
        training: bool,
    },
    Backward {
        dims: [u8; 4],
        short: bool,
    },
    Reseed(u64),
    SetCalls(u64),
}

#[derive(Debug, Arbitrary)]
struct Case {
    rate_num: u8,
    seed: Option<u64>,
    channels_first: bool,
    keras: bool,
    ops: Vec<Op>,
}

/// Where the model's decisions come from: the call number or the generator, as before a call.
#[derive(Clone)]
enum Source {
    Keras { seed: u64, k: u64 },
    XorShift(XorShiftRng),
}

struct Model {
    keras: bool,
    seed: u64,
    calls: u64,
    rng: XorShiftRng,
    last: Option<(Vec<usize>, bool, Source)>,
}

impl Model {
    fn source(&self) -> Source {
        if self.keras {
            Source::Keras {
                seed: self.seed,
                k: self.calls,
            }
        } else {
            Source::XorShift(self.rng.clone())
        }
    }
}

/// The decisions of `maps` maps from `source` (advancing a generator), as the contract draws them.
fn decisions(source: &mut Source, maps: usize, rate: Rate) -> Vec<bool> {
    match source {
        Source::XorShift(rng) => reference::decisions(maps, rate, rng),
        Source::Keras { seed, k } => {
            if rate.get() == 0.0 || rate.get() == 1.0 {
                return vec![rate.get() == 0.0; maps];
            }
            let mut words = vec![0u32; mask_words(maps)];
            keras_mask(&mut words, maps, rate, *seed, *k, Masks::Keras).unwrap();
            (0..maps)
                .map(|m| words[m / 32] >> (m % 32) & 1 == 1)
                .collect()
        }
    }
}

fn dims_of(d: [u8; 4]) -> Vec<usize> {
    d.iter().map(|&x| usize::from(x % 6)).collect()
}

fn input_for(len: usize, salt: usize) -> Vec<f32> {
    (0..len)
        .map(|i| ((i * 7919 + salt) % 2003) as f32 - 1001.0)
        .collect()
}

fuzz_target!(|case: Case| {
    let rate = Rate::new(f64::from(case.rate_num % 11) / 10.0).unwrap();
    let format = if case.channels_first {
        DataFormat::ChannelsFirst
    } else {
        DataFormat::ChannelsLast
    };
    let masks = if case.keras {
        Masks::Keras
    } else {
        Masks::XorShift
    };
    let mut layer = SpatialDropout2D::with_rate(rate)
        .with_data_format(format)
        .with_masks(masks);
    assert_eq!(layer.masks(), masks);
    let mut model = Model {
        keras: case.keras,
        seed: 0,
        calls: 0,
        rng: XorShiftRng::seed_from_u64(0),
        last: None,
    };
    if let Some(seed) = case.seed {
        layer = layer.with_seed(seed);
        model.seed = seed;
        model.rng = XorShiftRng::seed_from_u64(seed);
    }
    let sentinel = f32::from_bits(0x7fc0_beef);

    for (step, op) in case.ops.iter().take(64).enumerate() {
        match *op {
            Op::Call {
                dims,
                training,
                short,
            } => {
                let dims = dims_of(dims);
                let len: usize = dims.iter().product();
                let input = input_for(len.saturating_sub(usize::from(short && len > 0)), step);
                let mut output = vec![sentinel; len];
                let result = layer.call(&input, &dims, &mut output, training);
                if short && len > 0 {
                    assert!(matches!(result, Err(Error::LengthMismatch { .. })));
                    assert!(output.iter().all(|y| y.to_bits() == sentinel.to_bits()));
                    continue;
                }
                result.unwrap();
                let expected = model_forward(&mut model, &input, &dims, format, rate, training);
                assert!(reference::same_bits(&output, &expected));
            }
            Op::CallInPlace { dims, training } => {
                let dims = dims_of(dims);
                let len: usize = dims.iter().product();
                let input = input_for(len, step);
                let mut data = input.clone();
                layer.call_in_place(&mut data, &dims, training).unwrap();
                let expected = model_forward(&mut model, &input, &dims, format, rate, training);
                assert!(reference::same_bits(&data, &expected));
            }
            Op::Backward { dims, short } => {
                let dims = dims_of(dims);
                let len: usize = dims.iter().product();
                let grad = input_for(len, step * 31);
                let mut out = vec![sentinel; len.saturating_sub(usize::from(short && len > 0))];
                let result = layer.backward(&grad, &dims, &mut out);
                let untouched = |out: &[f32]| out.iter().all(|y| y.to_bits() == sentinel.to_bits());
                match &model.last {
                    None => {
                        assert_eq!(result, Err(Error::NoForwardCall));
                        assert!(untouched(&out));
                    }
                    Some((last_dims, _, _)) if *last_dims != dims => {
                        assert_eq!(result, Err(Error::ShapeMismatch));
                        assert!(untouched(&out));
                    }
                    Some(_) if short && len > 0 => {
                        assert!(matches!(
                            result,
                            Err(Error::LengthMismatch {
                                what: "grad_inputs",
                                ..
                            })
                        ));
                        assert!(untouched(&out));
                    }
                    Some((_, training, source)) => {
                        result.unwrap();
                        let expected = if *training {
                            let keep =
                                decisions(&mut source.clone(), len_maps(&dims, format), rate);
                            reference::forward(&grad, &dims, format, rate, &keep)
                        } else {
                            grad.clone()
                        };
                        assert!(reference::same_bits(&out, &expected));
                    }
                }
            }
            Op::Reseed(seed) => {
                layer.reseed(seed);
                model.seed = seed;
                model.calls = 0;
                model.rng = XorShiftRng::seed_from_u64(seed);
            }
            Op::SetCalls(k) => {
                layer.set_calls(k);
                model.calls = k;
            }
        }
        assert_eq!(layer.calls(), model.calls, "the call number");
    }
});

fn len_maps(dims: &[usize], format: DataFormat) -> usize {
    let channels = match format {
        DataFormat::ChannelsFirst => dims[1],
        DataFormat::ChannelsLast => dims[3],
    };
    dims[0] * channels
}

fn model_forward(
    model: &mut Model,
    input: &[f32],
    dims: &[usize],
    format: DataFormat,
    rate: Rate,
    training: bool,
) -> Vec<f32> {
    let mut source = model.source();
    model.last = Some((dims.to_vec(), training, source.clone()));
    if !training {
        return input.to_vec();
    }
    // A drawing call counts even on an empty tensor; it decides maps only when there are
    // elements.
    if rate.get() != 0.0 && rate.get() != 1.0 {
        model.calls = model.calls.wrapping_add(1);
    }
    let len: usize = dims.iter().product();
    let maps = if len == 0 { 0 } else { len_maps(dims, format) };
    let keep = decisions(&mut source, maps, rate);
    if let Source::XorShift(rng) = source {
        model.rng = rng;
    }
    reference::forward(input, dims, format, rate, &keep)
}
