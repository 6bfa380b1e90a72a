//! The crate's side of `benches/peers.py`: times `spatial_dropout` (or the in-place kernel) on
//! one shape and prints one line of JSON, so that a script can compare it with PyTorch and
//! Keras/TensorFlow on the same shape.
//!
//! `cargo run --release --example peer_bench -- channels_first 1,8,4,4,4 [--rate 0.5]
//! [--reps 1000] [--in-place] [--masks keras|xorshift|…]` prints
//! `{"ns_per_call": …, "gb_per_s": …, …}`, where GB/s counts the bytes read plus the bytes
//! written (2 × the tensor), best of `--reps` calls.
//!
//! Without `--masks` it times the stateless kernel with a caller's `XorShiftRng`. With
//! `--masks M` it times the layer, `SpatialDropout3D::with_rate(rate).with_masks(M)` (seed 7,
//! the given data format), through `layer.call(…, training = true)` (or `call_in_place`): what
//! a user of the layer pays, with the Keras scheme (the default) or the XorShift one.

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

use spatial_dropout::{
    DataFormat, Masks, Rate, SeedableRng, Shape3D, SpatialDropout3D, XorShiftRng, spatial_dropout,
    spatial_dropout_in_place,
};

struct Args {
    format: DataFormat,
    dims: Vec<usize>,
    rate: f64,
    reps: usize,
    in_place: bool,
    masks: Option<Masks>,
}

fn parse() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: peer_bench <channels_first|channels_last> <d0,d1,d2,d3,d4> \
                 [--rate R] [--reps N] [--in-place] [--masks keras|xorshift|…]";
    let format: DataFormat = args
        .next()
        .ok_or(usage)?
        .parse()
        .map_err(|e| format!("{e}"))?;
    let dims = args
        .next()
        .ok_or(usage)?
        .split(',')
        .map(|d| {
            d.trim()
                .parse::<usize>()
                .map_err(|e| format!("bad dim {d:?}: {e}"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let (mut rate, mut reps, mut in_place, mut masks) = (0.5, 100, false, None);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--rate" => {
                let v = args.next().ok_or("--rate needs a value")?;
                rate = v.parse().map_err(|e| format!("bad rate {v:?}: {e}"))?;
            }
            "--reps" => {
                let v = args.next().ok_or("--reps needs a value")?;
                reps = v.parse().map_err(|e| format!("bad reps {v:?}: {e}"))?;
            }
            "--in-place" => in_place = true,
            "--masks" => {
                let v = args.next().ok_or("--masks needs a value")?;
                masks = Some(v.parse().map_err(|e| format!("bad masks {v:?}: {e}"))?);
            }
            other => return Err(format!("unknown argument {other:?}\n{usage}")),
        }
    }
    Ok(Args {
        format,
        dims,
        rate,
        reps: reps.max(1),
        in_place,
        masks,
    })
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let shape = match Shape3D::from_dims(&args.dims, args.format) {
        Ok(shape) => shape,
        Err(e) => {
            eprintln!("bad shape: {e}");
            return ExitCode::FAILURE;
        }
    };
    let rate = match Rate::new(args.rate) {
        Ok(rate) => rate,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let n = shape.len();
    let input: Vec<f32> = (0..n).map(|i| 1.0 + (i % 1000) as f32 / 1000.0).collect();
    let mut output = vec![0.0f32; n];
    let mut rng = XorShiftRng::seed_from_u64(7);
    let mut layer = args.masks.map(|masks| {
        SpatialDropout3D::with_rate(rate)
            .with_data_format(args.format)
            .with_seed(7)
            .with_masks(masks)
    });
    // Small tensors: time batches of calls, so the clock's resolution does not count.
    let batch = (1 << 20) / n.max(1) + 1;
    let mut best = f64::INFINITY;
    for _ in 0..args.reps.div_ceil(batch).max(3) {
        if args.in_place {
            output.copy_from_slice(&input);
        }
        let t = Instant::now();
        for _ in 0..batch {
            let result = if let Some(layer) = layer.as_mut() {
                if args.in_place {
                    layer.call_in_place(black_box(&mut output), &args.dims, true)
                } else {
                    layer.call(black_box(&input), &args.dims, black_box(&mut output), true)
                }
            } else if args.in_place {
                spatial_dropout_in_place(black_box(&mut output), &shape, rate, &mut rng)
            } else {
                spatial_dropout(
                    black_box(&input),
                    black_box(&mut output),
                    &shape,
                    rate,
                    &mut rng,
                )
            };
            if let Err(e) = result {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        }
        best = best.min(t.elapsed().as_secs_f64() / batch as f64);
    }
    println!(
        "{{\"impl\": \"spatial-dropout\", \"format\": \"{}\", \"dims\": {:?}, \"rate\": {}, \
         \"in_place\": {}, \"api\": \"{}\", \"masks\": \"{}\", \"crate_version\": \"{}\", \
         \"ns_per_call\": {:.1}, \"gb_per_s\": {:.3}}}",
        args.format.as_str(),
        args.dims,
        args.rate,
        args.in_place,
        if layer.is_some() { "layer" } else { "kernel" },
        args.masks
            .map_or("xorshift (caller's XorShiftRng)", Masks::as_str),
        env!("CARGO_PKG_VERSION"),
        best * 1e9,
        2.0 * (n * 4) as f64 / best / 1e9
    );
    ExitCode::SUCCESS
}
