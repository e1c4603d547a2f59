"""Benchmark: exact FFT TAMSD (fractalsgd.analysis.tamsd) against tidynamics.msd.

Part 1 (always): 200 walkers x 4096 steps x 3 coords, all lags; tidynamics.msd looped
over walkers in the same process (its FFT "fast correlation algorithm", the fastest
peer installed here). Checks agreement to 1e-10 relative and prints the speed ratio.

Part 2 (``--large``): one ResNet-14 run, (1, 24000, 175000) float32 (16.8 GB), cut into
windows of 1000 snapshots. The array is written chunk-wise to a memmap file (``--dir``)
and analysed straight from it, so it is never materialised in memory; prints the time
and the peak working memory (tracemalloc: numpy allocations) and the peak RSS.
``--coords`` / ``--steps`` scale the case down (the cost is linear in both).

    python benchmarks/bench_msd.py [--repeat 3] [--large [--coords 175000] [--dir /tmp]]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import tracemalloc

import numpy as np


def part1(repeat: int) -> None:
    import tidynamics

    from fractalsgd.analysis import tamsd

    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(200, 4096, 3)), axis=1)
    tamsd(x[:2])  # warm-up (imports, FFT plans)
    tidynamics.msd(x[0])

    def best(f):
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            out = f()
            ts.append(time.perf_counter() - t0)
        return min(ts), out

    t_ours, ours = best(lambda: tamsd(x).values)
    t_peer, peer = best(lambda: np.stack([tidynamics.msd(w)[1:] for w in x]))
    rel = np.max(np.abs(ours - peer) / np.abs(peer))
    print("part 1: 200 walkers x 4096 steps x 3 coords, all 4095 lags")
    print(f"  fractalsgd.tamsd          {t_ours * 1e3:8.1f} ms")
    print(f"  tidynamics.msd (looped)   {t_peer * 1e3:8.1f} ms")
    print(f"  max relative difference   {rel:.2e}  ({'OK' if rel < 1e-10 else 'FAIL'} < 1e-10)")
    print(f"  speed ratio (tidynamics / fractalsgd) = {t_peer / t_ours:.2f}x")


def part2(n_coord: int, directory: str, n_time: int = 24000, window: int = 1000) -> None:
    from fractalsgd.analysis import tamsd

    path = os.path.join(directory, f"bench_msd_{os.getpid()}.f32")
    try:
        mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32,
                                       shape=(1, n_time, n_coord))  # fmt: skip
        rng = np.random.default_rng(1)
        t0 = time.perf_counter()
        last = np.zeros(n_coord, dtype=np.float64)
        for a in range(0, n_time, 500):  # a random walk, written 500 steps at a time
            b = min(n_time, a + 500)
            block = last + np.cumsum(rng.normal(0, 1e-3, (b - a, n_coord)), axis=0)
            mm[0, a:b] = block
            last = block[-1]
        mm.flush()
        del mm
        t_gen = time.perf_counter() - t0
        x = np.load(path, mmap_mode="r")
        tracemalloc.start()
        t0 = time.perf_counter()
        r = tamsd(x, window=window)
        t_run = time.perf_counter() - t0
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
        # exactness spot check of the result itself: brute force over all coordinates
        j = min(5, n_time // window - 1)
        for lag in (1, 37, 999):
            acc = 0.0
            for c0 in range(0, n_coord, 10000):
                a = np.asarray(x[0, j * window : (j + 1) * window, c0 : c0 + 10000], np.float64)
                d = a[lag:] - a[:-lag]
                acc += (d * d).sum()
            ref = acc / (window - lag)
            got = r.values[0, j, lag - 1]
            assert abs(got - ref) <= 1e-10 * ref, (lag, got, ref)
        print(f"  brute-force check of window {j} at lags 1, 37, 999: OK (1e-10 relative)")
        gb = n_time * n_coord * 4 / 1e9
        print(f"part 2: (1, {n_time}, {n_coord}) float32 = {gb:.1f} GB on disk, "
              f"windows of {window}")  # fmt: skip
        print(
            f"  tamsd: {t_run:.1f} s for {r.sizes['t_w']} windows x {r.sizes['lag']} lags "
            f"({t_run / n_coord * 1e6:.1f} us per coordinate; generation {t_gen:.1f} s)"
        )
        print(
            f"  peak working memory (tracemalloc) {peak / 2**20:.0f} MiB; "
            f"peak RSS incl. memmap pages {rss:.1f} GiB"
        )
        scale = (175000 / n_coord) * (24000 // window) / (n_time // window)
        if scale != 1:
            print(f"  extrapolated to (1, 24000, 175000): {t_run * scale:.0f} s (linear)")
    finally:
        if os.path.exists(path):
            os.remove(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large", action="store_true", help="run part 2 (disk + minutes)")
    ap.add_argument("--coords", type=int, default=175000)
    ap.add_argument("--steps", type=int, default=24000, help="snapshots (multiple of 1000)")
    ap.add_argument("--dir", default=tempfile.gettempdir())
    args = ap.parse_args(argv)
    part1(args.repeat)
    if args.large:
        part2(args.coords, args.dir, n_time=args.steps)


if __name__ == "__main__":
    main()
