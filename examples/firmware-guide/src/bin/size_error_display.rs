//! `size_error_none` plus the error printed with `Display` (`write!(stdout, "{e}")`): what
//! `core::fmt` and the messages' number writers cost.
#![no_std]
#![no_main]

use core::fmt::Write as _;
use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hio;
use firmware_guide::out::exit;
use firmware_guide::{DIMS, LEN, RATE};
use spatial_dropout::SpatialDropout1D;

#[entry]
fn main() -> ! {
    let mut layer = SpatialDropout1D::with_rate(RATE);
    let mut h = [0.0; LEN];
    let len = black_box(LEN);
    let result = layer.call_in_place(black_box(&mut h[..len]), &DIMS, true);
    if let (Err(e), Ok(mut stdout)) = (&result, hio::hstdout()) {
        let _ = writeln!(stdout, "{e}");
    }
    exit(result.is_ok())
}
