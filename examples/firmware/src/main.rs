//! Runs the shared known-answer vectors, a backward pass and a layer read from Keras JSON on
//! the microcontroller, prints one line per check over semihosting, measures the peak stack of
//! each kind of call, and exits with status 0 only if every check passed.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use spatial_dropout::{
    DataFormat, Rate, SeedableRng, Shape, SpatialDropout, XorShiftRng, apply_mask, draw_mask,
    mask_words, spatial_dropout, spatial_dropout_in_place,
};
use spatial_dropout_firmware::{Out, exit, stack_used};

/// One training call of a case: the mask it draws and the bits of every output.
struct Call {
    mask: &'static [u32],
    output_bits: &'static [u32],
}

/// One case of `tests/vectors/known_answers.json`.
struct Case {
    name: &'static str,
    seed: u64,
    rate: f64,
    rank: u8,
    channels_first: bool,
    dims: &'static [usize],
    /// The layer as an entry of Keras's `model.to_json()`.
    keras_json: &'static str,
    /// Keras's compact `get_config()` of the layer.
    config: &'static str,
    calls: &'static [Call],
}

include!(concat!(env!("OUT_DIR"), "/known_answers.rs"));

// The shared input: element `i` of every case, from the file the host tests read too.
#[path = "../../../tests/vectors/input.rs"]
mod input;
use input::known_input as input_value;

/// Peak stack of each kind of call, in bytes, over every case.
#[derive(Default)]
struct Stack {
    kernel: usize,
    kernel_in_place: usize,
    draw_mask: usize,
    apply_mask: usize,
    layer_call: usize,
    backward: usize,
    from_config: usize,
    write_config: usize,
}

/// Counts checks and prints one line for each.
struct Report {
    out: Out,
    passed: usize,
    failed: usize,
}

impl Report {
    fn check(&mut self, ok: bool, case: &str, what: &str) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        self.out
            .str(if ok { "ok   " } else { "FAIL " })
            .str(case)
            .str(": ")
            .str(what)
            .str("\n");
    }

    /// Whether `got` holds exactly the bits `want`; on a difference, prints the first one.
    fn same_bits(&mut self, got: &[f32], want: &[u32]) -> bool {
        if got.len() != want.len() {
            self.out
                .str("     length ")
                .num(got.len())
                .str(" != ")
                .num(want.len())
                .str("\n");
            return false;
        }
        match got.iter().zip(want).position(|(g, w)| g.to_bits() != *w) {
            None => true,
            Some(i) => {
                let g = got.get(i).map_or(0, |g| g.to_bits());
                let w = want.get(i).copied().unwrap_or(0);
                self.out
                    .str("     element ")
                    .num(i)
                    .str(": ")
                    .hex(g)
                    .str(" != ")
                    .hex(w)
                    .str("\n");
                false
            }
        }
    }
}

/// The rank-specific part of building a layer: Keras's 1D layer is always channels_last, 2D
/// and 3D take either format.
trait Formatted: Sized {
    fn formatted(self, format: DataFormat) -> Option<Self>;
}

impl Formatted for SpatialDropout<1> {
    fn formatted(self, format: DataFormat) -> Option<Self> {
        (format == DataFormat::ChannelsLast).then_some(self)
    }
}

impl Formatted for SpatialDropout<2> {
    fn formatted(self, format: DataFormat) -> Option<Self> {
        Some(self.with_data_format(format))
    }
}

impl Formatted for SpatialDropout<3> {
    fn formatted(self, format: DataFormat) -> Option<Self> {
        Some(self.with_data_format(format))
    }
}

impl Case {
    fn format(&self) -> DataFormat {
        if self.channels_first {
            DataFormat::ChannelsFirst
        } else {
            DataFormat::ChannelsLast
        }
    }

    /// A fresh layer as the case describes it, built in code.
    fn layer<const S: usize>(&self) -> Option<SpatialDropout<S>>
    where
        SpatialDropout<S>: Formatted,
    {
        let layer = SpatialDropout::<S>::new(self.rate)
            .ok()?
            .with_seed(self.seed);
        layer.formatted(self.format())
    }
}

/// The caller's buffers, each as long as the largest case needs.
struct Buffers<'a> {
    input: &'a [f32],
    output: &'a mut [f32],
    work: &'a mut [f32],
    mask: &'a mut [u32],
}

/// The generic part of a case: the buffers cut to its length.
struct Views<'a> {
    input: &'a [f32],
    output: &'a mut [f32],
    work: &'a mut [f32],
    mask: &'a mut [u32],
}

impl Buffers<'_> {
    fn views(&mut self, len: usize, words: usize) -> Option<Views<'_>> {
        Some(Views {
            input: self.input.get(..len)?,
            output: self.output.get_mut(..len)?,
            work: self.work.get_mut(..len)?,
            mask: self.mask.get_mut(..words)?,
        })
    }
}

/// Every check of one case at rank `S`.
fn run_case<const S: usize>(case: &Case, buf: &mut Buffers, report: &mut Report, stack: &mut Stack)
where
    SpatialDropout<S>: Formatted,
{
    let name = case.name;
    let (Ok(shape), Ok(rate)) = (
        Shape::<S>::from_dims(case.dims, case.format()),
        Rate::new(case.rate),
    ) else {
        report.check(false, name, "dims and rate are valid");
        return;
    };
    let Some(v) = buf.views(shape.len(), mask_words(shape.maps())) else {
        report.check(false, name, "fits the buffers");
        return;
    };
    let Some(mut layer) = case.layer::<S>() else {
        report.check(false, name, "layer from the builder");
        return;
    };

    // The layer, out of place; an inference call before each training call must copy the
    // input bit for bit and draw nothing, or the next mask would differ.
    let mut ok = true;
    for call in case.calls {
        ok &= layer.call(v.input, case.dims, v.output, false).is_ok();
        ok &= v
            .output
            .iter()
            .zip(v.input.iter())
            .all(|(y, x)| y.to_bits() == x.to_bits());
        let (result, used) = stack_used(|| layer.call(v.input, case.dims, v.output, true));
        stack.layer_call = stack.layer_call.max(used);
        ok &= result.is_ok() && report.same_bits(v.output, call.output_bits);
    }
    report.check(ok, name, "layer.call (training and inference)");

    // Backward of the last call with the input as the gradient: dropout with the same mask,
    // so the gradient equals the last call's output.
    let (result, used) = stack_used(|| layer.backward(v.input, case.dims, v.work));
    stack.backward = stack.backward.max(used);
    let last = case.calls.last().map_or(&[][..], |c| c.output_bits);
    let ok = result.is_ok() && report.same_bits(v.work, last);
    report.check(ok, name, "layer.backward replays the last mask");

    // The layer, in place.
    let mut ok = false;
    if let Some(mut layer) = case.layer::<S>() {
        ok = true;
        for call in case.calls {
            v.work.copy_from_slice(v.input);
            ok &= layer.call_in_place(v.work, case.dims, true).is_ok();
            ok &= report.same_bits(v.work, call.output_bits);
        }
    }
    report.check(ok, name, "layer.call_in_place");

    // The stateless kernels with the caller's generator.
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let mut rng_in_place = XorShiftRng::seed_from_u64(case.seed);
    let mut ok = true;
    for call in case.calls {
        let (result, used) =
            stack_used(|| spatial_dropout(v.input, v.output, &shape, rate, &mut rng));
        stack.kernel = stack.kernel.max(used);
        ok &= result.is_ok() && report.same_bits(v.output, call.output_bits);
        v.work.copy_from_slice(v.input);
        let (result, used) =
            stack_used(|| spatial_dropout_in_place(v.work, &shape, rate, &mut rng_in_place));
        stack.kernel_in_place = stack.kernel_in_place.max(used);
        ok &= result.is_ok() && report.same_bits(v.work, call.output_bits);
    }
    report.check(ok, name, "spatial_dropout, spatial_dropout_in_place");

    // Explicit masks: the drawn words, then applying them.
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let mut ok = true;
    for call in case.calls {
        let (result, used) = stack_used(|| draw_mask(v.mask, shape.maps(), rate, &mut rng));
        stack.draw_mask = stack.draw_mask.max(used);
        ok &= result.is_ok() && *v.mask == *call.mask;
        let (result, used) = stack_used(|| apply_mask(v.input, v.output, &shape, rate, call.mask));
        stack.apply_mask = stack.apply_mask.max(used);
        ok &= result.is_ok() && report.same_bits(v.output, call.output_bits);
    }
    report.check(ok, name, "draw_mask, apply_mask");

    // The layer read from Keras JSON replays the same masks, and writes Keras's config back.
    let (built, used) = stack_used(|| SpatialDropout::<S>::from_config(case.keras_json.as_bytes()));
    stack.from_config = stack.from_config.max(used);
    let mut ok = false;
    if let Ok(mut layer) = built {
        ok = layer.seed() == Some(case.seed) && layer.name() == case.name;
        for call in case.calls {
            ok &= layer.call(v.input, case.dims, v.output, true).is_ok();
            ok &= report.same_bits(v.output, call.output_bits);
        }
        let mut text = [0u8; spatial_dropout::MAX_CONFIG_LEN];
        let (written, used) = stack_used(|| layer.write_config(&mut text));
        stack.write_config = stack.write_config.max(used);
        let wrote = written.ok().and_then(|n| text.get(..n)).unwrap_or(&[]);
        let same = wrote == case.config.as_bytes();
        if !same {
            let wrote = core::str::from_utf8(wrote).unwrap_or("(not UTF-8)");
            report
                .out
                .str("     wrote ")
                .str(wrote)
                .str("\n     want  ")
                .str(case.config)
                .str("\n");
        }
        ok &= same;
    }
    report.check(ok, name, "from_config(Keras JSON), write_config");
}

#[entry]
fn main() -> ! {
    let mut report = Report {
        out: Out::new(),
        passed: 0,
        failed: 0,
    };
    let mut stack = Stack::default();
    let mut input = [0.0f32; MAX_LEN];
    for (i, x) in input.iter_mut().enumerate() {
        *x = input_value(i);
    }
    let mut output = [0.0f32; MAX_LEN];
    let mut work = [0.0f32; MAX_LEN];
    let mut mask = [0u32; MAX_MASK_WORDS];
    for case in CASES {
        let mut buf = Buffers {
            input: &input,
            output: &mut output,
            work: &mut work,
            mask: &mut mask,
        };
        match case.rank {
            1 => run_case::<1>(case, &mut buf, &mut report, &mut stack),
            2 => run_case::<2>(case, &mut buf, &mut report, &mut stack),
            _ => run_case::<3>(case, &mut buf, &mut report, &mut stack),
        }
    }
    let out = &mut report.out;
    let peaks = [
        ("spatial_dropout", stack.kernel),
        ("spatial_dropout_in_place", stack.kernel_in_place),
        ("draw_mask", stack.draw_mask),
        ("apply_mask", stack.apply_mask),
        ("layer.call", stack.layer_call),
        ("layer.backward", stack.backward),
        ("from_config", stack.from_config),
        ("write_config", stack.write_config),
    ];
    for (call, bytes) in peaks {
        out.str("stack ").str(call).str(" ").num(bytes).str("\n");
    }
    out.num(report.passed)
        .str(" passed, ")
        .num(report.failed)
        .str(" failed\n");
    exit(report.failed == 0 && report.passed > 0)
}
