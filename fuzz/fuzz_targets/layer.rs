//! A layer driven through arbitrary call / call_in_place / backward / reseed sequences, checked
//! against a reference model: a generator of its own, the reference kernel, and the contract's
//! rules for what backward replays.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use spatial_dropout::{DataFormat, Error, Rate, SeedableRng, SpatialDropout2D, XorShiftRng};

#[path = "reference.rs"]
mod reference;

#[derive(Debug, Arbitrary)]
enum Op {
    Call { dims: [u8; 4], training: bool, short: bool },
    CallInPlace { dims: [u8; 4], training: bool },
    Backward { dims: [u8; 4], short: bool },
    Reseed(u64),
}

#[derive(Debug, Arbitrary)]
struct Case {
    rate_num: u8,
    seed: Option<u64>,
    channels_first: bool,
    ops: Vec<Op>,
}

struct Model {
    rng: XorShiftRng,
    last: Option<(Vec<usize>, bool, XorShiftRng)>,
}

fn dims_of(d: [u8; 4]) -> Vec<usize> {
    d.iter().map(|&x| usize::from(x % 6)).collect()
}

fn input_for(len: usize, salt: usize) -> Vec<f32> {
    (0..len).map(|i| ((i * 7919 + salt) % 2003) as f32 - 1001.0).collect()
}

fuzz_target!(|case: Case| {
    let rate = Rate::new(f64::from(case.rate_num % 11) / 10.0).unwrap();
    let format = if case.channels_first { DataFormat::ChannelsFirst } else { DataFormat::ChannelsLast };
    let mut layer = SpatialDropout2D::with_rate(rate).with_data_format(format);
    let mut model = Model { rng: XorShiftRng::seed_from_u64(0), last: None };
    if let Some(seed) = case.seed {
        layer = layer.with_seed(seed);
        model.rng = XorShiftRng::seed_from_u64(seed);
    }
    let sentinel = f32::from_bits(0x7fc0_beef);

    for (step, op) in case.ops.iter().take(64).enumerate() {
        match *op {
            Op::Call { dims, training, short } => {
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
                        assert!(matches!(result, Err(Error::LengthMismatch { what: "grad_inputs", .. })));
                        assert!(untouched(&out));
                    }
                    Some((_, training, rng)) => {
                        result.unwrap();
                        let expected = if *training {
                            let keep = reference::decisions(len_maps(&dims, format), rate, &mut rng.clone());
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
                model.rng = XorShiftRng::seed_from_u64(seed);
            }
        }
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
    let before = model.rng.clone();
    model.last = Some((dims.to_vec(), training, before));
    if !training {
        return input.to_vec();
    }
    let keep = reference::decisions(len_maps(dims, format), rate, &mut model.rng);
    reference::forward(input, dims, format, rate, &keep)
}
