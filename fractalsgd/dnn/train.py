"""SGD training of the paper's networks with the trajectory recorder, resumable exactly.

:func:`train` runs plain SGD (the paper's: constant lr, momentum 0, weight decay 0,
cross entropy; optional momentum, weight decay and a cosine or step schedule) on one of
:data:`~fractalsgd.dnn.data.DATASETS`, records with :class:`~.recorder.TrajectoryRecorder`
and returns the trajectory Dataset (also written to ``out``).

Reproducibility: every random choice is a pure function of ``(seed, step)`` or
``(seed, epoch)`` - the model init (torch seeded with ``seed``), the epoch's sample order,
each step's augmentation, the recorder's sketch and sample indices - so a run resumed from
a checkpoint (model, optimiser, recorder state; saved every ``checkpoint_every`` steps)
continues bit-identically on the CPU; with a checkpoint path the final state is saved too
(for ``fractalsgd probe``). A checkpoint holds the filled rows of the recorder's
window buffer (up to W x P float32: 700 MB for ResNet-14 at W = 1000), so a
``checkpoint_every`` that is a multiple of the window keeps checkpoints small. Epochs
keep the last partial batch (49 steps per epoch for 50,000 images at batch 1024, as in
the paper).
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .checkpoint import load_checkpoint, save_checkpoint
from .data import get_dataset
from .models import build_model
from .recorder import TrajectoryRecorder, log_spaced_steps

__all__ = ["TrainConfig", "train", "Diverged", "resolve_device"]

# options that may differ between a run and its resumption
_RESUME_FREE = ("out", "checkpoint", "checkpoint_every", "resume", "quiet", "threads")


class Diverged(RuntimeError):
    """The loss became non-finite; the output holds status="diverged"."""

    def __init__(self, step: int, loss: float, out):
        self.step, self.loss, self.out = step, loss, out
        where = f"; partial output in {out}" if out else ""
        super().__init__(f"training diverged at step {step} (loss {loss}){where}")


@dataclass
class TrainConfig:
    """Everything that defines a training run (stored as the output's ``config``)."""

    model: str = "resnet14"
    dataset: str = "digits"
    steps: int | None = None
    epochs: int | None = None
    batch_size: int = 128
    lr: float = 0.1
    momentum: float = 0.0
    weight_decay: float = 0.0
    schedule: str = "constant"  # constant | cosine | step (x0.1 at 50% and 75%)
    window: int = 1000
    sketch_dim: int = 1024
    sketch_every: int = 1
    probe_size: int = 256
    probe_every: int = 100
    grad_samples: int = 5000
    increment_samples: int = 5000
    snapshots: int = 0  # number of log-spaced full snapshots (0: none)
    aging_lags: int | None = None
    params: str = "all"  # all | exclude_bn
    per_layer: bool = False
    augment: bool = True
    seed: int = 0
    device: str = "auto"
    data_dir: str | None = None
    download: bool = False
    image_size: int | None = None
    channels: int | None = None
    gauss_n: int | None = None
    model_kwargs: dict = field(default_factory=dict)
    out: str | None = None
    checkpoint: str | None = None
    checkpoint_every: int = 0
    resume: bool = False
    quiet: bool = False
    threads: int | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def resolve_device(name: str) -> torch.device:
    """``auto``: cuda, then mps, then cpu; otherwise the named device (checked)."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError:
        raise ValueError(f"unknown device {name!r}") from None
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} requested but CUDA is not available")
    return dev


def _seed_int(*keys) -> int:
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1, np.uint64)[0] >> 1)


def _lr_at(cfg: TrainConfig, t: int, total: int) -> float:
    if cfg.schedule == "constant":
        return cfg.lr
    if cfg.schedule == "cosine":
        return cfg.lr * 0.5 * (1.0 + math.cos(math.pi * (t - 1) / total))
    return cfg.lr * (0.1 ** ((t > 0.5 * total) + (t > 0.75 * total)))


def _check(cfg: TrainConfig, n_train: int, n_test: int) -> tuple[int, int]:
    """Validate the configuration; return (total steps, steps per epoch)."""
    if (cfg.steps is None) == (cfg.epochs is None):
        raise ValueError("give exactly one of steps and epochs")
    if cfg.batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {cfg.batch_size}")
    if cfg.batch_size > n_train:
        raise ValueError(
            f"batch_size {cfg.batch_size} is larger than the {n_train} training images"
        )
    per_epoch = math.ceil(n_train / cfg.batch_size)
    total = cfg.steps if cfg.steps is not None else cfg.epochs * per_epoch
    if total < 1:
        raise ValueError(f"the run must have at least 1 step, got {total}")
    if cfg.window > total:
        raise ValueError(f"window {cfg.window} is larger than the run ({total} steps)")
    if not (cfg.lr > 0 and math.isfinite(cfg.lr)):
        raise ValueError(f"lr must be a positive number, got {cfg.lr}")
    if cfg.momentum < 0 or cfg.weight_decay < 0:
        raise ValueError("momentum and weight_decay must be >= 0")
    if cfg.schedule not in ("constant", "cosine", "step"):
        raise ValueError(f"schedule must be constant, cosine or step, got {cfg.schedule!r}")
    if cfg.probe_size < 0 or cfg.probe_size > n_test:
        raise ValueError(f"probe_size must be in 0..{n_test} (test images), got {cfg.probe_size}")
    if cfg.snapshots < 0 or cfg.snapshots == 1:
        raise ValueError(f"snapshots must be 0 or >= 2, got {cfg.snapshots}")
    if cfg.checkpoint_every < 0:
        raise ValueError(f"checkpoint_every must be >= 0, got {cfg.checkpoint_every}")
    if (cfg.checkpoint_every or cfg.resume) and not cfg.checkpoint:
        raise ValueError("checkpoint_every / resume need a checkpoint path")
    return total, per_epoch


def _progress(cfg, total, start):
    if cfg.quiet:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=start, unit="step", dynamic_ncols=True, file=sys.stderr,
                desc=f"{cfg.model}/{cfg.dataset}")  # fmt: skip


def train(cfg: TrainConfig | None = None, **kwargs):
    """Train with SGD and record the trajectory; returns the Dataset (also at ``cfg.out``).

    Raises ``ValueError`` (one line) for a bad configuration before any training, and
    :class:`Diverged` after saving the partial output when the loss becomes non-finite.
    """
    if cfg is None:
        cfg = TrainConfig(**kwargs)
    elif kwargs:
        cfg = dataclasses.replace(cfg, **kwargs)
    if cfg.threads:
        torch.set_num_threads(int(cfg.threads))
    device = resolve_device(cfg.device)
    dkw = dict(root=cfg.data_dir, download=cfg.download, image_size=cfg.image_size,
               channels=cfg.channels, n=cfg.gauss_n, seed=cfg.seed)  # fmt: skip
    if cfg.dataset.lower() not in ("digits", "gauss"):
        dkw = dict(root=cfg.data_dir, download=cfg.download)
    data = get_dataset(cfg.dataset, train=True, **dkw)
    test = get_dataset(cfg.dataset, train=False, **dkw) if cfg.probe_size else None
    total, per_epoch = _check(cfg, len(data), len(test) if test is not None else 0)
    model_kwargs = dict(num_classes=data.num_classes, in_channels=data.channels,
                        image_size=data.image_size, **cfg.model_kwargs)  # fmt: skip
    torch.manual_seed(cfg.seed)
    model = build_model(cfg.model, **model_kwargs).to(device)
    opt = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum,
                          weight_decay=cfg.weight_decay)  # fmt: skip
    probe = None
    if test is not None:
        pidx = torch.randperm(len(test), generator=torch.Generator().manual_seed(
            _seed_int(cfg.seed, 3)))[: cfg.probe_size]  # fmt: skip
        px, py = test.batch(pidx, augment=False)
        probe = (px.to(device), py.to(device))
    config = cfg.to_dict()
    config.update(total_steps=total, steps_per_epoch=per_epoch, device_used=str(device),
                  n_train=len(data))  # fmt: skip
    snaps = log_spaced_steps(total, cfg.snapshots) if cfg.snapshots else None
    rec = TrajectoryRecorder(
        model,
        window=cfg.window,
        sketch_dim=cfg.sketch_dim,
        sketch_every=cfg.sketch_every,
        grad_samples=min(cfg.grad_samples, _n_params(model, cfg.params)),
        increment_samples=min(cfg.increment_samples, _n_params(model, cfg.params)),
        probe=probe,
        probe_every=cfg.probe_every,
        snapshot_steps=snaps,
        aging_lags=cfg.aging_lags,
        params=cfg.params,
        per_layer=cfg.per_layer,
        optimizer=opt,
        out=cfg.out,
        config=config,
        seed=cfg.seed,
    )
    start = 0
    if cfg.resume and cfg.checkpoint and Path(cfg.checkpoint).exists():
        start = _resume(cfg, model, opt, rec, device)
    bar = _progress(cfg, total, start)
    perm, perm_epoch = None, -1
    t0, loss_v = time.perf_counter(), math.nan
    try:
        for t in range(start + 1, total + 1):
            epoch, b = divmod(t - 1, per_epoch)
            if epoch != perm_epoch:
                g = torch.Generator().manual_seed(_seed_int(cfg.seed, 1, epoch))
                perm, perm_epoch = torch.randperm(len(data), generator=g), epoch
            idx = perm[b * cfg.batch_size : (b + 1) * cfg.batch_size]
            gen = torch.Generator().manual_seed(_seed_int(cfg.seed, 2, t))
            x, y = data.batch(idx, gen, augment=cfg.augment)
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            lr = _lr_at(cfg, t, total)
            for group in opt.param_groups:
                group["lr"] = lr
            model.train()
            opt.zero_grad(set_to_none=True)
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss_v = float(loss.detach())
            if not math.isfinite(loss_v):
                rec.diverge(t)
                raise Diverged(t, loss_v, cfg.out)
            loss.backward()
            opt.step()
            if not rec.on_step(loss.detach(), lr):
                raise Diverged(t, loss_v, cfg.out)
            if cfg.checkpoint_every and t % cfg.checkpoint_every == 0 and t < total:
                _save(cfg, model, model_kwargs, opt, rec, t)
            if bar is not None:
                bar.update(1)
                if t % 10 == 0 or t == total:
                    rate = (t - start) / max(time.perf_counter() - t0, 1e-9)
                    bar.set_postfix(epoch=epoch, loss=f"{loss_v:.4f}", sps=f"{rate:.2f}")
    finally:
        if bar is not None:
            bar.close()
    if cfg.checkpoint and start < total:  # the final weights, e.g. for fractalsgd probe
        _save(cfg, model, model_kwargs, opt, rec, total)
    return rec.finish("completed")


def _n_params(model, params):
    from .recorder import select_parameters

    return sum(p.numel() for p in select_parameters(model, params)[1])


def _save(cfg, model, model_kwargs, opt, rec, t):
    save_checkpoint(
        cfg.checkpoint,
        model,
        cfg.model,
        model_kwargs,
        step=t,
        config=_resume_key(cfg),
        optimizer=opt.state_dict(),
        recorder=rec.state_dict(),
    )


def _resume_key(cfg: TrainConfig) -> str:
    import json

    d = {k: v for k, v in cfg.to_dict().items() if k not in _RESUME_FREE}
    return json.dumps(d, sort_keys=True, default=str)


def _resume(cfg, model, opt, rec, device) -> int:
    loaded, meta = load_checkpoint(cfg.checkpoint, expect_model=cfg.model)
    st = meta["state"]
    if st.get("config") != _resume_key(cfg):
        raise ValueError(f"{cfg.checkpoint}: checkpoint was written with another configuration")
    model.load_state_dict(loaded.state_dict())
    opt.load_state_dict(st["optimizer"])
    rec.load_state_dict(st["recorder"])
    if rec.status != "running":
        raise ValueError(f"{cfg.checkpoint}: checkpoint of a run that is {rec.status}")
    return int(st["step"])
