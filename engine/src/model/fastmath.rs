//! A branch-free exponential that the compiler can vectorise.
//!
//! About nine tenths of a cohort model's arithmetic is `exp` (background survival, Weibull
//! cumulative hazards, transition probabilities). The platform's `exp` is a function call per
//! value and cannot be vectorised; this one is straight-line arithmetic, so a loop over a block of
//! draws becomes SIMD code (SSE2, AVX2 or AVX-512, whichever the kernel was compiled for).
//!
//! Same bits on every native platform: besides IEEE additions and multiplications it uses only
//! fused multiply-add through [`f64::mul_add`], which is correctly rounded by definition.
//! Processors with FMA do it in one instruction; an x86-64 without FMA runs a correctly rounded
//! software routine, slower but giving exactly the same result. FMA halves the work of the
//! polynomial, which is most of the cost.
//!
//! WebAssembly is the exception. It has no FMA instruction, and the software routine made the
//! in-browser calculator about 170 times slower than native code (3 s instead of 20 ms for
//! 5,000 draws of the reference model). On `wasm32` the same steps are therefore done as a
//! multiply and an add, rounded separately ([`exp_unfused`], which native tests hold to the same
//! accuracy): an `exp` there differs from the native one by at most an ulp or two, and a price by
//! about 1e-14 relative. Dropping FMA natively as well would have made the browser bit-identical
//! at the cost of half again the native run time, which broke the engine's speed target.
//!
//! Method: Cody–Waite reduction `x = k ln2 + r` with `|r| <= ln2 / 2`, then
//! `exp(r) = 1 + r + r^2 q(r)` with `q` a degree-9 polynomial fitted to minimise the relative
//! error of `exp` on that interval (approximation error 1.3e-17, a sixteenth of an ulp, so
//! rounding dominates), and scaling by `2^k` built from exponent bits. Results below
//! 2^-1021 (about 4.5e-308) are flushed to zero rather than computed as subnormals: nothing a
//! cohort model does can tell the difference, and it saves a second scaling step.

/// `1.5 * 2^52`: adding it to a float in (-2^51, 2^51) rounds to an integer in the low bits.
const SHIFTER: f64 = 6_755_399_441_055_744.0;
const LOG2E: f64 = std::f64::consts::LOG2_E;
/// ln 2 split so that `k * LN2_HI` is exact for |k| < 2^11.
const LN2_HI: f64 = 0.693_147_180_369_123_8;
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
/// Below this (where `k` would fall under -1021), the result is flushed to zero.
const MIN_ARG: f64 = -707.7;
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

/// `2^(k-1)` for an integer-valued `k` in [-1021, 1024], from its exponent bits.
#[inline(always)]
fn pow2_minus_one(k: f64) -> f64 {
    // The low 12 bits of (SHIFTER + 1022 + k) hold 1023 + (k - 1); shifting them into the
    // exponent field gives 2^(k-1) without a float-to-integer conversion, which SSE2 and AVX2
    // lack for i64.
    let bits = (k + (SHIFTER + 1022.0)).to_bits();
    f64::from_bits(bits << 52)
}

/// `e^x`, within 1 ulp of the correctly rounded value; NaN for NaN, 0 below -707.7 (results
/// under 4.5e-308 flush to zero), infinity above 709.78. Fused multiply-adds natively, separate
/// multiplies and adds on WebAssembly (see the module's overview).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    #[cfg(not(target_arch = "wasm32"))]
    {
        exp_with(x, f64::mul_add)
    }
    #[cfg(target_arch = "wasm32")]
    {
        exp_unfused(x)
    }
}

/// [`exp`] with every multiply-add rounded twice: what WebAssembly runs.
#[inline(always)]
pub fn exp_unfused(x: f64) -> f64 {
    exp_with(x, |a, b, c| a * b + c)
}

/// The steps of [`exp`], with `madd(a, b, c)` standing for `a * b + c`.
#[inline(always)]
fn exp_with(x: f64, madd: impl Fn(f64, f64, f64) -> f64) -> f64 {
    // A comparison, not f64::min: it keeps NaN (NaN > c is false), and NaN then propagates
    // through the arithmetic.
    let xc = if x > MAX_ARG { MAX_ARG } else { x };
    let kd = madd(xc, LOG2E, SHIFTER) - SHIFTER;
    // kd * LN2_HI is exact, so the first step is exact with or without fusion.
    let r = madd(-kd, LN2_HI, xc);
    let r = madd(-kd, LN2_LO, r);
    let mut q = Q[9];
    for c in Q[..9].iter().rev() {
        q = madd(q, r, *c);
    }
    let poly = madd(r * r, q, r) + 1.0;
    // 2^k as 2^(k-1) * 2, so that k = 1024 (x just below 710) overflows to infinity rather than
    // wrapping the exponent field.
    let y = poly * pow2_minus_one(kd) * 2.0;
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
    fn matches_libm_within_one_ulp_over_the_range() {
        within_one_ulp_over_the_range(exp);
    }

    #[test]
    fn the_unfused_form_webassembly_runs_is_as_accurate() {
        within_one_ulp_over_the_range(exp_unfused);
        // And it is not the same function: some results differ in the last place.
        let differ = (0..10_000)
            .map(|i| -20.0 + f64::from(i) * 0.004)
            .filter(|&x| exp(x) != exp_unfused(x))
            .count();
        assert!(differ > 0);
    }

    fn within_one_ulp_over_the_range(exp: fn(f64) -> f64) {
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
            if want >= 4.5e-308 {
                worst = worst.max(ulps(got, want));
            } else if x < MIN_ARG {
                assert_eq!(got, 0.0, "x = {x}");
            } else {
                // Just above the flush threshold: tiny but still normal results.
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
        assert_eq!(exp(-707.8), 0.0);
        assert!(ulps(exp(-707.6), libm::exp(-707.6)) <= 1.0);
        assert_eq!(exp(709.78), libm::exp(709.78));
        assert_eq!(exp(709.8), f64::INFINITY);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert!(exp(f64::NAN).is_nan());
        assert!(ulps(exp(1.0), std::f64::consts::E) <= 1.0);
        assert!(ulps(exp(709.7), libm::exp(709.7)) <= 1.0);
        assert!(ulps(exp(-700.0), libm::exp(-700.0)) <= 1.0);
    }
}
