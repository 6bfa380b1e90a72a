//! `size_error_none` plus the error printed as its code and short message (`Error::code`,
//! `Error::as_str`): no formatting code.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use firmware_guide::out::exit;
use firmware_guide::{DIMS, LEN, RATE, print_error};
use spatial_dropout::SpatialDropout1D;

#[entry]
fn main() -> ! {
    let mut layer = SpatialDropout1D::with_rate(RATE);
    let mut h = [0.0; LEN];
    let len = black_box(LEN);
    let result = layer.call_in_place(black_box(&mut h[..len]), &DIMS, true);
    if let Err(e) = &result {
        print_error(e);
    }
    exit(result.is_ok())
}
