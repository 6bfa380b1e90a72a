//! Helpers shared by the integration tests.
#![allow(dead_code)]

use core::convert::Infallible;

use rand_core::TryRng;
use spatial_dropout::{Rng, SeedableRng, XorShiftRng};

/// A generator that counts the values drawn from it.
#[derive(Debug, Clone)]
pub struct Counting<R> {
    pub inner: R,
    pub u32_draws: usize,
    pub other_draws: usize,
}

impl<R> Counting<R> {
    pub fn new(inner: R) -> Self {
        Counting {
            inner,
            u32_draws: 0,
            other_draws: 0,
        }
    }
}

impl Counting<XorShiftRng> {
    pub fn seeded(seed: u64) -> Self {
        Counting::new(XorShiftRng::seed_from_u64(seed))
    }
}

impl<R: Rng> TryRng for Counting<R> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.u32_draws += 1;
        Ok(self.inner.next_u32())
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.other_draws += 1;
        Ok(self.inner.next_u64())
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.other_draws += 1;
        self.inner.fill_bytes(dst);
        Ok(())
    }
}

/// A generator that replays fixed values, then panics: it proves exactly which draws happen.
#[derive(Debug, Clone)]
pub struct Script<'a> {
    pub values: &'a [u32],
    pub next: usize,
}

impl TryRng for Script<'_> {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let v = self.values[self.next];
        self.next += 1;
        Ok(v)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        panic!("the kernels draw with next_u32 only")
    }
    fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Infallible> {
        panic!("the kernels draw with next_u32 only")
    }
}

/// The input rule of tests/vectors/known_answers.json, shared with the firmware and wasm tests.
#[path = "../vectors/input.rs"]
mod input;
// Each test binary includes this module and uses only part of it.
#[allow(unused_imports)]
pub use input::known_input as kat_input;

pub fn bits(xs: &[f32]) -> Vec<u32> {
    xs.iter().map(|x| x.to_bits()).collect()
}

/// Index of element (n, c, p) in a channels_first tensor, p the flat spatial position.
pub fn idx_cf(n: usize, c: usize, p: usize, channels: usize, map_len: usize) -> usize {
    (n * channels + c) * map_len + p
}

/// Index of element (n, c, p) in a channels_last tensor.
pub fn idx_cl(n: usize, c: usize, p: usize, channels: usize, map_len: usize) -> usize {
    (n * map_len + p) * channels + c
}

/// Elementwise: channels_last → channels_first.
pub fn to_channels_first(x: &[f32], batch: usize, channels: usize, map_len: usize) -> Vec<f32> {
    let mut y = vec![0.0; x.len()];
    for n in 0..batch {
        for c in 0..channels {
            for p in 0..map_len {
                y[idx_cf(n, c, p, channels, map_len)] = x[idx_cl(n, c, p, channels, map_len)];
            }
        }
    }
    y
}

/// Keep bit of map m in mask words.
pub fn kept(mask: &[u32], m: usize) -> bool {
    mask[m / 32] >> (m % 32) & 1 == 1
}
