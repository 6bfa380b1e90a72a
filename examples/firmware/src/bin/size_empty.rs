//! The baseline of the footprint table: the runtime, semihosting exit and the same harness as
//! the other `size_*` binaries (two buffers whose addresses escape), calling nothing.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout_firmware::size::harness;

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), ()> {
    black_box((input, output));
    Ok(())
}

#[entry]
fn main() -> ! {
    harness(run)
}
