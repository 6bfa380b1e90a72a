//! Reads the header's `#define`s at compile time, so the Rust side checks the numbers C sees.
//!
//! These functions run only in const evaluation: an index out of range or a missing define is a
//! compile error, never a run-time panic, hence the allowances below.
#![allow(clippy::indexing_slicing, clippy::panic, clippy::as_conversions)]

/// The value of `#define NAME <decimal>` in `header`; fails to compile if it is missing.
pub const fn header_define(header: &[u8], name: &[u8]) -> usize {
    let mut i = 0;
    while i + 8 + name.len() < header.len() {
        if starts_with_at(header, i, b"#define ") && starts_with_at(header, i + 8, name) {
            let mut j = i + 8 + name.len();
            if header[j] != b' ' {
                i += 1;
                continue;
            }
            while j < header.len() && header[j] == b' ' {
                j += 1;
            }
            let mut value = 0usize;
            let mut digits = 0;
            while j < header.len() && header[j].is_ascii_digit() {
                value = value * 10 + (header[j] - b'0') as usize;
                digits += 1;
                j += 1;
            }
            assert!(digits > 0, "the header's #define has no decimal value");
            return value;
        }
        i += 1;
    }
    panic!("the header lacks a #define the Rust side needs")
}

const fn starts_with_at(haystack: &[u8], at: usize, needle: &[u8]) -> bool {
    if at + needle.len() > haystack.len() {
        return false;
    }
    let mut k = 0;
    while k < needle.len() {
        if haystack[at + k] != needle[k] {
            return false;
        }
        k += 1;
    }
    true
}
