//! The baseline of the error-printing rows: a layer call that can fail, and on failure a fixed
//! line over semihosting, so the rows above it differ only by how the error is written.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use firmware_guide::out::{exit, print};
use firmware_guide::{DIMS, LEN, RATE};
use spatial_dropout::SpatialDropout1D;

#[entry]
fn main() -> ! {
    let mut layer = SpatialDropout1D::with_rate(RATE);
    let mut h = [0.0; LEN];
    let len = black_box(LEN);
    let result = layer.call_in_place(black_box(&mut h[..len]), &DIMS, true);
    if result.is_err() {
        print("error\n");
    }
    exit(result.is_ok())
}
