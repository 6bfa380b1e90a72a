//! Runs the shared known-answer vectors (the XorShift scheme), a backward pass and a layer read
//! from Keras JSON on the microcontroller, then every (case, call) pair of the masks TensorFlow's
//! Keras drew (`tests/vectors/keras_masks.rs`) through the layer's default Keras scheme, its
//! backward and `keras_mask`; prints one line per check over semihosting, measures the peak
//! stack of each kind of call, and exits with status 0 only if every check passed.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use spatial_dropout::{
    DataFormat, Masks, Rate, SeedableRng, Shape, SpatialDropout, XorShiftRng, apply_mask,
    draw_mask, keras_mask, mask_words, spatial_dropout, spatial_dropout_in_place,
};
use spatial_dropout_firmware::{Out, exit, stack_used};

/// One training call of a case: the mask it draws and the bits of every output.
struct Call {
    mask: &'static [u32],
    output_bits: &'static [u32],
}

/// One case of `tests/vectors/known_answers.json`: the XorShift scheme's known answers.
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
    /// The layer's default, Keras's masks (the rows above are the XorShift scheme).
    keras_call: usize,
    keras_backward: usize,
    keras_mask: usize,
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

    /// A fresh layer as the case describes it, built in code, with the XorShift masks the
    /// known answers pin (the layer's default is Keras's).
    fn layer<const S: usize>(&self) -> Option<SpatialDropout<S>>
    where
        SpatialDropout<S>: Formatted,
    {
        let layer = SpatialDropout::<S>::new(self.rate)
            .ok()?
            .with_seed(self.seed)
            .with_masks(Masks::XorShift);
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

    // Explicit masks: the drawn words, then applying them. A tensor with no elements decides
    // (and draws) nothing, so its mask has no words; `apply_mask` still takes a word per 32
    // maps, whose bits do not matter.
    let decided = if shape.is_empty() { 0 } else { shape.maps() };
    let mut rng = XorShiftRng::seed_from_u64(case.seed);
    let mut ok = true;
    for call in case.calls {
        let (result, used) = stack_used(|| draw_mask(v.mask, decided, rate, &mut rng));
        stack.draw_mask = stack.draw_mask.max(used);
        ok &= result.is_ok() && v.mask.get(..call.mask.len()) == Some(call.mask);
        v.mask.fill(0);
        if let Some(head) = v.mask.get_mut(..call.mask.len()) {
            head.copy_from_slice(call.mask);
        }
        let (result, used) = stack_used(|| apply_mask(v.input, v.output, &shape, rate, v.mask));
        stack.apply_mask = stack.apply_mask.max(used);
        ok &= result.is_ok() && report.same_bits(v.output, call.output_bits);
    }
    report.check(ok, name, "draw_mask, apply_mask");

    // The layer read from Keras JSON, set to the XorShift scheme, replays the same masks, and
    // writes Keras's config back.
    let (built, used) = stack_used(|| SpatialDropout::<S>::from_config(case.keras_json.as_bytes()));
    stack.from_config = stack.from_config.max(used);
    let mut ok = false;
    if let Ok(layer) = built {
        let mut layer = layer.with_masks(Masks::XorShift);
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

/// The masks TensorFlow's Keras drew (`tests/fixtures/keras_masks.json`, tensorflow-cpu 2.16.1
/// with Keras 3.15.1 and 3.3.3; eager, `model.fit` and XLA): the table the host test
/// `tests/keras_masks.rs` reads, included as it is.
#[allow(dead_code)] // `mode` and the `Debug` impls are for the host test
mod keras_fixtures {
    include!("../../../tests/vectors/keras_masks.rs");
}
use keras_fixtures::{KERAS_CASES, KerasCall, KerasCase};

/// Elements of the largest call and keep words of the largest mask in `KERAS_CASES`: the
/// buffers the Keras checks need.
const KERAS_MAX: (usize, usize) = {
    let (mut len, mut words) = (0, 0);
    let mut i = 0;
    while i < KERAS_CASES.len() {
        let calls = KERAS_CASES[i].calls;
        let mut j = 0;
        while j < calls.len() {
            let (dims, mut n, mut d) = (calls[j].dims, 1, 0);
            while d < dims.len() {
                n *= dims[d];
                d += 1;
            }
            if n > len {
                len = n;
            }
            if calls[j].keep.len() > words {
                words = calls[j].keep.len();
            }
            j += 1;
        }
        i += 1;
    }
    (len, words)
};
const KERAS_LEN: usize = KERAS_MAX.0;
const KERAS_WORDS: usize = KERAS_MAX.1;

/// The Keras checks' buffers: the input (ones), the layer's output and gradient, and keep words.
struct KerasBuffers<'a> {
    ones: &'a [f32],
    output: &'a mut [f32],
    grad: &'a mut [f32],
    kept: &'a mut [u32],
    dropped: &'a mut [u32],
    mask: &'a mut [u32],
}

/// (case, call) pairs checked, per outcome.
#[derive(Default)]
struct Pairs {
    passed: usize,
    failed: usize,
    /// Passed pairs whose tensor has no elements (only the call count is checked).
    empty: usize,
}

/// Reads a layer's output on ones back as keep words: a kept map holds the scale in every
/// element, a dropped one `+0.0`. Fills `kept` (and `dropped`) with one bit per map and returns
/// whether every map is all one or all the other.
fn keep_of<const S: usize>(
    y: &[f32],
    shape: &Shape<S>,
    scale: f32,
    kept: &mut [u32],
    dropped: &mut [u32],
) -> bool {
    let (maps, channels, map_len) = (shape.maps(), shape.channels(), shape.map_len());
    let words = mask_words(maps);
    let (Some(kept), Some(dropped)) = (kept.get_mut(..words), dropped.get_mut(..words)) else {
        return false;
    };
    kept.fill(0);
    dropped.fill(0);
    let mut mark = |m: usize, v: &f32| {
        let bits = v.to_bits();
        let bit = 1u32 << (m % 32);
        // Neither the scale nor +0.0: marked both, which fails below.
        if bits != 0
            && let Some(w) = kept.get_mut(m / 32)
        {
            *w |= bit;
        }
        if bits != scale.to_bits()
            && let Some(w) = dropped.get_mut(m / 32)
        {
            *w |= bit;
        }
    };
    match shape.format() {
        DataFormat::ChannelsFirst => {
            for (m, map) in y.chunks(map_len.max(1)).enumerate() {
                map.iter().for_each(|v| mark(m, v));
            }
        }
        DataFormat::ChannelsLast => {
            for (j, row) in y.chunks(channels.max(1)).enumerate() {
                let first = j.checked_div(map_len).unwrap_or(0) * channels;
                row.iter().enumerate().for_each(|(c, v)| mark(first + c, v));
            }
        }
    }
    let mut left = maps;
    kept.iter().zip(dropped.iter()).all(|(k, d)| {
        let bits = left.min(32);
        left -= bits;
        let all = u32::MAX.checked_shr(32 - bits as u32).unwrap_or(0);
        k & d == 0 && k | d == all
    })
}

/// One (case, call) pair: the layer's training call on ones (its call number set to the
/// fixture's `k` first when they differ), the keep bits of its output, backward, and
/// `keras_mask`. `Err` names the first check that failed.
fn keras_call<const S: usize>(
    layer: &mut SpatialDropout<S>,
    case: &KerasCase,
    call: &KerasCall,
    buf: &mut KerasBuffers,
    stack: &mut Stack,
) -> Result<(), &'static str> {
    let masks: Masks = case.variant.parse().map_err(|_| "a Keras variant")?;
    let rate = Rate::new(case.rate).map_err(|_| "a rate")?;
    if layer.calls() != call.k {
        layer.set_calls(call.k);
    }
    let shape = Shape::<S>::from_dims(call.dims, layer.data_format()).map_err(|_| "dims")?;
    let (len, maps) = (shape.len(), shape.maps());
    let (Some(ones), Some(output), Some(grad)) = (
        buf.ones.get(..len),
        buf.output.get_mut(..len),
        buf.grad.get_mut(..len),
    ) else {
        return Err("fits the buffers");
    };
    let (result, used) = stack_used(|| layer.call(ones, call.dims, output, true));
    stack.keras_call = stack.keras_call.max(used);
    result.map_err(|_| "layer.call")?;
    if layer.calls() != call.k.wrapping_add(1) {
        return Err("the call counts");
    }
    if len == 0 {
        // No elements: nothing drawn, nothing to compare but the count.
        return if call.keep.is_empty() {
            Ok(())
        } else {
            Err("an empty tensor's mask")
        };
    }
    if !keep_of(output, &shape, rate.scale(), buf.kept, buf.dropped) {
        return Err("layer.call: every map all kept or all +0.0");
    }
    if buf.kept.get(..call.keep.len()) != Some(call.keep) || mask_words(maps) != call.keep.len() {
        return Err("layer.call: the maps TensorFlow kept");
    }
    // Backward recomputes the mask from (seed, k): the gradient of ones is the output.
    let (result, used) = stack_used(|| layer.backward(ones, call.dims, grad));
    stack.keras_backward = stack.keras_backward.max(used);
    result.map_err(|_| "layer.backward")?;
    if grad
        .iter()
        .zip(output.iter())
        .any(|(g, y)| g.to_bits() != y.to_bits())
    {
        return Err("layer.backward: the same mask");
    }
    let mask = buf
        .mask
        .get_mut(..call.keep.len())
        .ok_or("fits the mask buffer")?;
    let (result, used) = stack_used(|| keras_mask(mask, maps, rate, case.seed, call.k, masks));
    stack.keras_mask = stack.keras_mask.max(used);
    result.map_err(|_| "keras_mask")?;
    if *mask != *call.keep {
        return Err("keras_mask: the maps TensorFlow kept");
    }
    Ok(())
}

/// Every call of one Keras case through one layer at rank `S`: the seed, the data format and
/// the scheme (from the variant) the case names.
fn keras_case<const S: usize>(
    case: &KerasCase,
    buf: &mut KerasBuffers,
    report: &mut Report,
    stack: &mut Stack,
    pairs: &mut Pairs,
) where
    SpatialDropout<S>: Formatted,
{
    let format = if case.channels_first {
        DataFormat::ChannelsFirst
    } else {
        DataFormat::ChannelsLast
    };
    let mut layer = SpatialDropout::<S>::new(case.rate).ok().and_then(|layer| {
        let masks = case.variant.parse().ok()?;
        layer
            .with_seed(case.seed)
            .with_masks(masks)
            .formatted(format)
    });
    // One layer for the whole case: its call number runs on from call to call.
    for call in case.calls {
        let result = match layer.as_mut() {
            Some(layer) => keras_call(layer, case, call, buf, stack),
            None => Err("layer from the builder"),
        };
        match result {
            Ok(()) => {
                pairs.passed += 1;
                if call.keep.is_empty() {
                    pairs.empty += 1;
                }
            }
            Err(what) => {
                pairs.failed += 1;
                report
                    .out
                    .str("FAIL keras ")
                    .str(case.id)
                    .str(" (")
                    .str(case.variant)
                    .str("), call ")
                    .num(call.k as usize)
                    .str(": ")
                    .str(what)
                    .str("\n");
            }
        }
    }
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

    // TensorFlow's masks, through the layer's default scheme.
    let ones = [1.0f32; KERAS_LEN];
    let mut keras_output = [0.0f32; KERAS_LEN];
    let mut grad = [0.0f32; KERAS_LEN];
    let mut kept = [0u32; KERAS_WORDS];
    let mut dropped = [0u32; KERAS_WORDS];
    let mut keras_words = [0u32; KERAS_WORDS];
    let mut buf = KerasBuffers {
        ones: &ones,
        output: &mut keras_output,
        grad: &mut grad,
        kept: &mut kept,
        dropped: &mut dropped,
        mask: &mut keras_words,
    };
    let mut pairs = Pairs::default();
    for case in KERAS_CASES {
        let (buf, report, stack, pairs) = (&mut buf, &mut report, &mut stack, &mut pairs);
        match case.rank {
            1 => keras_case::<1>(case, buf, report, stack, pairs),
            2 => keras_case::<2>(case, buf, report, stack, pairs),
            _ => keras_case::<3>(case, buf, report, stack, pairs),
        }
    }
    let total: usize = KERAS_CASES.iter().map(|case| case.calls.len()).sum();
    let ok = pairs.failed == 0 && pairs.passed == total && total > 0;
    report
        .out
        .str(if ok { "ok   " } else { "FAIL " })
        .str("keras: ")
        .num(pairs.passed)
        .str(" of ")
        .num(total)
        .str(" (case, call) pairs of ")
        .num(KERAS_CASES.len())
        .str(" TensorFlow cases passed (")
        .num(pairs.empty)
        .str(" on empty tensors), ")
        .num(pairs.failed)
        .str(" failed: layer.call, backward, keras_mask\n");
    report.passed += pairs.passed;
    report.failed += total.saturating_sub(pairs.passed);

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
        ("layer.call(keras)", stack.keras_call),
        ("layer.backward(keras)", stack.keras_backward),
        ("keras_mask", stack.keras_mask),
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
