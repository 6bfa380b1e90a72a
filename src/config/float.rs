//! Floats as Python's `repr` (and so `json.dumps`) writes them.
//!
//! Python writes the shortest digits that read back as the same double, in positional form
//! when the decimal exponent is in `-4 ..= 15` (`0.0001`, `0.3333333333333333`, `1.0`) and in
//! scientific form otherwise, with a sign and at least two exponent digits (`1e-05`, `1e+16`).
//! Rust's `{:e}` gives the same shortest digits; this module only lays them out.

use core::fmt::{self, Write};

use super::Sink;

/// Room for the `{:e}` text of any finite `f64`: a sign, 17 digits, a point, `e-324`.
struct Digits {
    bytes: [u8; 32],
    len: usize,
}

impl Write for Digits {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Writes `x` as `repr(x)`; NaN and infinities as `json.dumps` writes them.
pub(crate) fn write_repr(x: f64, w: &mut dyn Sink) {
    if x.is_nan() {
        return w.put(b"NaN");
    }
    if x.is_infinite() {
        return w.put(if x < 0.0 { b"-Infinity" } else { b"Infinity" });
    }
    if x.is_sign_negative() {
        w.put(b"-");
    }
    let mut text = Digits {
        bytes: [0; 32],
        len: 0,
    };
    // Cannot fail: the buffer holds any `{:e}` output of a finite f64.
    let _ = write!(text, "{:e}", x.abs());
    let text = text.bytes.get(..text.len).unwrap_or(&[]);
    // `{:e}` writes `d[.ddd]e[-]x`.
    let split = text.iter().position(|&c| c == b'e').unwrap_or(text.len());
    let (mantissa, exp) = text.split_at(split);
    let exp = parse_exp(exp.get(1..).unwrap_or(&[]));
    let (lead, frac) = match mantissa.split_first() {
        Some((lead, rest)) => (core::slice::from_ref(lead), rest.get(1..).unwrap_or(&[])),
        None => (&[b'0'][..], &[][..]),
    };
    if (-4..16).contains(&exp) {
        positional(lead, frac, exp, w);
    } else {
        w.put(lead);
        if !frac.is_empty() {
            w.put(b".");
            w.put(frac);
        }
        w.put(if exp < 0 { b"e-" } else { b"e+" });
        let e = exp.unsigned_abs();
        // Three digits at most: |exp| <= 324.
        let hundreds = (e / 100) as u8;
        if hundreds > 0 {
            w.put(&[b'0' + hundreds]);
        }
        w.put(&[b'0' + (e / 10 % 10) as u8, b'0' + (e % 10) as u8]);
    }
}

/// `digits × 10^(exp − len + 1)` with a decimal point, `.0` after whole numbers.
fn positional(lead: &[u8], frac: &[u8], exp: i32, w: &mut dyn Sink) {
    if exp < 0 {
        w.put(b"0.");
        for _ in exp + 1..0 {
            w.put(b"0");
        }
        w.put(lead);
        w.put(frac);
        return;
    }
    w.put(lead);
    // `exp` is in 0..16 here.
    let whole = exp.unsigned_abs() as usize;
    if whole >= frac.len() {
        w.put(frac);
        for _ in frac.len()..whole {
            w.put(b"0");
        }
        w.put(b".0");
    } else {
        let (int, rest) = frac.split_at(whole);
        w.put(int);
        w.put(b".");
        w.put(rest);
    }
}

fn parse_exp(text: &[u8]) -> i32 {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let value = digits.iter().fold(0i32, |acc, &d| {
        acc.saturating_mul(10)
            .saturating_add(i32::from(d.wrapping_sub(b'0')))
    });
    if negative { -value } else { value }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;
    use std::vec::Vec;

    use super::*;

    struct Text(Vec<u8>);

    impl Sink for Text {
        fn put(&mut self, bytes: &[u8]) {
            self.0.extend_from_slice(bytes);
        }
    }

    fn repr(x: f64) -> String {
        let mut text = Text(Vec::new());
        write_repr(x, &mut text);
        String::from_utf8(text.0).unwrap()
    }

    #[test]
    fn matches_python_repr_on_the_fixture_table() {
        // [bits, repr(x)] pairs written by Python (tests/fixtures/make_keras_fixtures.py).
        let table: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/keras/float_repr.json"))
                .unwrap();
        let values = table["values"].as_array().unwrap();
        assert!(values.len() > 2600);
        for pair in values {
            let x = f64::from_bits(pair[0].as_u64().unwrap());
            assert_eq!(
                repr(x),
                pair[1].as_str().unwrap(),
                "bits {:#x}",
                x.to_bits()
            );
        }
    }

    #[test]
    fn non_finite_values_as_json_dumps_writes_them() {
        assert_eq!(repr(f64::NAN), "NaN");
        assert_eq!(repr(f64::INFINITY), "Infinity");
        assert_eq!(repr(f64::NEG_INFINITY), "-Infinity");
        assert_eq!(repr(-0.0), "-0.0");
    }
}
