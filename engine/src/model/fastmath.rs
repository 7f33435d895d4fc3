//! A branch-free exponential that the compiler can vectorise.
//!
//! About nine tenths of a cohort model's arithmetic is `exp` (background survival, Weibull
//! cumulative hazards, transition probabilities). The platform's `exp` is a function call per
//! value and cannot be vectorised; this one is straight-line arithmetic, so a loop over a block of
//! draws becomes SIMD code (SSE2, AVX2 or AVX-512, whichever the kernel was compiled for). It uses
//! only IEEE additions, multiplications and bit operations, never fused multiply-add, so it gives
//! the same bits on every target, the browser's WebAssembly included.
//!
//! Method: Cody–Waite reduction `x = k ln2 + r` with `|r| <= ln2 / 2`, a degree-13 Taylor
//! polynomial for `exp(r)` (truncation error below 1e-17 relative), and scaling by `2^k` built
//! from exponent bits in two halves so that results down to the smallest subnormal are right.

/// `1.5 * 2^52`: adding it to a float in (-2^51, 2^51) rounds to an integer in the low bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^11.
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Above this, exp overflows to infinity.
const MAX_ARG: f64 = 709.79;
/// Below this, exp underflows to zero.
const MIN_ARG: f64 = -745.2;

/// Reciprocal factorials 1/n!, n = 2..=13, for the Taylor polynomial.
const INV_FACT: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
    1.0 / 479_001_600.0,
    1.0 / 6_227_020_800.0,
];

/// `2^k` for an integer-valued `k` in [-1022, 1023], from its exponent bits.
#[inline(always)]
fn pow2i(k: f64) -> f64 {
    // The low 12 bits of (SHIFTER + 1023 + k) hold 1023 + k; shifting them into the exponent
    // field gives 2^k without a float-to-integer conversion, which SSE2 and AVX2 lack for i64.
    let bits = (k + (SHIFTER + 1023.0)).to_bits();
    f64::from_bits(bits << 52)
}

/// `e^x`, within about 1 ulp of the correctly rounded value; NaN for NaN, 0 below -745.2,
/// infinity above 709.79.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Comparisons, not f64::max/min: they keep NaN (NaN < c is false).
    let xc = if x < MIN_ARG { MIN_ARG } else { x };
    let xc = if xc > MAX_ARG { MAX_ARG } else { xc };
    let kd = (xc * LOG2E + SHIFTER) - SHIFTER;
    let r = (xc - kd * LN2_HI) - kd * LN2_LO;
    let mut p = INV_FACT[11];
    for c in INV_FACT[..11].iter().rev() {
        p = p * r + c;
    }
    let poly = 1.0 + r + (r * r) * p;
    // Split 2^k into two factors so that neither exponent leaves the normal range.
    let k1 = (kd * 0.5 + SHIFTER) - SHIFTER;
    let k2 = kd - k1;
    let y = poly * pow2i(k1) * pow2i(k2);
    let y = if x > MAX_ARG { f64::INFINITY } else { y };
    if x < MIN_ARG { 0.0 } else { y }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        if a == b {
            return 0.0;
        }
        let spacing = (b.abs() * f64::EPSILON).max(f64::from_bits(1));
        (a - b).abs() / spacing
    }

    #[test]
    fn matches_libm_within_two_ulp_over_the_range() {
        // 2 million points spread over the whole finite range, and dense near zero.
        let mut worst: f64 = 0.0;
        let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
        for i in 0..2_000_000u32 {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            let u = (s >> 11) as f64 / (1u64 << 53) as f64;
            let x = if i % 2 == 0 {
                -745.0 + u * (709.7 + 745.0)
            } else {
                (u - 0.5) * 4.0
            };
            let want = libm::exp(x);
            let got = exp(x);
            if want.is_normal() {
                worst = worst.max(ulps(got, want));
            } else {
                // Subnormal results: absolute error within one subnormal step or two.
                assert!(
                    (got - want).abs() <= 2.0 * f64::from_bits(1) + want.abs() * 1e-15,
                    "x = {x}: {got} vs {want}"
                );
            }
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(1.0), std::f64::consts::E);
        assert!(ulps(exp(709.7), libm::exp(709.7)) <= 2.0);
        assert!(ulps(exp(-708.0), libm::exp(-708.0)) <= 2.0);
        // Deep subnormal: 2^-1074 region.
        let tiny = exp(-744.0);
        assert!(tiny > 0.0 && tiny < 1e-320);
    }
}
