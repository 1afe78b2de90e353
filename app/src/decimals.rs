//! Numbers written with a fixed number of decimal places ("12.5", "45%"), without the standard
//! library's float formatting. That formatting brings its general algorithms (shortest and exact
//! digit generation over big integers, about 17 KB of code before `wasm-opt`) into the browser's
//! code of every screen that shows a rate or a mean; this is a few hundred bytes.

/// `v` with `places` decimal places (at most 2), exactly as `format!("{v:.places$}")` writes it:
/// rounded from the exact binary value, half to even, with a minus sign for any negative value
/// (also one that rounds to zero).
pub fn fixed(v: f64, places: usize) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v.is_infinite() {
        return format!("{sign}inf");
    }
    let places = places.min(2);
    let digits = scaled_digits(v.abs(), places);
    // `digits` is |v| × 10^places, rounded: split off the decimals.
    let digits = format!("{digits:0>width$}", width = places + 1);
    let (whole, decimals) = digits.split_at(digits.len() - places);
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{decimals}")
    }
}

/// The decimal digits of `v × 10^places` (for a finite, non-negative `v`), rounded half to even.
fn scaled_digits(v: f64, places: usize) -> String {
    let bits = v.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1 << 52) - 1);
    // v = mantissa × 2^exponent, exactly.
    let (mantissa, exponent) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // Below 2^60: a 53-bit mantissa times at most 100.
    let scaled = mantissa * 10u64.pow(places as u32);
    if exponent < 0 {
        let shift = exponent.unsigned_abs();
        if shift >= 64 {
            // Below 2^60 / 2^64: under a half, so zero.
            return "0".to_owned();
        }
        let quotient = scaled >> shift;
        let remainder = scaled - (quotient << shift);
        let half = 1u64 << (shift - 1);
        let up = remainder > half || (remainder == half && quotient & 1 == 1);
        return (quotient + u64::from(up)).to_string();
    }
    // An integer: `scaled` doubled `exponent` times, in base 10^9 digits.
    let mut limbs = vec![];
    let mut rest = scaled;
    while rest > 0 {
        limbs.push((rest % 1_000_000_000) as u32);
        rest /= 1_000_000_000;
    }
    for _ in 0..exponent {
        let mut carry = 0;
        for limb in &mut limbs {
            let doubled = *limb * 2 + carry;
            *limb = doubled % 1_000_000_000;
            carry = doubled / 1_000_000_000;
        }
        if carry > 0 {
            limbs.push(carry);
        }
    }
    let mut text = limbs.last().map_or_else(|| "0".to_owned(), u32::to_string);
    for limb in limbs.iter().rev().skip(1) {
        text.push_str(&format!("{limb:09}"));
    }
    text
}

/// A share as a whole percentage: 0.456 → "46%", like `format!("{:.0}%", share * 100.0)`.
pub fn percent(share: f64) -> String {
    format!("{}%", fixed(share * 100.0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ties_go_to_the_even_digit_of_the_exact_value() {
        assert_eq!(fixed(0.25, 1), "0.2");
        assert_eq!(fixed(0.35, 1), "0.3"); // 0.34999… in binary
        assert_eq!(fixed(2.5, 0), "2");
        assert_eq!(fixed(1.5, 0), "2");
        assert_eq!(fixed(-0.01, 1), "-0.0");
        assert_eq!(fixed(12.345, 2), "12.35"); // 12.3450000000000006…
        assert_eq!(fixed(0.0, 2), "0.00");
        assert_eq!(fixed(f64::MIN_POSITIVE / 2.0, 2), "0.00");
        assert_eq!(percent(0.456), "46%");
    }

    proptest! {
        #[test]
        fn writes_what_the_standard_formatting_writes(bits in any::<u64>(), places in 0usize..=2) {
            let v = f64::from_bits(bits);
            prop_assert_eq!(fixed(v, places), format!("{v:.places$}"));
        }

        #[test]
        fn writes_everyday_values_as_the_standard_formatting_does(v in -1.0e7f64..1.0e7, places in 0usize..=2) {
            prop_assert_eq!(fixed(v, places), format!("{v:.places$}"));
        }

        #[test]
        fn writes_ties_as_the_standard_formatting_does(n in -100_000i64..100_000, places in 0usize..=2) {
            // n + 0.5 units of the last place, as close as a float comes.
            let v = (n as f64 + 0.5) / 10f64.powi(places as i32);
            prop_assert_eq!(fixed(v, places), format!("{v:.places$}"));
        }
    }
}
