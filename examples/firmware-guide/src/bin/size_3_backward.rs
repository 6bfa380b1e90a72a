//! Step 3: step 2 plus backward.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use firmware_guide::out::exit;
use firmware_guide::{DIMS, LEN, STEPS, Trng, backward, features, mc_dropout, seeded_layer};
use spatial_dropout::Error;

fn run(trng: &mut Trng) -> Result<(), Error> {
    let mut layer = seeded_layer(trng)?;
    let mut h = [0.0; LEN];
    layer.call_in_place(black_box(&mut h), &DIMS, true)?;
    let hidden = features(black_box(&[0.5; STEPS]));
    black_box(mc_dropout(&mut layer, &hidden, black_box(200))?);
    let mut grad = [0.0; LEN];
    backward(&layer, black_box(&mut grad))
}

#[entry]
fn main() -> ! {
    let ok = match cortex_m::Peripherals::take() {
        Some(p) => run(&mut Trng::new(p.SYST)).is_ok(),
        None => false,
    };
    exit(ok)
}
