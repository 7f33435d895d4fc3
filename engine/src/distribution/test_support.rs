//! Helpers shared by the distribution tests: a replaying random source that counts what it
//! hands out, a relative-tolerance assertion and a check that a quantile solves its equation.

/// Replays the given `u64`s (cycling) and counts how many were taken.
pub(super) struct SequenceRng {
    values: Vec<u64>,
    pub(super) position: usize,
}

impl SequenceRng {
    pub(super) fn new(values: &[u64]) -> Self {
        Self {
            values: values.to_vec(),
            position: 0,
        }
    }
}

impl rand_xoshiro::rand_core::TryRng for SequenceRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let value = self.values[self.position % self.values.len()];
        self.position += 1;
        Ok(value)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let bytes = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        Ok(())
    }
}

pub(super) fn assert_close(name: &str, got: f64, expected: f64, tolerance: f64) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (got - expected).abs() <= tolerance * scale,
        "{name}: got {got}, expected {expected}"
    );
}

/// The doubles `ulps` steps below and above a finite `x` (never below zero for a
/// non-negative `x`: a quantile that underflows is bracketed by 0 and the subnormals).
fn neighbours(x: f64, ulps: u64) -> (f64, f64) {
    if x < 0.0 {
        let (below, above) = neighbours(-x, ulps);
        return (-above, -below);
    }
    let bits = x.to_bits();
    (
        f64::from_bits(bits.saturating_sub(ulps)),
        f64::from_bits(bits + ulps),
    )
}

/// Whether `x` solves `tail(x) = target`: to 1e-9 relative, or as well as a double can,
/// i.e. the target lies between the tail probabilities 4 ulps either side of `x`. Near 1,
/// or for an interval starting at 5 sd, a one-ulp step in `x` moves the probability by more
/// than 1e-9 of a small target, and the normal quantile itself is good to about 1e-16
/// relative, not better.
pub(super) fn solves(x: f64, target: f64, tail: &dyn Fn(f64) -> f64) -> bool {
    let achieved = tail(x);
    if (achieved - target).abs() <= 1e-9 * target {
        return true;
    }
    let (below, above) = neighbours(x, 4);
    let (a, b) = (tail(below), tail(above));
    a.min(b) <= target && target <= a.max(b)
}
