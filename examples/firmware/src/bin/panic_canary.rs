//! The negative control of the link-time proof: an index that may be out of bounds. Built with
//! `--features panic-never,canary`, this binary must FAIL to link; if it links, the proof
//! proves nothing.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use spatial_dropout_firmware::exit;

#[entry]
fn main() -> ! {
    let table = black_box([1u8, 2, 3]);
    let i = black_box(7usize);
    #[allow(clippy::indexing_slicing)]
    exit(table[i] == 2)
}
