"""Overhead of the trajectory recorder on a ResNet-14 training loop (issue 7).

Same process, same model, same data: a plain SGD loop (forward, backward, step) against
the same loop plus ``TrajectoryRecorder.on_step`` (window W, SRHT sketch k every step,
probe loss every 100 steps on a 256-image batch, 5000 gradient / increment samples per
window). Phases alternate plain, recorded, plain, ... (``--repeats`` recorded ones); the
overhead is the mean recorded phase time over the mean plain phase time, minus 1. On a
shared machine the load drifts between phases, so the time spent inside ``on_step``
relative to the training steps of the same phase is printed as well. Prints steps/s, the
overhead and peak memory (host RSS, and CUDA's peak allocation on a GPU). Target
(issue 7): <= 10 % on CPU, <= 5 % on a GPU.

The paper's setting is W = 1000 and batch 128 on 32x32 inputs; on a small CPU use e.g.
``--steps 100 --window 100`` (every recorded phase must hold whole windows so the
TAMSD evaluation is charged in proportion).

    python benchmarks/bench_recorder.py --steps 1000 --window 1000     # the full target
    python benchmarks/bench_recorder.py --steps 200 --window 100 --threads 2
"""

from __future__ import annotations

import argparse
import resource
import time

import torch

from fractalsgd.dnn import build_model
from fractalsgd.dnn.recorder import TrajectoryRecorder
from fractalsgd.dnn.train import resolve_device


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="resnet14")
    ap.add_argument("--steps", type=int, default=1000, help="steps per phase")
    ap.add_argument("--window", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--image-size", type=int, default=32)
    ap.add_argument("--sketch-dim", type=int, default=1024)
    ap.add_argument("--probe-every", type=int, default=100)
    ap.add_argument("--device", default="auto")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=1, help="recorded phases, each between "
                    "two plain ones")  # fmt: skip
    a = ap.parse_args(argv)
    if a.steps % a.window:
        ap.error("--steps must be a multiple of --window (whole windows per phase)")
    if a.threads:
        torch.set_num_threads(a.threads)
    dev = resolve_device(a.device)
    torch.manual_seed(0)
    model = build_model(a.model).to(dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    g = torch.Generator().manual_seed(0)
    n_data = 8 * a.batch_size
    xs = torch.randn(n_data, 3, a.image_size, a.image_size, generator=g).to(dev)
    ys = torch.randint(0, 10, (n_data,), generator=g).to(dev)
    probe = (xs[:256], ys[:256])

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    def step(i):
        j = (i % 8) * a.batch_size
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(xs[j : j + a.batch_size]),
                                                 ys[j : j + a.batch_size])  # fmt: skip
        loss.backward()
        opt.step()
        return loss

    in_loop = [0.0, 0.0]  # (training, recorder) seconds inside the recorded phase

    def phase(rec=None):
        sync()
        t0 = time.perf_counter()
        for i in range(a.steps):
            ta = time.perf_counter()
            loss = step(i)
            if rec is not None:
                sync()
                tb = time.perf_counter()
                rec.on_step(loss.detach(), 0.1)
                sync()
                in_loop[0] += tb - ta
                in_loop[1] += time.perf_counter() - tb
        sync()
        return time.perf_counter() - t0

    for i in range(3):  # warm-up
        step(i)
    rec = TrajectoryRecorder(model, window=a.window, sketch_dim=a.sketch_dim, probe=probe,
                             probe_every=a.probe_every, grad_samples=5000,
                             increment_samples=5000, optimizer=opt)  # fmt: skip
    plains, recs = [phase()], []
    for _ in range(a.repeats):  # plain, recorded, plain, recorded, ..., plain
        recs.append(phase(rec))
        plains.append(phase())
    t_plain1, t_plain2 = min(plains), max(plains)
    plain = sum(plains) / len(plains)
    t_rec = sum(recs) / len(recs)
    print(f"{a.model}, batch {a.batch_size}, {a.image_size}x{a.image_size}, device {dev}, "
          f"threads {torch.get_num_threads()}, P = {rec.P}, W = {a.window}, "
          f"k = {a.sketch_dim}, {a.steps} steps per phase")  # fmt: skip
    print(f"plain loop:    {a.steps / plain:8.3f} steps/s "
          f"(phases {', '.join(f'{p:.1f}' for p in plains)} s)")  # fmt: skip
    rec_phases = ", ".join(f"{r:.1f}" for r in recs)
    print(f"with recorder: {a.steps / t_rec:8.3f} steps/s (phases {rec_phases} s)")
    print(f"recorder overhead: {100 * (t_rec / plain - 1):+.1f} % "
          f"(plain phases spread {100 * (t_plain2 - t_plain1) / plain:.1f} %)")  # fmt: skip
    print(f"recorder overhead measured inside the loop (on_step time / training time, robust "
          f"to load drift): {100 * in_loop[1] / in_loop[0]:+.1f} %")  # fmt: skip
    print(
        f"recorder window buffer: {a.window * rec.P * 4 / 2**20:.0f} MiB; "
        f"peak host RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:.0f} MiB"
    )
    if dev.type == "cuda":
        print(f"peak CUDA memory: {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
