"""Benchmark: the Numba walker engine vs a straightforward vectorised NumPy reference.

Weierstrass landscape, dim 100, 20 terms, 1000 walkers x 1000 steps (the engine), the
same update in NumPy (fewer steps by default: it is slow; the rate is per walker-step-dim).
Prints walker-steps-dims per second for both, their ratio, and the accuracy kept by the
engine's polynomial sin/cos (one noise-free step compared with the NumPy step).

    python benchmarks/bench_walkers.py [--walkers 1000] [--steps 1000] [--ref-steps 100] [--toy]
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


def numpy_toy(surf, x, n_steps, lr, noise, rng):
    """The paper's toy model in NumPy: bilinear gradient on the grid, redraw rule on [-1, 1]^2."""
    g = surf.grid
    ny, nx = g.shape
    h = 2.0 / (nx - 1)
    x = x.copy()
    for _ in range(n_steps):
        u = np.clip((x + 1.0) / h, 0, nx - 1)
        i = np.minimum(u.astype(int), nx - 2)
        t = u - i
        ix, iy, tx, ty = i[:, 0], i[:, 1], t[:, 0], t[:, 1]
        z00, z01 = g[iy, ix], g[iy, ix + 1]
        z10, z11 = g[iy + 1, ix], g[iy + 1, ix + 1]
        gx = ((1 - ty) * (z01 - z00) + ty * (z11 - z10)) / h
        gy = ((1 - tx) * (z10 - z00) + tx * (z11 - z01)) / h
        drift = x - lr * np.column_stack([gx, gy])
        new = drift + noise * rng.standard_normal(x.shape)
        for _ in range(1000):
            out = np.any(np.abs(new) > 1, axis=1)
            if not out.any():
                break
            new[out] = drift[out] + noise * rng.standard_normal((out.sum(), 2))
        x = np.clip(new, -1, 1)
    return x


def bench_toy(rounds, walkers=2000, steps=1000, ref_steps=100):
    """walker-steps/s of the paper's toy model (diamond-square, lr 0.02, noise 0.01)."""
    from fractalsgd.landscapes import DiamondSquare

    surf = DiamondSquare(seed=3)
    x0 = np.random.default_rng(0).uniform(-1, 1, (walkers, 2))
    fs.simulate(surf, 2, 2, 0.02, 0.01, boundary="redraw", progress=False)
    t_eng = t_np = 0.0
    for r in range(rounds):
        t = time.perf_counter()
        fs.simulate(
            surf,
            walkers,
            steps // rounds,
            0.02,
            0.01,
            start=x0,
            boundary="redraw",
            record=steps,
            seed=r,
            progress=False,
        )
        t_eng += time.perf_counter() - t
        t = time.perf_counter()
        numpy_toy(surf, x0, ref_steps // rounds, 0.02, 0.01, np.random.default_rng(r))
        t_np += time.perf_counter() - t
    r_eng = walkers * (steps // rounds * rounds) / t_eng
    r_np = walkers * (ref_steps // rounds * rounds) / t_np
    print(f"toy model (diamond-square 1025^2, redraw), {walkers} walkers:")
    print(
        f"engine: {r_eng:.3e} walker-steps/s; numpy: {r_np:.3e} walker-steps/s; "
        f"ratio {r_eng / r_np:.1f}x"
    )


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--walkers", type=int, default=1000)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--ref-steps", type=int, default=100)
    ap.add_argument("--dim", type=int, default=100)
    ap.add_argument("--terms", type=int, default=20)
    ap.add_argument("--rounds", type=int, default=5, help="alternating blocks")
    ap.add_argument("--toy", action="store_true", help="also time the paper's 2-D toy model")
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
    if a.toy:
        bench_toy(a.rounds)


if __name__ == "__main__":
    main()
