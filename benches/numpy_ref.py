#!/usr/bin/env python3
"""numpy reference implementation of the reference model (docs/reference-model.md).

Two modes:
  python3 numpy_ref.py                      deterministic base case (JSON)
  python3 numpy_ref.py --draws N --seed S   PSA, vectorised across draws (JSON)

The same engine (`evaluate`) serves both: the base case is the PSA engine run on one
"draw" holding the base-case values, so a plain loop over the spec checks the PSA path too.

Engine layout (the "what an analyst would write instead" baseline, tuned):
  * arrays of length `chunk` (draws), one Python-level loop over the 840 cycles, all
    numpy ufuncs writing in place (`out=`) into a fixed set of preallocated buffers;
  * everything that does not depend on the draw is precomputed once: the integrated
    Gompertz hazard M_k, the E-state survival exp(-M_k), log t_k for the Weibull,
    the discount factors;
  * the trapezoid + mid-cycle discount is folded into the state recursion: with
    g = (1+r)^(-1/12) the trapezoid weight of trace point j (1 <= j <= K-1) is
    w_j = 0.5 (d_{j-1} + d_j) = c0 * g^j, so the engine propagates discounted occupancies
    X^_j = X_j g^j (g is folded into the per-cycle survival factors) and each state's
    discounted sum costs one in-place add per cycle. The two end points (w_0 = d_0 / 2,
    w_K = d_{K-1} / 2) and the LTFU window end point (j = 180) are added exactly;
  * draws are processed in chunks (default 32768) to bound memory: peak memory is
    O(N) for the draws and results plus O(chunk) for the buffers.
Per draw and cycle it does 3 exp and ~14 multiply/add passes; no (N x K) array exists.

Sampling uses numpy.random.default_rng(seed) (PCG64), parameters drawn in table order.
Quantiles are numpy's default (linear interpolation, R type 7).
"""
import argparse
import json
import sys
import time

import numpy as np

# ---- model constants (the spec's fixed structure) --------------------------------------
A, B = 2.0e-5, 0.095          # Gompertz background mortality, per year
AGE0 = 30.0
K = 840                       # monthly cycles, age 30 -> 100
R = 0.02                      # annual discount rate, costs and QALYs
N_LTFU = 180                  # GT-arm follow-up cost applies in cycles 0..179
WTP = 5_000_000.0

PARAMS = ("p_resp", "kappa", "lambda", "hr_p", "u_E", "u_P",
          "c_proph", "c_monitor", "c_admin", "c_ltfu")

BASE = {
    "p_resp": 0.9, "kappa": 1.2, "lambda": 25.0, "hr_p": 1.2,
    "u_E": 0.85, "u_P": 0.72,
    "c_proph": 2_000_000.0, "c_monitor": 30_000.0,
    "c_admin": 1_500_000.0, "c_ltfu": 20_000.0,
}


def sample(n, seed):
    """Independent PSA draws, in the spec's table order, from one PCG64 stream."""
    rng = np.random.default_rng(seed)
    return {
        "p_resp": rng.beta(45.0, 5.0, n),
        "kappa": rng.gamma(36.0, 1.0 / 30.0, n),
        "lambda": rng.lognormal(np.log(25.0), 0.4, n),
        "hr_p": rng.lognormal(np.log(1.2), 0.1, n),
        "u_E": rng.beta(42.5, 7.5, n),
        "u_P": rng.beta(39.6, 15.4, n),
        "c_proph": rng.gamma(25.0, 80_000.0, n),
        "c_monitor": rng.gamma(9.0, 10_000.0 / 3.0, n),
        "c_admin": rng.gamma(25.0, 60_000.0, n),
        "c_ltfu": rng.gamma(16.0, 1_250.0, n),
    }


# ---- draw-independent precomputation ---------------------------------------------------
_t = np.arange(K + 1) / 12.0                       # t_k, years since infusion
_eBa = np.exp(B * (AGE0 + _t))
NEG_M = -(A / B) * (_eBa[1:] - _eBa[:-1])          # -M_k, k = 0..K-1
G = (1.0 + R) ** (-1.0 / 12.0)                     # one-cycle discount ratio
LN_G = np.log(G)
S_E_G = np.exp(NEG_M) * G                          # E-state survival (HR_E = 1) x g
LOG_T = np.full(K + 1, -np.inf)
LOG_T[1:] = np.log(_t[1:])                         # H(t) = exp(kappa (log t - log lambda))
D = (1.0 + R) ** (-(np.arange(K) + 0.5) / 12.0)    # d_k, mid-cycle
W0 = 0.5 * D[0]                                    # trapezoid weight of point 0
WK = 0.5 * D[K - 1]                                # ... of point K
WL = 0.5 * D[N_LTFU - 1]                           # ... of point 180 in the LTFU window
C0 = 0.5 * (D[0] / G + D[0])                       # interior weight w_j = C0 * g^j
INV_G_K = G ** -K
INV_G_L = G ** -N_LTFU


def evaluate(p, chunk=32768, life_years=False):
    """Evaluate both arms for every draw in `p` (dict of equal-length 1-D arrays).

    Returns a dict of per-draw arrays: qaly/cost (excluding price) per arm, and
    life years per arm when `life_years` is set (deterministic mode)."""
    n = len(p["kappa"])
    W_E, W_P, W_S, W_L = (np.empty(n) for _ in range(4))   # discounted trapezoid sums
    if life_years:
        LY_GT, LY_SOC = np.empty(n), np.empty(n)
    chunk = max(1, min(chunk, n))
    # fixed working buffers, reused by every chunk
    bufs = np.empty((12, chunk))
    for s in range(0, n, chunk):
        m = min(chunk, n - s)
        sl = slice(s, s + m)
        E, P, S, H, Hn, tmp, sP, surv, aE, aP, aS, lnl = (b[:m] for b in bufs)
        kap = p["kappa"][sl]
        hr = p["hr_p"][sl]
        np.log(p["lambda"][sl], out=lnl)
        E0 = p["p_resp"][sl]
        E[:] = E0                                   # GT arm: E = p_resp, P = 1 - p_resp
        np.subtract(1.0, E0, out=P)
        S.fill(1.0)                                 # SoC arm: P = 1 (E stays 0)
        H.fill(0.0)                                 # H(t_0) = 0
        aE.fill(0.0); aP.fill(0.0); aS.fill(0.0)
        if life_years:
            ly_gt = np.zeros(m); ly_soc = np.zeros(m)
        for k in range(K):
            # Weibull loss of expression: stay = exp(-(H(t_{k+1}) - H(t_k)))
            np.subtract(LOG_T[k + 1], lnl, out=Hn)
            np.multiply(Hn, kap, out=Hn)
            np.exp(Hn, out=Hn)
            np.subtract(H, Hn, out=tmp)
            np.exp(tmp, out=tmp)
            H, Hn = Hn, H
            # E survivors (death first), then loss of expression among survivors
            np.multiply(E, S_E_G[k], out=surv)      # E_k (1 - q_E) g
            np.multiply(surv, tmp, out=E)           # E_{k+1} g^{k+1}
            np.subtract(surv, E, out=surv)          # E_k (1 - q_E) l_k g
            # P-state survival exp(-hr_p M_k), times g
            np.multiply(hr, NEG_M[k], out=sP)
            np.add(sP, LN_G, out=sP)
            np.exp(sP, out=sP)
            np.multiply(P, sP, out=P)
            np.add(P, surv, out=P)                  # P_{k+1} g^{k+1}
            np.multiply(S, sP, out=S)               # SoC P_{k+1} g^{k+1}
            if k == N_LTFU - 1:                     # close the LTFU window at point 180
                np.add(aE, aP, out=W_L[sl])
                W_L[sl] *= C0
                W_L[sl] += W0                       # alive_0 = 1
                W_L[sl] += (E + P) * (WL * INV_G_L)
            if k < K - 1:                           # interior points 1..K-1
                aE += E; aP += P; aS += S
            if life_years:                          # undiscounted: divide g^{k+1} back out
                f = 1.0 if k == K - 1 else 2.0
                ly_gt += (E + P) * (f * G ** -(k + 1))
                ly_soc += S * (f * G ** -(k + 1))
        np.multiply(aE, C0, out=W_E[sl]); W_E[sl] += W0 * E0 + (WK * INV_G_K) * E
        np.multiply(aP, C0, out=W_P[sl]); W_P[sl] += W0 * (1.0 - E0) + (WK * INV_G_K) * P
        np.multiply(aS, C0, out=W_S[sl]); W_S[sl] += W0 + (WK * INV_G_K) * S
        if life_years:
            LY_GT[sl] = (1.0 + ly_gt) / 24.0        # 0.5 * (alive_0 + ... ) / 12
            LY_SOC[sl] = (1.0 + ly_soc) / 24.0
    out = {
        "qaly_gt": (p["u_E"] * W_E + p["u_P"] * W_P) / 12.0,
        "qaly_soc": p["u_P"] * W_S / 12.0,
        "cost_gt": p["c_monitor"] * W_E + p["c_proph"] * W_P + p["c_ltfu"] * W_L + p["c_admin"],
        "cost_soc": p["c_proph"] * W_S,
    }
    if life_years:
        out["ly_gt"], out["ly_soc"] = LY_GT, LY_SOC
    return out


def base_case():
    p = {k: np.array([v], dtype=np.float64) for k, v in BASE.items()}
    o = evaluate(p, life_years=True)
    gt = {"qaly": float(o["qaly_gt"][0]), "ly": float(o["ly_gt"][0]),
          "cost_excl_price": float(o["cost_gt"][0])}
    soc = {"qaly": float(o["qaly_soc"][0]), "ly": float(o["ly_soc"][0]),
           "cost_excl_price": float(o["cost_soc"][0])}
    dQ = gt["qaly"] - soc["qaly"]
    dC = gt["cost_excl_price"] - soc["cost_excl_price"]
    return {"gene_therapy": gt, "prophylaxis": soc, "dQ": dQ, "dC": dC,
            "wtp": WTP, "threshold_price": WTP * dQ - dC}


def psa(n, seed, chunk):
    t0 = time.perf_counter()
    p = sample(n, seed)
    t1 = time.perf_counter()
    o = evaluate(p, chunk=chunk)
    dQ = o["qaly_gt"] - o["qaly_soc"]
    dC = o["cost_gt"] - o["cost_soc"]
    pstar = WTP * dQ - dC
    q = np.quantile(pstar, [0.025, 0.5, 0.975])
    t2 = time.perf_counter()
    return {
        "draws": n, "seed": seed, "chunk": chunk, "wtp": WTP,
        "threshold_price": {"mean": float(pstar.mean()), "median": float(q[1]),
                            "q025": float(q[0]), "q975": float(q[2]),
                            "mc_se_of_mean": float(pstar.std(ddof=1) / np.sqrt(n)) if n > 1 else None},
        "mean_dQ": float(dQ.mean()), "mean_dC": float(dC.mean()),
        "wall_s": t2 - t0, "sample_s": t1 - t0, "model_s": t2 - t1,
        "draws_per_s": n / (t2 - t0),
    }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--draws", type=int, default=0, help="PSA draws (0 = base case only)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--chunk", type=int, default=32768, help="draws per vectorised block")
    a = ap.parse_args(argv)
    res = psa(a.draws, a.seed, a.chunk) if a.draws > 0 else base_case()
    json.dump(res, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
