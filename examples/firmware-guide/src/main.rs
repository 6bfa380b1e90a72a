//! docs/firmware.md's firmware: every step of the guide, with its output over semihosting.
//! `cargo run --release` runs it in QEMU and exits with its status.
#![no_std]
#![no_main]

use core::cell::RefCell;

use cortex_m_rt::entry;
use critical_section::Mutex;
use firmware_guide::out::{exit, print, print_f32, print_u64};
use firmware_guide::{
    CONFIG_LEN, DIMS, LEN, RATE, STEPS, Trng, backward, features, head, head_gradient, keras_layer,
    mc_dropout, print_error, seeded_layer,
};
use spatial_dropout::{Error, SpatialDropout1D, static_name};

/// The layer where an interrupt handler can reach it too: a critical section guards it.
/// Built at compile time (`const fn` constructors): no `Option`, no initialisation at run time.
static LAYER: Mutex<RefCell<SpatialDropout1D>> = Mutex::new(RefCell::new(
    SpatialDropout1D::named(RATE, static_name!("mc_dropout")).with_seed(7),
));

const PASSES: u32 = 200;

#[entry]
fn main() -> ! {
    match run() {
        Ok(ok) => exit(ok),
        Err(e) => {
            print_error(&e);
            exit(false)
        }
    }
}

fn run() -> Result<bool, Error> {
    let Some(peripherals) = cortex_m::Peripherals::take() else {
        return Ok(false);
    };
    let mut trng = Trng::new(peripherals.SYST);
    let mut ok = true;

    // Step 1: a layer seeded by the TRNG.
    let mut layer = seeded_layer(&mut trng)?;
    print("step 1: SpatialDropout1D(rate 0.3) seeded from the TRNG\n");

    // Step 2: Monte Carlo dropout.
    let signal: [f32; STEPS] = core::array::from_fn(|t| t as f32 / STEPS as f32);
    let hidden = features(&signal);
    let mut eval = [0.0; LEN];
    layer.call(&hidden, &DIMS, &mut eval, false)?;
    let deterministic = head(&eval);
    let prediction = mc_dropout(&mut layer, &hidden, PASSES)?;
    print("step 2: deterministic ");
    print_f32(deterministic);
    print(", MC dropout over ");
    print_u64(u64::from(PASSES));
    print(" passes: mean ");
    print_f32(prediction.mean);
    print(", std ");
    print_f32(prediction.std);
    print("\n");
    // Dropout is unbiased (kept maps are scaled by 1/(1 - rate)) and the head is linear, so
    // the MC mean estimates the deterministic output: within 5 standard errors.
    let standard_error = prediction.std / libm::sqrtf(PASSES as f32);
    ok &= prediction.std > 0.0
        && libm::fabsf(prediction.mean - deterministic) <= 5.0 * standard_error;

    // Step 3: backward through the last pass.
    let mut grad = [0.0; LEN];
    backward(&layer, &mut grad)?;
    let upstream = head_gradient();
    let mut kept = 0;
    for c in 0..firmware_guide::CHANNELS {
        let map = (0..STEPS).map(|t| t * firmware_guide::CHANNELS + c);
        let is_kept = map
            .clone()
            .all(|i| grad.get(i) == upstream.get(i).map(|g| g * RATE.scale()).as_ref());
        let is_dropped = map.clone().all(|i| grad.get(i) == Some(&0.0));
        ok &= is_kept != is_dropped;
        kept += usize::from(is_kept);
    }
    print("step 3: backward: ");
    print_u64(kept as u64);
    print(" of 8 maps pass the gradient (scaled by 1/(1 - 0.3)), the others get 0\n");

    // Step 4: the layer of the Keras model, from its JSON config.
    let from_keras = keras_layer(&mut trng)?;
    let mut config = [0u8; CONFIG_LEN];
    let n = from_keras.write_config(&mut config)?;
    print("step 4: from_config, then write_config into ");
    print_u64(CONFIG_LEN as u64);
    print(" bytes: ");
    print(
        config
            .get(..n)
            .and_then(|c| core::str::from_utf8(c).ok())
            .unwrap_or("?"),
    );
    print("\n");
    ok &= from_keras.rate() == RATE && from_keras.name() == "mc_dropout";

    // Errors are a code and a short message, printed without formatting code.
    let short = layer.call(&hidden[1..], &DIMS, &mut eval, true);
    print("a bad call: ");
    match short {
        Err(e) => print_error(&e),
        Ok(()) => ok = false,
    }

    // The layer in a static, as an interrupt handler would use it.
    let in_static = critical_section::with(|cs| {
        let mut layer = LAYER.borrow_ref_mut(cs);
        layer.call(&hidden, &DIMS, &mut eval, true)?;
        Ok::<_, Error>(layer.calls())
    });
    ok &= in_static == Ok(1);
    print("static layer: a training call in a critical section\n");

    print(if ok {
        "guide firmware: ok\n"
    } else {
        "guide firmware: FAILED\n"
    });
    Ok(ok)
}
