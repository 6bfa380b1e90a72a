//! Output over semihosting without `core::fmt`, which would add kilobytes of flash.

use cortex_m_semihosting::debug::{self, EXIT_FAILURE, EXIT_SUCCESS};
use cortex_m_semihosting::hio;

/// Writes text to the host's stdout (QEMU's terminal).
pub fn print(text: &str) {
    if let Ok(mut stdout) = hio::hstdout() {
        let _ = stdout.write_all(text.as_bytes());
    }
}

/// Writes an unsigned number in decimal.
pub fn print_u64(mut n: u64) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    while start > 0 {
        start -= 1;
        if let Some(d) = digits.get_mut(start) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if let Some(text) = digits
        .get(start..)
        .and_then(|d| core::str::from_utf8(d).ok())
    {
        print(text);
    }
}

/// Writes `x` with four decimals, e.g. `-0.0123`.
pub fn print_f32(x: f32) {
    if x.is_nan() {
        return print("NaN");
    }
    if x < 0.0 {
        print("-");
    }
    let scaled = libm::roundf(libm::fabsf(x) * 10_000.0) as u64;
    print_u64(scaled / 10_000);
    print(".");
    let frac = scaled % 10_000;
    for zeros in [1000, 100, 10] {
        if frac < zeros {
            print("0");
        }
    }
    print_u64(frac);
}

/// Ends the QEMU session: exit status 0 if `ok`, else 1.
pub fn exit(ok: bool) -> ! {
    debug::exit(if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
    loop {
        core::hint::spin_loop();
    }
}
