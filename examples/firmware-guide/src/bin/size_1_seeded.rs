//! Step 1: a layer seeded from the TRNG, one training call.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use firmware_guide::out::exit;
use firmware_guide::{DIMS, LEN, Trng, seeded_layer};
use spatial_dropout::Error;

fn run(trng: &mut Trng) -> Result<(), Error> {
    let mut layer = seeded_layer(trng)?;
    let mut h = [0.0; LEN];
    layer.call_in_place(black_box(&mut h), &DIMS, true)
}

#[entry]
fn main() -> ! {
    let ok = match cortex_m::Peripherals::take() {
        Some(p) => run(&mut Trng::new(p.SYST)).is_ok(),
        None => false,
    };
    exit(ok)
}
