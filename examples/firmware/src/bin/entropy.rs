//! The entropy and const API on the microcontroller, under the panic proof like every binary
//! of this package: a fallible rand_core 0.6 TRNG seeds a layer (`TryRng06`, `reseed_from`,
//! `seed_from`), the fallible kernels leave the output untouched when it fails, `Rng06` drives
//! the plain kernel, and errors print as code and short message.
#![no_std]
#![no_main]

use core::hint::black_box;
use core::num::NonZeroU32;

use cortex_m_rt::entry;
use rand_core_06::{Error as Error06, RngCore};
use spatial_dropout::{
    Error, Rate, Rng06, Shape2D, SpatialDropout2D, TryRng06, rate, seed_from, shape,
    spatial_dropout, try_spatial_dropout, try_spatial_dropout_in_place,
};
use spatial_dropout_firmware::{Out, exit};

const RATE: Rate = rate!(0.5);
const SHAPE: Shape2D = shape!(2, 3, [2, 2]);
const CONFIG_LEN: usize = SpatialDropout2D::max_config_len(SpatialDropout2D::DEFAULT_NAME);
const SEED_ERROR: NonZeroU32 = match NonZeroU32::new(Error06::CUSTOM_START + 1) {
    Some(code) => code,
    None => panic!("not 0"),
};

/// A HAL-shaped TRNG: a counter that fails once `good` words are spent.
struct Trng {
    state: u32,
    good: u32,
}

impl RngCore for Trng {
    fn next_u32(&mut self) -> u32 {
        self.state = self
            .state
            .wrapping_mul(747_796_405)
            .wrapping_add(2_891_336_453);
        self.state
    }
    fn next_u64(&mut self) -> u64 {
        rand_core_06::impls::next_u64_via_u32(self)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core_06::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error06> {
        for chunk in dest.chunks_mut(4) {
            if self.good == 0 {
                return Err(Error06::from(SEED_ERROR));
            }
            self.good -= 1;
            for (byte, w) in chunk.iter_mut().zip(self.next_u32().to_le_bytes()) {
                *byte = w;
            }
        }
        Ok(())
    }
}

fn check(out: &mut Out, what: &str, ok: bool) -> bool {
    out.str(if ok { "ok   " } else { "FAIL " })
        .str(what)
        .str("\n");
    ok
}

#[entry]
fn main() -> ! {
    let mut out = Out::new();
    let mut ok = true;
    let input = black_box([1.5f32; 24]);
    let untouched = f32::from_bits(0x7fc0_0bad);
    let mut keep = [0u32; 1];

    let mut layer = SpatialDropout2D::with_rate(RATE);
    let seeded = layer.reseed_from(&mut TryRng06(Trng {
        state: 1,
        good: black_box(2),
    }));
    ok &= check(&mut out, "reseed_from a TRNG with entropy", seeded.is_ok());
    let failed = layer.reseed_from(&mut TryRng06(Trng {
        state: 1,
        good: black_box(1),
    }));
    ok &= check(
        &mut out,
        "reseed_from a failing TRNG: RngFailed",
        failed == Err(Error::RngFailed),
    );
    if let Err(e) = failed {
        out.str("  error ")
            .num(usize::from(e.code()))
            .str(": ")
            .str(e.as_str())
            .str("\n");
    }
    let seed = seed_from(&mut Rng06(Trng { state: 1, good: 0 }));
    ok &= check(&mut out, "seed_from through Rng06", seed.is_ok());

    let mut output = [untouched; 24];
    let mut trng = TryRng06(Trng {
        state: 9,
        good: black_box(3),
    });
    let failed = try_spatial_dropout(&input, &mut output, &SHAPE, RATE, &mut trng, &mut keep);
    ok &= check(
        &mut out,
        "try_spatial_dropout: a TRNG failing mid-mask leaves the output untouched",
        failed == Err(Error::RngFailed)
            && output.iter().all(|v| v.to_bits() == untouched.to_bits()),
    );

    let mut expected = [0.0f32; 24];
    let plain = spatial_dropout(
        &input,
        &mut expected,
        &SHAPE,
        RATE,
        &mut Rng06(Trng { state: 9, good: 0 }),
    );
    let mut trng = TryRng06(Trng {
        state: 9,
        good: black_box(100),
    });
    let fallible = try_spatial_dropout(&input, &mut output, &SHAPE, RATE, &mut trng, &mut keep);
    let mut data = input;
    let mut trng = TryRng06(Trng {
        state: 9,
        good: black_box(100),
    });
    let in_place = try_spatial_dropout_in_place(&mut data, &SHAPE, RATE, &mut trng, &mut keep);
    ok &= check(
        &mut out,
        "try_spatial_dropout(_in_place) with a working TRNG = spatial_dropout through Rng06",
        plain.is_ok()
            && fallible.is_ok()
            && in_place.is_ok()
            && output == expected
            && data == expected,
    );

    let mut config = [0u8; CONFIG_LEN];
    let written = layer.write_config(black_box(&mut config));
    ok &= check(
        &mut out,
        "write_config fits max_config_len",
        written == Ok(layer.config_len()),
    );

    out.str(if ok {
        "entropy: ok\n"
    } else {
        "entropy: FAILED\n"
    });
    exit(ok)
}
