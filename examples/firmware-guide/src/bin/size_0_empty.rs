//! Step 0, the baseline of the size table: `#[entry]`, the panic handler and the semihosting
//! exit, nothing of spatial-dropout.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use firmware_guide::out::exit;

#[entry]
fn main() -> ! {
    exit(core::hint::black_box(true))
}
