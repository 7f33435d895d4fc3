//! Random numbers from one `u64` at a time: open uniforms, ziggurat standard normals and
//! unbiased indices. Built from IEEE arithmetic and libm only, so the same seed gives the same
//! bits on every target; every sampler of the distribution module draws through these.

use rand_xoshiro::rand_core::Rng;

#[cfg(test)]
mod tests;

/// 2^-52.
const TWO_POW_MINUS_52: f64 = 1.0 / 4_503_599_627_370_496.0;

/// Maps one `u64` from `rng` to a uniform number strictly inside `(0, 1)`:
/// `((x >> 12) as f64 + 0.5) * 2^-52`, the midpoints of the 2^52 equal cells of `[0, 1)`.
///
/// Every step is exact, so the result is the same on every target; the set of values is
/// symmetric (`1 - u` is also a possible value), so normals built by inversion are exactly
/// symmetric too. The smallest value is 2^-53 and the largest `1 - 2^-53`.
///
/// Why 52 bits and not 53: with the top 53 bits, `k + 0.5` needs 54 significant bits for
/// `k >= 2^52` and is rounded (ties to even), so `x = u64::MAX` would give exactly `1.0`.
pub fn uniform_open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ((rng.next_u64() >> 12) as f64 + 0.5) * TWO_POW_MINUS_52
}

/// Ziggurat tables for [`standard_normal`]: 128 layers of equal area under the normal
/// density (Marsaglia and Tsang 2000, in the form of Doornik 2005, "An improved ziggurat method
/// to generate normal random samples"). Computed once, with libm, so identical everywhere.
struct Ziggurat {
    /// Right edges of the layers; `x[0]` is the base layer's pseudo-width `V / f(R)`.
    x: [f64; ZIG_LAYERS + 1],
    /// `x[i + 1] / x[i]`: the share of layer `i` lying wholly under the density.
    ratio: [f64; ZIG_LAYERS],
}

const ZIG_LAYERS: usize = 128;
/// Where the tail begins.
const ZIG_R: f64 = 3.442_619_855_899;
/// The area of each layer.
const ZIG_V: f64 = 9.912_563_035_262_17e-3;

fn ziggurat() -> &'static Ziggurat {
    static TABLES: std::sync::OnceLock<Ziggurat> = std::sync::OnceLock::new();
    TABLES.get_or_init(|| {
        let mut x = [0.0; ZIG_LAYERS + 1];
        let mut f = libm::exp(-0.5 * ZIG_R * ZIG_R);
        x[0] = ZIG_V / f;
        x[1] = ZIG_R;
        for i in 2..ZIG_LAYERS {
            x[i] = libm::sqrt(-2.0 * libm::log(ZIG_V / x[i - 1] + f));
            f = libm::exp(-0.5 * x[i] * x[i]);
        }
        x[ZIG_LAYERS] = 0.0;
        let mut ratio = [0.0; ZIG_LAYERS];
        for i in 0..ZIG_LAYERS {
            ratio[i] = x[i + 1] / x[i];
        }
        Ziggurat { x, ratio }
    })
}

/// A standard normal draw by the ziggurat method: about 99% of draws cost one `u64`, a
/// multiplication and a comparison, several times faster than inversion. The layer index comes
/// from the low 7 bits and the uniform from the top 52 bits of the same `u64`, so they are
/// independent. Rarely (wedges and the tail beyond 3.44) it takes more `u64`s and uses libm's
/// `exp` and `log`.
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    let z = ziggurat();
    loop {
        let bits = rng.next_u64();
        let i = (bits & 0x7f) as usize;
        let u = 2.0 * (((bits >> 12) as f64 + 0.5) * TWO_POW_MINUS_52) - 1.0;
        if u.abs() < z.ratio[i] {
            return u * z.x[i];
        }
        if i == 0 {
            // The base layer overflows into the tail: Marsaglia's exact tail method.
            loop {
                let x = libm::log(uniform_open01(rng)) / ZIG_R;
                let y = libm::log(uniform_open01(rng));
                if -2.0 * y >= x * x {
                    return if u < 0.0 { x - ZIG_R } else { ZIG_R - x };
                }
            }
        }
        let x = u * z.x[i];
        let f0 = libm::exp(-0.5 * (z.x[i] * z.x[i] - x * x));
        let f1 = libm::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - x * x));
        if f1 + uniform_open01(rng) * (f0 - f1) < 1.0 {
            return x;
        }
    }
}

/// An index uniform on `0..n` (`n >= 1`) from Lemire's multiply-shift with rejection: no modulo
/// bias, deterministic, and usually a single `u64`.
pub(super) fn bounded_index<R: Rng + ?Sized>(rng: &mut R, n: usize) -> usize {
    let n = n as u64;
    let mut product = u128::from(rng.next_u64()) * u128::from(n);
    let mut low = product as u64;
    if low < n {
        // 2^64 mod n: the number of low halves that would over-represent some indices.
        let threshold = n.wrapping_neg() % n;
        while low < threshold {
            product = u128::from(rng.next_u64()) * u128::from(n);
            low = product as u64;
        }
    }
    (product >> 64) as usize
}
