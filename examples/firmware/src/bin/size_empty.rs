//! The baseline of the footprint table: the runtime, semihosting exit and the same harness as
//! the other `size_*` binaries (two buffers whose addresses escape), calling nothing.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout_firmware::exit;

fn run(input: &mut [f32], output: &mut [f32]) -> Result<(), ()> {
    black_box((input, output));
    Ok(())
}

#[entry]
fn main() -> ! {
    let mut input = [0.0f32; 64];
    let mut output = [0.0f32; 64];
    let ok = run(black_box(&mut input), black_box(&mut output)).is_ok();
    exit(ok)
}
