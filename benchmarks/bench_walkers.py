"""Benchmark: the Numba walker engine vs a straightforward vectorised NumPy reference.

Weierstrass landscape, dim 100, 20 terms, 1000 walkers x 1000 steps (the engine), the
same update in NumPy (fewer steps by default: it is slow; the rate is per walker-step-dim).
Prints walker-steps-dims per second for both, their ratio, and the accuracy kept by the
engine's polynomial sin/cos (one noise-free step compared with the NumPy step).

    python benchmarks/bench_walkers.py [--walkers 1000] [--steps 1000] [--ref-steps 100]
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

import fractalsgd as fs
from fractalsgd.landscapes import Weierstrass


def numpy_reference(L, x, n_steps, lr, noise, rng):
    """x <- x - lr grad U(x) + noise xi, all walkers at once (arrays of shape (W, N, D))."""
    n = np.arange(L.n_terms)
    freq = L.gamma**n
    gw = L.amplitude * L.gamma ** (n * (1 - L.hurst))
    x = x.copy()
    for _ in range(n_steps):
        arg = freq[None, :, None] * x[:, None, :] + L.phases[None]
        grad = np.einsum("n,wnd->wd", gw, np.sin(arg))
        x = x - lr * grad + noise * rng.standard_normal(x.shape)
    return x


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--walkers", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--ref-steps", type=int, default=100)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--terms", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5, help="alternating blocks")
    a = ap.parse_args(argv)
    L = Weierstrass(a.dim, hurst=0.5, gamma=1.5, n_terms=a.terms, seed=0)
    lr, noise = 1e-3, 1e-2
    x0 = np.random.default_rng(0).uniform(-1, 1, (a.walkers, a.dim))

    # accuracy: one noise-free step, engine vs NumPy (np.sin)
    e1 = fs.simulate(L, a.walkers, 1, lr, 0.0, start=x0, progress=False)["position"].values[:, 1]
    r1 = numpy_reference(L, x0, 1, lr, 0.0, np.random.default_rng(0))
    g_err = np.max(np.abs(e1 - r1)) / lr
    g_scale = np.max(np.abs(L.gradient(x0)))

    # the machine may be shared: alternate engine and NumPy blocks so both see the same load
    fs.simulate(L, 2, 2, lr, noise, progress=False)  # compile / load the cache
    t_eng = t_np = 0.0
    for r in range(a.rounds):
        t = time.perf_counter()
        fs.simulate(
            L,
            a.walkers,
            a.steps // a.rounds,
            lr,
            noise,
            start=x0,
            record=a.steps,
            seed=r,
            progress=False,
        )
        t_eng += time.perf_counter() - t
        t = time.perf_counter()
        numpy_reference(L, x0, a.ref_steps // a.rounds, lr, noise, np.random.default_rng(r))
        t_np += time.perf_counter() - t
    a.steps = a.steps // a.rounds * a.rounds
    a.ref_steps = a.ref_steps // a.rounds * a.rounds
    r_eng = a.walkers * a.steps * a.dim / t_eng
    r_np = a.walkers * a.ref_steps * a.dim / t_np
    print(
        f"Weierstrass dim {a.dim}, {a.terms} terms, {a.walkers} walkers; "
        f"numba threads {numba.get_num_threads()}"
    )
    print(f"engine: {a.steps} steps in {t_eng:.2f} s = {r_eng:.3e} walker-steps-dims/s")
    print(f"numpy : {a.ref_steps} steps in {t_np:.2f} s = {r_np:.3e} walker-steps-dims/s")
    print(f"ratio engine/numpy: {r_eng / r_np:.1f}x")
    print(
        f"gradient max abs difference engine vs numpy: {g_err:.2e} (gradient scale {g_scale:.1f})"
    )


if __name__ == "__main__":
    main()
