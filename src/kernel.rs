//! The loops. Everything here trusts its arguments: the public functions check slice lengths
//! against a valid [`Shape`] before any loop runs, so a failed call writes nothing.

use rand_core::Rng;

use crate::mask::{Bits, Draws, MaskSource, mask_words};
use crate::shape::Layout;
use crate::{DataFormat, Error, Rate, Shape};

/// Channel lanes held on the stack for channels_last tensors. Small channel counts are repeated
/// to fill a block of up to `LANES` elements; larger ones are handled `LANES` channels at a
/// time. 64 lanes keep the kernel's stack within the firmware budget.
const LANES: usize = 64;

/// Lane value for a kept map (all ones) or a dropped one (zero): `y = bits(x · scale) & lane`
/// selects `+0.0` for dropped maps whatever `x` is, without a branch.
#[inline]
fn lane(keep: bool) -> u32 {
    0u32.wrapping_sub(u32::from(keep))
}

/// What the driver does to a run of elements. Implemented for out-of-place and in-place.
trait Sink {
    /// `y = x · scale` on `len` elements from `start`.
    fn scale(&mut self, start: usize, len: usize);
    /// `y = +0.0` on `len` elements from `start`.
    fn zero(&mut self, start: usize, len: usize);
    /// `y = bits(x · scale) & lanes[i]` on `lanes.len()` elements from `start`.
    fn select(&mut self, start: usize, lanes: &[u32]);
}

struct OutOfPlace<'a> {
    input: &'a [f32],
    output: &'a mut [f32],
    scale: f32,
}

impl OutOfPlace<'_> {
    #[inline]
    fn run(&mut self, start: usize, len: usize) -> Option<(&[f32], &mut [f32])> {
        let input = self.input.get(start..)?.get(..len)?;
        let output = self.output.get_mut(start..)?.get_mut(..len)?;
        Some((input, output))
    }
}

impl Sink for OutOfPlace<'_> {
    fn scale(&mut self, start: usize, len: usize) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, len) {
            for (y, x) in y.iter_mut().zip(x) {
                *y = x * scale;
            }
        }
    }

    fn zero(&mut self, start: usize, len: usize) {
        if let Some(y) = self.output.get_mut(start..).and_then(|y| y.get_mut(..len)) {
            y.fill(0.0);
        }
    }

    fn select(&mut self, start: usize, lanes: &[u32]) {
        let scale = self.scale;
        if let Some((x, y)) = self.run(start, lanes.len()) {
            for ((y, x), lane) in y.iter_mut().zip(x).zip(lanes) {
                *y = f32::from_bits((x * scale).to_bits() & lane);
            }
        }
    }
}

struct InPlace<'a> {
    data: &'a mut [f32],
    scale: f32,
}

impl InPlace<'_> {
    #[inline]
    fn run(&mut self, start: usize, len: usize) -> Option<&mut [f32]> {
        self.data.get_mut(start..)?.get_mut(..len)
    }
}

impl Sink for InPlace<'_> {
    fn scale(&mut self, start: usize, len: usize) {
        let scale = self.scale;
        if let Some(x) = self.run(start, len) {
            for x in x {
                *x *= scale;
            }
        }
    }

    fn zero(&mut self, start: usize, len: usize) {
        if let Some(x) = self.run(start, len) {
            x.fill(0.0);
        }
    }

    fn select(&mut self, start: usize, lanes: &[u32]) {
        let scale = self.scale;
        if let Some(x) = self.run(start, lanes.len()) {
            for (x, lane) in x.iter_mut().zip(lanes) {
                *x = f32::from_bits((*x * scale).to_bits() & lane);
            }
        }
    }
}

/// Walks the tensor map by map in map order, taking one decision per map from `source`, and
/// hands each run of elements to `sink`. `source` is a trait object so that the firmware holds
/// one copy of this walk, whatever generator or mask feeds it.
fn walk(layout: Layout, source: &mut dyn MaskSource, sink: &mut dyn Sink) {
    match layout.format {
        DataFormat::ChannelsFirst => walk_channels_first(layout, source, sink),
        DataFormat::ChannelsLast => walk_channels_last(layout, source, sink),
    }
}

/// Each map is one contiguous run: a fill or a scale.
fn walk_channels_first(layout: Layout, source: &mut dyn MaskSource, sink: &mut dyn Sink) {
    let mut start = 0;
    for _ in 0..layout.batch.saturating_mul(layout.channels) {
        if source.next_keep() {
            sink.scale(start, layout.map_len);
        } else {
            sink.zero(start, layout.map_len);
        }
        start += layout.map_len;
    }
}

/// The channels of one position are contiguous, so a sample is a repetition of one row of
/// channel lanes: select through that row, `LANES` elements at a time.
fn walk_channels_last(layout: Layout, source: &mut dyn MaskSource, sink: &mut dyn Sink) {
    let channels = layout.channels;
    if channels == 0 {
        return;
    }
    let sample_len = layout.map_len * channels;
    let mut lanes = [0u32; LANES];
    let mut sample_start = 0;
    if channels <= LANES {
        // Repeat the row of `channels` lanes to fill a block of whole rows.
        let block = LANES - LANES % channels;
        for _ in 0..layout.batch {
            let (row, rest) = lanes.split_at_mut(channels);
            for lane_slot in row.iter_mut() {
                *lane_slot = lane(source.next_keep());
            }
            for copy in rest.chunks_mut(channels) {
                for (to, from) in copy.iter_mut().zip(row.iter()) {
                    *to = *from;
                }
            }
            let mut done = 0;
            while done < sample_len {
                let len = block.min(sample_len - done);
                sink.select(sample_start + done, lanes.get(..len).unwrap_or(&[]));
                done += len;
            }
            sample_start += sample_len;
        }
    } else {
        // More channels than lanes: take `LANES` channels at a time, in channel order, and
        // visit every position of the sample with them.
        for _ in 0..layout.batch {
            let mut first_channel = 0;
            while first_channel < channels {
                let width = LANES.min(channels - first_channel);
                let row = lanes.get_mut(..width).unwrap_or(&mut []);
                for lane_slot in row.iter_mut() {
                    *lane_slot = lane(source.next_keep());
                }
                let row = &*row;
                let mut start = sample_start + first_channel;
                for _ in 0..layout.map_len {
                    sink.select(start, row);
                    start += channels;
                }
                first_channel += width;
            }
            sample_start += sample_len;
        }
    }
}

fn check_len(what: &'static str, found: usize, expected: usize) -> Result<(), Error> {
    if found == expected {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what,
            expected,
            found,
        })
    }
}

fn check_mask(keep: &[u32], maps: usize) -> Result<(), Error> {
    let expected = mask_words(maps);
    if keep.len() >= expected {
        Ok(())
    } else {
        Err(Error::MaskTooShort {
            expected,
            found: keep.len(),
        })
    }
}

/// Out of place, lengths checked. `source` is only asked when `0 < rate < 1`.
fn forward_copy(
    input: &[f32],
    output: &mut [f32],
    layout: Layout,
    rate: Rate,
    source: &mut dyn MaskSource,
) {
    if rate.get() == 0.0 {
        output.copy_from_slice_checked(input);
    } else if rate.get() == 1.0 {
        output.fill(0.0);
    } else {
        let mut sink = OutOfPlace {
            input,
            output,
            scale: rate.scale(),
        };
        walk(layout, source, &mut sink);
    }
}

fn forward_in_place(data: &mut [f32], layout: Layout, rate: Rate, source: &mut dyn MaskSource) {
    if rate.get() == 1.0 {
        data.fill(0.0);
    } else if rate.get() != 0.0 {
        let mut sink = InPlace {
            data,
            scale: rate.scale(),
        };
        walk(layout, source, &mut sink);
    }
}

/// A copy that cannot panic: the caller has checked the lengths, and unequal lengths copy the
/// common prefix instead of panicking.
trait CopyChecked {
    fn copy_from_slice_checked(&mut self, src: &Self);
}

impl CopyChecked for [f32] {
    #[inline]
    fn copy_from_slice_checked(&mut self, src: &[f32]) {
        let n = self.len().min(src.len());
        if let (Some(dst), Some(src)) = (self.get_mut(..n), src.get(..n)) {
            dst.copy_from_slice(src);
        }
    }
}

/// Copies `input` to `output` bit for bit: the layer's inference path.
pub(crate) fn identity<const S: usize>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
) -> Result<(), Error> {
    check_len("input", input.len(), shape.len())?;
    check_len("output", output.len(), shape.len())?;
    output.copy_from_slice_checked(input);
    Ok(())
}

/// Spatial dropout in training mode, out of place: `output` gets `input` with whole maps
/// dropped.
///
/// When `0 < rate < 1`, draws exactly `shape.maps()` values with `rng.next_u32()`, in map order
/// `m = n · channels + c`, for both layouts; map `m` is kept iff its draw is below
/// [`Rate::threshold`]. Kept maps get `y = x · rate.scale()` (one `f32` multiply), dropped maps
/// get `+0.0` whatever `x` is. At rate 0 `output` is a bit-exact copy of `input`; at rate 1 it
/// is all `+0.0`; neither draws anything.
///
/// Fails with [`Error::LengthMismatch`] when a slice's length is not `shape.len()`; then nothing
/// is written and nothing is drawn.
pub fn spatial_dropout<const S: usize, R: Rng + ?Sized>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    check_len("input", input.len(), shape.len())?;
    check_len("output", output.len(), shape.len())?;
    forward_copy(
        input,
        output,
        shape.layout(),
        rate,
        &mut Draws::new(rng, rate),
    );
    Ok(())
}

/// [`spatial_dropout`] on one buffer: the same draws and the same output bits, in place. At
/// rate 0 the data is left untouched.
pub fn spatial_dropout_in_place<const S: usize, R: Rng + ?Sized>(
    data: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    rng: &mut R,
) -> Result<(), Error> {
    check_len("data", data.len(), shape.len())?;
    forward_in_place(data, shape.layout(), rate, &mut Draws::new(rng, rate));
    Ok(())
}

/// Applies a mask from [`draw_mask`](crate::draw_mask) (or any mask: bit `m % 32` of word
/// `m / 32` set = map `m` kept), out of place. With the mask that `draw_mask` draws, the output
/// equals [`spatial_dropout`]'s for the same generator state.
///
/// At rate 0 the output is a copy and at rate 1 all `+0.0`, whatever the mask says, as in the
/// kernel. Fails with [`Error::LengthMismatch`] or [`Error::MaskTooShort`], writing nothing.
pub fn apply_mask<const S: usize>(
    input: &[f32],
    output: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    keep: &[u32],
) -> Result<(), Error> {
    check_len("input", input.len(), shape.len())?;
    check_len("output", output.len(), shape.len())?;
    check_mask(keep, shape.maps())?;
    forward_copy(input, output, shape.layout(), rate, &mut Bits::new(keep));
    Ok(())
}

/// [`apply_mask`] in place.
pub fn apply_mask_in_place<const S: usize>(
    data: &mut [f32],
    shape: &Shape<S>,
    rate: Rate,
    keep: &[u32],
) -> Result<(), Error> {
    check_len("data", data.len(), shape.len())?;
    check_mask(keep, shape.maps())?;
    forward_in_place(data, shape.layout(), rate, &mut Bits::new(keep));
    Ok(())
}
