//! `Rate` computes its threshold with a `const fn` rounding; docs/semantics.md states it as
//! `libm::round((1 − rate) · 2³²)`. These tests hold the two equal: at the edges, at every
//! half-way point that can arise, and for arbitrary rates.

use proptest::prelude::*;
use spatial_dropout::Rate;

fn contract_threshold(rate: f64) -> u64 {
    libm::round((1.0 - rate) * 4_294_967_296.0) as u64
}

fn contract_scale(rate: f64) -> f32 {
    (1.0_f64 / (1.0_f64 - rate)) as f32
}

#[test]
fn edges_and_half_way_points() {
    let mut rates = vec![
        0.0,
        1.0,
        0.5,
        0.1,
        0.3,
        1.0 / 3.0,
        2f64.powi(-33),
        1.0 - 1e-12,
    ];
    // (1 − rate)·2³² = k + 0.5 exactly: the rounding direction matters here.
    for k in [0_u64, 1, 2, 3, 1 << 20, (1 << 32) - 1] {
        rates.push(1.0 - (k as f64 + 0.5) / 4_294_967_296.0);
    }
    // Neighbours of the half-way points.
    for r in rates.clone() {
        rates.push(f64::from_bits(r.to_bits() + 1));
        if r > 0.0 {
            rates.push(f64::from_bits(r.to_bits() - 1));
        }
    }
    for r in rates.into_iter().filter(|r| (0.0..=1.0).contains(r)) {
        let rate = Rate::new(r).unwrap();
        assert_eq!(rate.threshold(), contract_threshold(r), "rate {r:e}");
        assert_eq!(
            rate.scale().to_bits(),
            contract_scale(r).to_bits(),
            "rate {r:e}"
        );
    }
}

proptest! {
    #[test]
    fn any_rate(bits in 0u64..=1.0f64.to_bits()) {
        let r = f64::from_bits(bits);
        let rate = Rate::new(r).unwrap();
        prop_assert_eq!(rate.threshold(), contract_threshold(r));
        prop_assert_eq!(rate.scale().to_bits(), contract_scale(r).to_bits());
    }

    #[test]
    fn uniform_rates(r in 0.0f64..=1.0) {
        prop_assert_eq!(Rate::new(r).unwrap().threshold(), contract_threshold(r));
    }
}
