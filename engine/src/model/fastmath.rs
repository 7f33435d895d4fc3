//! A branch-free exponential that the compiler can vectorise.
//!
//! About nine tenths of a cohort model's arithmetic is `exp` (background survival, Weibull
//! cumulative hazards, transition probabilities). The platform's `exp` is a function call per
//! value and cannot be vectorised; this one is straight-line arithmetic, so a loop over a block of
//! draws becomes SIMD code (SSE2, AVX2 or AVX-512, whichever the kernel was compiled for).
//!
//! Same bits everywhere: besides IEEE additions and multiplications it uses only fused
//! multiply-add through [`f64::mul_add`], which is correctly rounded by definition. Processors
//! with FMA do it in one instruction; elsewhere (an x86-64 without FMA, WebAssembly) it is a
//! correctly rounded software routine, slower but giving exactly the same result. FMA halves the
//! work of the polynomial, which is most of the cost.
//!
//! Method: Cody–Waite reduction `x = k ln2 + r` with `|r| <= ln2 / 2`, then
//! `exp(r) = 1 + r + r^2 q(r)` with `q` a degree-9 polynomial fitted to minimise the relative
//! error of `exp` on that interval (approximation error 1.3e-17, a sixteenth of an ulp, so
//! rounding dominates), and scaling by `2^k` built from exponent bits in two halves so that
//! results down to the smallest subnormal are right. Clamping the argument to [-746, 710]
//! makes underflow give exactly 0 and overflow give infinity without further tests.

/// `1.5 * 2^52`: adding it to a float in (-2^51, 2^51) rounds to an integer in the low bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^11.
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Below this, `exp` rounds to zero (`2^-1076` times a factor below 2).
const MIN_ARG: f64 = -746.0;
/// Above this, `exp` is infinite (`2^1024` times a factor above 1/2).
const MAX_ARG: f64 = 710.0;

/// Coefficients of `q(r) ~ (exp(r) - 1 - r) / r^2`, lowest order first: a weighted
/// least-squares fit at 400 Chebyshev nodes in 60-digit arithmetic (mpmath), rounded to double.
const Q: [f64; 10] = [
    0.500_000_000_000_001_2,
    0.166_666_666_666_664_83,
    0.041_666_666_666_516_32,
    0.008_333_333_333_451_433,
    0.001_388_888_894_667_882_8,
    0.000_198_412_695_971_189_04,
    2.480_149_034_623_507e-5,
    2.755_750_728_541_229e-6,
    2.763_112_544_622_620_5e-7,
    2.502_464_520_964_93e-8,
];

/// `2^k` for an integer-valued `k` in [-1022, 1023], from its exponent bits.
#[inline(always)]
fn pow2i(k: f64) -> f64 {
    // The low 12 bits of (SHIFTER + 1023 + k) hold 1023 + k; shifting them into the exponent
    // field gives 2^k without a float-to-integer conversion, which SSE2 and AVX2 lack for i64.
    let bits = (k + (SHIFTER + 1023.0)).to_bits();
    f64::from_bits(bits << 52)
}

/// `e^x`, within about 1 ulp of the correctly rounded value; NaN for NaN, 0 below -746,
/// infinity above 709.79.
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Comparisons, not f64::max/min: they keep NaN (NaN < c is false), and NaN then
    // propagates through the arithmetic.
    let x = if x < MIN_ARG { MIN_ARG } else { x };
    let x = if x > MAX_ARG { MAX_ARG } else { x };
    let kd = x.mul_add(LOG2E, SHIFTER) - SHIFTER;
    // kd * LN2_HI is exact, so the first step is exact with or without fusion.
    let r = (-kd).mul_add(LN2_HI, x);
    let r = (-kd).mul_add(LN2_LO, r);
    let mut q = Q[9];
    for c in Q[..9].iter().rev() {
        q = q.mul_add(r, *c);
    }
    let poly = (r * r).mul_add(q, r) + 1.0;
    // Split 2^k into two factors so that neither exponent leaves the normal range.
    let k1 = kd.mul_add(0.5, SHIFTER) - SHIFTER;
    let k2 = kd - k1;
    poly * pow2i(k1) * pow2i(k2)
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
        // Measured: 1.0 ulp at worst (rounding of the final addition).
        assert!(worst <= 1.5, "worst error {worst} ulp");
    }

    #[test]
    fn special_values() {
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp(-800.0), 0.0);
        assert_eq!(exp(-746.0), 0.0);
        assert_eq!(exp(709.78), libm::exp(709.78));
        assert_eq!(exp(709.8), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1.0);
        assert!(ulps(exp(709.7), libm::exp(709.7)) <= 2.0);
        assert!(ulps(exp(-708.0), libm::exp(-708.0)) <= 2.0);
        // Deep subnormal: 2^-1074 region.
        let tiny = exp(-744.0);
        assert!(tiny > 0.0 && tiny < 1e-320);
    }
}
