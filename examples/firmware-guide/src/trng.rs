//! A stand-in for a HAL's TRNG driver (`stm32f4xx_hal::rng::Rng`, `nrf52840_hal::Rng`,
//! `esp_hal::rng::Rng`): like them it implements rand_core 0.6's `RngCore`, and like them it
//! can fail (a real one on a seed or clock error flag). QEMU's mps2 boards have no TRNG, so
//! this one whitens the SysTick counter, which QEMU runs on the host's clock: enough to make
//! every run draw other masks, not a source of secrets.

use core::num::NonZeroU32;

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;
use rand_core::{Error, RngCore, impls};

/// The error a driver reports when the peripheral is not running.
const NOT_RUNNING: NonZeroU32 = match NonZeroU32::new(Error::CUSTOM_START) {
    Some(code) => code,
    None => panic!("CUSTOM_START is not 0"),
};

/// The TRNG peripheral, owned as a HAL driver owns it.
pub struct Trng {
    syst: SYST,
    state: u64,
}

impl Trng {
    /// Starts the counter the stand-in reads.
    pub fn new(mut syst: SYST) -> Self {
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00ff_ffff);
        syst.clear_current();
        syst.enable_counter();
        Trng { syst, state: 0 }
    }

    /// One 32-bit word, or the driver's error.
    fn word(&mut self) -> Result<u32, Error> {
        if !self.syst.is_counter_enabled() {
            return Err(Error::from(NOT_RUNNING));
        }
        // splitmix64 over the counter: neighbouring reads give unrelated words.
        self.state = self
            .state
            .wrapping_add(u64::from(SYST::get_current()))
            .wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok((z ^ (z >> 31)) as u32)
    }
}

impl RngCore for Trng {
    fn next_u32(&mut self) -> u32 {
        // Real drivers unwrap or spin here; spatial-dropout's `TryRng06` never calls this.
        self.word().unwrap_or(0)
    }

    fn next_u64(&mut self) -> u64 {
        impls::next_u64_via_u32(self)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        impls::fill_bytes_via_next(self, dest)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Error> {
        for chunk in dest.chunks_mut(4) {
            let word = self.word()?.to_le_bytes();
            for (byte, w) in chunk.iter_mut().zip(word) {
                *byte = w;
            }
        }
        Ok(())
    }
}
