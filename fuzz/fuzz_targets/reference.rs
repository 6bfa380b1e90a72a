//! The XorShift scheme of docs/semantics.md written the slow, obvious way: one element at a
//! time, with the (sample, channel) of each element computed from its index. The fuzz targets
//! compare the crate's kernels against it.

use spatial_dropout::{DataFormat, Rate, Rng};

/// Keep decisions for `maps` maps, in map order, exactly as the contract draws them.
pub fn decisions(maps: usize, rate: Rate, rng: &mut impl Rng) -> Vec<bool> {
    if rate.get() == 0.0 {
        return vec![true; maps];
    }
    if rate.get() == 1.0 {
        return vec![false; maps];
    }
    let threshold = (((1.0 - rate.get()) * 4_294_967_296.0_f64).round()) as u64;
    (0..maps)
        .map(|_| u64::from(rng.next_u32()) < threshold)
        .collect()
}

/// The output of a training call for dims `[batch, …, channels]` (channels_last) or
/// `[batch, channels, …]` (channels_first) given the keep decisions; `input` holds every
/// element.
pub fn forward(
    input: &[f32],
    dims: &[usize],
    format: DataFormat,
    rate: Rate,
    keep: &[bool],
) -> Vec<f32> {
    let batch = dims[0];
    let channels = match format {
        DataFormat::ChannelsFirst => dims[1],
        DataFormat::ChannelsLast => dims[dims.len() - 1],
    };
    let len = input.len();
    let map_len = if len == 0 {
        0
    } else {
        len / (batch * channels)
    };
    let scale = (1.0_f64 / (1.0_f64 - rate.get())) as f32;
    (0..len)
        .map(|i| {
            let (n, c) = match format {
                DataFormat::ChannelsFirst => (i / (channels * map_len), (i / map_len) % channels),
                DataFormat::ChannelsLast => (i / (channels * map_len), i % channels),
            };
            let x = input[i];
            if rate.get() == 0.0 {
                x
            } else if keep[n * channels + c] {
                x * scale
            } else {
                0.0
            }
        })
        .collect()
}

/// Bit-for-bit equality, NaN payloads included.
pub fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}
