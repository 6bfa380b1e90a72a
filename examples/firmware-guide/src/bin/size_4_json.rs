//! Step 4: step 3 plus the layer read from Keras JSON and its config written back.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use firmware_guide::out::exit;
use firmware_guide::{
    CONFIG_LEN, DIMS, LEN, STEPS, Trng, backward, features, keras_layer, mc_dropout, seeded_layer,
};
use spatial_dropout::Error;

fn run(trng: &mut Trng) -> Result<(), Error> {
    let mut layer = seeded_layer(trng)?;
    let mut h = [0.0; LEN];
    layer.call_in_place(black_box(&mut h), &DIMS, true)?;
    let hidden = features(black_box(&[0.5; STEPS]));
    black_box(mc_dropout(&mut layer, &hidden, black_box(200))?);
    let mut grad = [0.0; LEN];
    backward(&layer, black_box(&mut grad))?;
    let from_keras = keras_layer(trng)?;
    let mut config = [0u8; CONFIG_LEN];
    black_box(from_keras.write_config(black_box(&mut config))?);
    Ok(())
}

#[entry]
fn main() -> ! {
    let ok = match cortex_m::Peripherals::take() {
        Some(p) => run(&mut Trng::new(p.SYST)).is_ok(),
        None => false,
    };
    exit(ok)
}
