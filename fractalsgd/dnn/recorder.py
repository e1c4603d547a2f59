"""A streaming, exact recorder of the weight-space trajectory of SGD (a training callback).

Use from any torch loop::

    rec = TrajectoryRecorder(model, window=1000, optimizer=opt, out="run.nc")
    for x, y in batches:
        opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
        rec.on_step(loss)          # after opt.step(), before the next zero_grad()
    ds = rec.finish()

Conventions: theta(t) is the vector of selected parameters after t optimiser steps
(theta(0) = the model when the recorder is built). Step t uses the minibatch loss and
gradient at theta(t-1). Windows hold the W steps t_w .. t_w + W - 1 with
t_w = 1, W + 1, 2W + 1, ... (the paper's convention).

Measured, each exact (float64 accumulation of the float32 parameters):

* per step, on dim ``iteration`` (= t): ``minibatch_loss`` (at theta(t-1); the schema
  reserves ``loss`` for ``loss(walker, time)``), ``step_length`` ||theta(t) - theta(t-1)||,
  ``grad_norm`` ||g(t)||, ``weight_norm`` ||theta(t)||, ``distance_from_init``
  ||theta(t) - theta(0)||, ``lr``; optionally per parameter tensor (``per_layer``):
  ``step_length_layer``, ``weight_norm_layer`` (iteration, layer);
* ``tamsd(t_w, lag)``: dr2(tau; t_w) = mean_{i} ||theta(i + tau) - theta(i)||^2 over all
  pairs inside the window, tau = 1..W-1 (Chen, Qu & Gong 2022, eq. 1), from a (W, P)
  buffer kept on the device. Evaluated exactly with the Wiener-Khinchin identity
  sum_i ||x_i - x_{i+tau}||^2 = sum_{i<W-tau} |x_i|^2 + sum_{i>=tau} |x_i|^2
  - 2 sum_i x_i . x_{i+tau}, the last term for all tau at once by zero-padded FFTs over
  time of each coordinate (float64, after centring on the window mean, which leaves
  differences unchanged and removes most of the cancellation);
* ``aging_msd(t_w, lag)``: Delta(t_w, t_w + tau) = ||theta(t_w + tau) - theta(t_w)||^2
  (single reference), for ``aging_tw`` (default: the window starts) and
  tau = 1..``aging_lags`` (default W-1);
* ``position(walker=1, time, coord=k)``: the SRHT sketch S(theta(t) - theta(0))
  (:mod:`.sketch`), every ``sketch_every`` steps (time coordinate ``step``), float32; with
  ``loss(walker, time)`` = the minibatch loss evaluated at theta(step) (NaN when none);
* ``grad_sample(t_w, sample)``, ``increment_sample(t_w, sample)``: random components
  (without replacement, fresh per window) of the minibatch gradient g(t_w) and of the
  increment theta(t_w) - theta(t_w - 1), at each window's first step;
* ``probe_loss(probe_step)``: the loss on one fixed held-out batch at theta(t) every
  ``probe_every`` steps (t = 0 included), in train mode with the BatchNorm running
  statistics restored afterwards (``probe_mode="train"``) or in eval mode;
* ``snapshot(snapshot_step, parameter)``: full float32 parameter vectors at chosen steps.

Only complete windows enter ``tamsd``; the data of an unfinished window are dropped by
:meth:`TrajectoryRecorder.finish` (the output file is rewritten atomically after every
window, so a killed run loses at most the current window).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch
import xarray as xr

from .. import schema
from ..store import save
from .sketch import SRHTSketch

__all__ = ["TrajectoryRecorder", "window_tamsd", "log_spaced_steps", "select_parameters"]

SERIES = ("minibatch_loss", "step_length", "grad_norm", "weight_norm", "distance_from_init", "lr")
_NORM_TYPES = (
    torch.nn.modules.batchnorm._NormBase,
    torch.nn.LayerNorm,
    torch.nn.GroupNorm,
)


def window_tamsd(x: torch.Tensor, chunk_elems: int = 1 << 22) -> np.ndarray:
    """Exact TAMSD of the rows of ``x`` (W, P) for lags 1..W-1, float64 (see module doc).

    dr2(tau) = (1 / (W - tau)) sum_{i=0}^{W-1-tau} ||x_{i+tau} - x_i||^2, computed in
    O(W log W P) by FFT, column chunks of about ``chunk_elems`` elements at a time.
    """
    w, p = x.shape
    if w < 2:
        raise ValueError(f"window_tamsd needs at least 2 rows, got {w}")
    nfft = 1 << math.ceil(math.log2(2 * w))
    dev = x.device
    power = torch.zeros(nfft // 2 + 1, dtype=torch.float64, device=dev)
    sq = torch.zeros(w, dtype=torch.float64, device=dev)
    step = max(1, chunk_elems // w)
    for a in range(0, p, step):
        y = x[:, a : a + step].to(torch.float64)
        y = y - y.mean(dim=0, keepdim=True)
        sq += (y * y).sum(dim=1)
        f = torch.fft.rfft(y, n=nfft, dim=0)
        power += (f.real.square() + f.imag.square()).sum(dim=1)
    ac = torch.fft.irfft(power, n=nfft)[:w]
    cs = torch.cat([torch.zeros(1, dtype=torch.float64, device=dev), torch.cumsum(sq, 0)])
    tau = torch.arange(1, w, device=dev)
    head = cs[w - tau]  # sum_{i < W - tau} |x_i|^2
    tail = cs[w] - cs[tau]  # sum_{i >= tau} |x_i|^2
    msd = (head + tail - 2.0 * ac[1:]) / (w - tau).to(torch.float64)
    return msd.clamp_min(0.0).cpu().numpy()


def log_spaced_steps(total: int, n: int) -> np.ndarray:
    """About ``n`` distinct integer steps from 0 to ``total``, log-spaced (0 and total in)."""
    if total < 1 or n < 2:
        raise ValueError(f"log_spaced_steps needs total >= 1 and n >= 2, got {total}, {n}")
    if n == 2:  # geomspace with one point would give its start, 1, not total
        return np.array([0, total], dtype=np.int64)
    s = np.unique(np.round(np.geomspace(1, total, n - 1)).astype(np.int64))
    return np.concatenate([[0], s])


def select_parameters(model: torch.nn.Module, params="all"):
    """(names, tensors) of the trainable parameters that count.

    ``params``: ``"all"`` (every trainable parameter), ``"exclude_bn"`` (without
    normalisation-layer affine parameters) or a callable ``(name, parameter) -> bool``.
    """
    norm_names = set()
    for mname, mod in model.named_modules():
        if isinstance(mod, _NORM_TYPES):
            for pname, _ in mod.named_parameters(recurse=False):
                norm_names.add(f"{mname}.{pname}" if mname else pname)
    if params == "all":
        keep = lambda n, p: True  # noqa: E731
    elif params == "exclude_bn":
        keep = lambda n, p: n not in norm_names  # noqa: E731
    elif callable(params):
        keep = params
    else:
        raise ValueError(f"params must be 'all', 'exclude_bn' or a callable, got {params!r}")
    sel = [(n, p) for n, p in model.named_parameters() if p.requires_grad and keep(n, p)]
    if not sel:
        raise ValueError("params: no trainable parameter selected")
    return [n for n, _ in sel], [p for _, p in sel]


def _seed_int(*keys) -> int:
    return int(np.random.SeedSequence([int(k) for k in keys]).generate_state(1, np.uint64)[0] >> 1)


class TrajectoryRecorder:
    """Streaming recorder of SGD's weight-space trajectory; see the module docstring.

    Parameters
    ----------
    model : the network; theta(0) is read at construction.
    window : W, steps per TAMSD window (>= 2).
    sketch_dim, sketch_every : SRHT sketch size k (>= 1) and its period in steps.
    grad_samples, increment_samples : components sampled per window (0 disables).
    probe : optional (inputs, targets) held-out batch; ``probe_every`` its period;
        ``loss_fn`` (default cross entropy); ``probe_mode`` "train" or "eval".
    snapshot_steps : steps at which the full parameter vector is stored (0 allowed).
    aging_tw, aging_lags : single-reference aging MSD waiting times and maximum lag.
    params : which parameters count (see :func:`select_parameters`).
    per_layer : also record per-parameter-tensor step length and weight norm.
    optimizer : read the learning rate of ``param_groups[0]`` when ``on_step`` gets none.
    out : NetCDF path rewritten atomically after every window and at ``finish``.
    config, seed : provenance stored in the output.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        window: int = 1000,
        sketch_dim: int = 1024,
        sketch_every: int = 1,
        grad_samples: int = 5000,
        increment_samples: int = 5000,
        probe: tuple[torch.Tensor, torch.Tensor] | None = None,
        probe_every: int = 100,
        loss_fn: Callable | None = None,
        probe_mode: str = "train",
        snapshot_steps: Sequence[int] | None = None,
        aging_tw: Sequence[int] | None = None,
        aging_lags: int | None = None,
        params: Any = "all",
        per_layer: bool = False,
        optimizer: torch.optim.Optimizer | None = None,
        out=None,
        config: dict | None = None,
        seed: int = 0,
    ):
        if int(window) < 2:
            raise ValueError(f"window must be >= 2, got {window}")
        if int(sketch_dim) < 1 or int(sketch_every) < 1:
            raise ValueError(
                f"sketch_dim and sketch_every must be >= 1, got {sketch_dim}, {sketch_every}"
            )
        if int(probe_every) < 1:
            raise ValueError(f"probe_every must be >= 1, got {probe_every}")
        if probe_mode not in ("train", "eval"):
            raise ValueError(f"probe_mode must be 'train' or 'eval', got {probe_mode!r}")
        self.model = model
        self.names, self.params = select_parameters(model, params)
        self.sizes = [p.numel() for p in self.params]
        self.P = int(sum(self.sizes))
        if int(grad_samples) < 0 or int(grad_samples) > self.P:
            raise ValueError(f"grad_samples must be in 0..{self.P}, got {grad_samples}")
        if int(increment_samples) < 0 or int(increment_samples) > self.P:
            raise ValueError(f"increment_samples must be in 0..{self.P}, got {increment_samples}")
        self.W = int(window)
        self.device = self.params[0].device
        self.sketch_every = int(sketch_every)
        self.n_grad = int(grad_samples)
        self.n_inc = int(increment_samples)
        self.probe = probe
        self.probe_every = int(probe_every)
        self.loss_fn = loss_fn or torch.nn.functional.cross_entropy
        self.probe_mode = probe_mode
        self.per_layer = bool(per_layer)
        self.optimizer = optimizer
        self.out = Path(out) if out is not None else None
        self.config = dict(config or {})
        self.seed = int(seed)
        self.snapshot_steps = np.unique(np.asarray(snapshot_steps if snapshot_steps is not None
                                                   else [], dtype=np.int64))  # fmt: skip
        if self.snapshot_steps.size and self.snapshot_steps[0] < 0:
            raise ValueError("snapshot_steps must be >= 0")
        tw = np.asarray(aging_tw if aging_tw is not None else [], dtype=np.int64)
        if tw.size and tw.min() < 1:
            raise ValueError(f"aging_tw must be >= 1, got {tw.min()}")
        self.aging_default = aging_tw is None
        self.aging_tw = np.unique(tw)
        self.aging_lags = self.W - 1 if aging_lags is None else int(aging_lags)
        if self.aging_lags < 1:
            raise ValueError(f"aging_lags must be >= 1, got {aging_lags}")
        self.sketcher = SRHTSketch(self.P, int(sketch_dim), seed=self.seed, device=self.device)
        dev = self.device
        # device state
        self.buffer = torch.empty((self.W, self.P), dtype=torch.float32, device=dev)
        self.init = self._flat_params()
        self.prev = self.init.clone()
        self.init64 = self.init.to(torch.float64)
        self.prev64 = self.init64.clone()
        self.cur = torch.empty_like(self.init)
        self.wseries = torch.full((self.W, len(SERIES)), math.nan, dtype=torch.float64,
                                  device=dev)  # fmt: skip
        nl = len(self.sizes) if self.per_layer else 0
        self.wlayer = torch.full((self.W, 2, nl), math.nan, dtype=torch.float64, device=dev)
        self.wsketch: list[tuple[int, torch.Tensor]] = []
        self.aging_refs: dict[int, torch.Tensor] = {}
        self.aging_rows: dict[int, torch.Tensor] = {}
        self._seg = torch.repeat_interleave(
            torch.arange(len(self.sizes), device=dev), torch.tensor(self.sizes, device=dev)
        )
        # host accumulators
        self.t = 0
        self.status = "running"
        self.series: list[np.ndarray] = []  # (W, 6) per complete window
        self.layer_series: list[np.ndarray] = []
        self.tamsd_rows: dict[int, np.ndarray] = {}
        self.aging_done: dict[int, np.ndarray] = {}
        self.grad_rows: dict[int, np.ndarray] = {}
        self.inc_rows: dict[int, np.ndarray] = {}
        self.sketch_steps: list[int] = [0]
        self.sketch_rows: list[np.ndarray] = [np.zeros(self.sketcher.k, dtype=np.float32)]
        self.probe_steps: list[int] = []
        self.probe_values: list[float] = []
        self.snapshots: dict[int, np.ndarray] = {}
        self.wprobe: list[tuple[int, torch.Tensor]] = []
        if 0 in self.snapshot_steps:
            self.snapshots[0] = self.init.cpu().numpy().copy()
        if self.probe is not None:
            self.probe_steps.append(0)
            self.probe_values.append(float(self._probe_loss()))

    # ------------------------------------------------------------------ helpers
    def _flat_params(self, out: torch.Tensor | None = None) -> torch.Tensor:
        flat = [p.detach().reshape(-1) for p in self.params]
        if out is None:
            return torch.cat(flat).to(torch.float32)
        return (
            torch.cat(flat, out=out) if flat[0].dtype == out.dtype else out.copy_(torch.cat(flat))
        )

    def _flat_grad(self) -> torch.Tensor:
        return torch.cat([
            (p.grad.detach().reshape(-1) if p.grad is not None
             else torch.zeros(p.numel(), device=p.device, dtype=p.dtype))
            for p in self.params
        ]).to(torch.float32)  # fmt: skip

    @torch.no_grad()
    def _probe_loss(self) -> torch.Tensor:
        x, y = self.probe
        was_training = self.model.training
        if self.probe_mode == "eval":
            self.model.eval()
            saved = None
        else:
            self.model.train()
            saved = [b.clone() for b in self.model.buffers()]
        try:
            val = self.loss_fn(self.model(x), y).detach().to(torch.float64)
        finally:
            if saved is not None:
                for b, s in zip(self.model.buffers(), saved):
                    b.copy_(s)
            self.model.train(was_training)
        return val

    def diverge(self, step: int | None = None) -> xr.Dataset:
        """Stop the run as diverged (e.g. non-finite loss before step ``step``); write out."""
        if self.status == "running":
            if self.t % self.W:
                self._flush_partial()
            self.status = "diverged"
            self.diverged_step = int(self.t + 1 if step is None else step)
            self._write()
        return self.to_dataset()

    def _aging_active(self, t_w: int) -> bool:
        if not hasattr(self, "_aging_set"):
            self._aging_set = set(self.aging_tw.tolist())
        return self.aging_default or t_w in self._aging_set

    # ------------------------------------------------------------------ callback
    @torch.no_grad()
    def on_step(self, loss, lr: float | None = None) -> bool:
        """Record step t = previous + 1 (call after ``optimizer.step()``).

        ``loss``: the minibatch loss at theta(t-1) (tensor or float). Returns ``False``
        (and sets ``status = "diverged"``) when the loss or the parameters are not finite.
        """
        if self.status != "running":
            raise RuntimeError(f"recorder is {self.status}; no more steps can be recorded")
        self.t += 1
        t = self.t
        row = (t - 1) % self.W
        t_w = t - row
        if lr is None:
            lr = self.optimizer.param_groups[0]["lr"] if self.optimizer is not None else math.nan
        cur = self.buffer[row]
        self._flat_params(out=cur)
        cur64 = cur.to(torch.float64)
        d = cur64 - self.prev64
        g = self._flat_grad()
        loss_t = torch.as_tensor(loss, dtype=torch.float64, device=self.device).detach()
        ws = self.wseries[row]
        ws[0] = loss_t.reshape(())
        ws[1] = torch.linalg.vector_norm(d)
        ws[2] = torch.linalg.vector_norm(g.to(torch.float64))
        ws[3] = torch.linalg.vector_norm(cur64)
        disp = cur64 - self.init64
        ws[4] = torch.linalg.vector_norm(disp)
        ws[5] = float(lr)
        if self.per_layer:
            nl = len(self.sizes)
            z = torch.zeros(nl, dtype=torch.float64, device=self.device)
            self.wlayer[row, 0] = z.index_add(0, self._seg, d * d).sqrt()
            self.wlayer[row, 1] = z.index_add(0, self._seg, cur64 * cur64).sqrt()
        # aging: references taken at t_w, values for lags 1..aging_lags
        if self._aging_active(t) and (not self.aging_default or row == 0):
            self.aging_refs[t] = cur64.clone()
            self.aging_rows[t] = torch.full((self.aging_lags,), math.nan, dtype=torch.float64,
                                            device=self.device)  # fmt: skip
        for tw in list(self.aging_refs):
            lag = t - tw
            if 1 <= lag <= self.aging_lags:
                self.aging_rows[tw][lag - 1] = (cur64 - self.aging_refs[tw]
                                                ).square().sum()  # fmt: skip
            if lag >= self.aging_lags:
                self.aging_done[tw] = self.aging_rows.pop(tw).cpu().numpy()
                del self.aging_refs[tw]
        # samples at the window's first step
        if row == 0 and (self.n_grad or self.n_inc):
            gen = torch.Generator().manual_seed(_seed_int(self.seed, 7, t_w))
            if self.n_grad:
                idx = torch.randperm(self.P, generator=gen)[: self.n_grad].to(self.device)
                self.grad_rows[t_w] = g[idx].cpu().numpy()
            if self.n_inc:
                idx = torch.randperm(self.P, generator=gen)[: self.n_inc].to(self.device)
                self.inc_rows[t_w] = d[idx].to(torch.float32).cpu().numpy()
        if t % self.sketch_every == 0:
            self.wsketch.append((t, self.sketcher(disp)))
        if self.probe is not None and t % self.probe_every == 0:
            self.wprobe.append((t, self._probe_loss()))
        if t in self._snapshot_set():
            self.snapshots[t] = cur.cpu().numpy().copy()
        self.prev.copy_(cur)
        self.prev64.copy_(cur64)
        # on the CPU every step is checked; on an accelerator the check (a host sync) runs
        # once per window, over the whole window (the first non-finite step is reported)
        bad = None
        if self.device.type == "cpu":
            bad, first = ~torch.isfinite(ws[:5]).all().reshape(1), t
        elif row == self.W - 1:
            bad, first = ~torch.isfinite(self.wseries[:, :5]).all(dim=1), t_w
        if bad is not None and bool(bad.any()):
            self.status = "diverged"
            self.diverged_step = first + int(torch.nonzero(bad)[0, 0])
            self._flush_partial()
            self._write()
            return False
        if row == self.W - 1:
            self._flush_window(t_w)
            self._write()
        return True

    def _snapshot_set(self):
        if not hasattr(self, "_snapset"):
            self._snapset = set(self.snapshot_steps.tolist())
        return self._snapset

    def _flush_small(self, n: int):
        """Move the first ``n`` rows of the window's small device data to the host."""
        self.series.append(self.wseries[:n].cpu().numpy().copy())
        if self.per_layer:
            self.layer_series.append(self.wlayer[:n].cpu().numpy().copy())
        if self.wsketch:
            rows = torch.stack([v for _, v in self.wsketch]).to(torch.float32).cpu().numpy()
            self.sketch_steps.extend(t for t, _ in self.wsketch)
            self.sketch_rows.extend(rows)
        self.wsketch = []
        for t, v in self.wprobe:
            self.probe_steps.append(t)
            self.probe_values.append(float(v))
        self.wprobe = []
        self.wseries.fill_(math.nan)
        self.wlayer.fill_(math.nan)

    def _flush_window(self, t_w: int):
        self.tamsd_rows[t_w] = window_tamsd(self.buffer)
        self._flush_small(self.W)

    def _flush_partial(self):
        n = (self.t - 1) % self.W + 1
        self._flush_small(n)

    # ------------------------------------------------------------------ output
    def finish(self, status: str = "completed", write: bool = True) -> xr.Dataset:
        """Close the run: drop the unfinished window from ``tamsd``, keep its per-step data,
        set ``status`` (unless diverged already), write ``out`` and return the Dataset."""
        if self.status == "running":
            if self.t % self.W:
                self._flush_partial()
            self.status = status
            if write:
                self._write()
        for tw in list(self.aging_rows):  # unfinished aging rows (NaN beyond the run)
            self.aging_done[tw] = self.aging_rows.pop(tw).cpu().numpy()
            del self.aging_refs[tw]
        return self.to_dataset()

    def _write(self):
        if self.out is not None:
            save(self.to_dataset(), self.out)

    def to_dataset(self) -> xr.Dataset:
        """Everything recorded so far (complete windows; see module doc) as one Dataset."""
        n = sum(len(s) for s in self.series)
        series = (np.concatenate(self.series) if self.series
                  else np.zeros((0, len(SERIES))))  # fmt: skip
        iters = np.arange(1, n + 1, dtype=np.int64)
        sk_steps = np.asarray(self.sketch_steps, dtype=np.int64)
        pos = np.stack(self.sketch_rows).astype(np.float32)[None]
        loss_at = np.full(sk_steps.size, np.nan)
        ok = sk_steps < n
        loss_at[ok] = series[sk_steps[ok], 0]  # minibatch loss of step s+1 is at theta(s)
        ds = schema.trajectory(
            pos, step=sk_steps, loss=loss_at, source="dnn", config=self.config, seed=self.seed
        )
        ds = ds.assign_coords({schema.STEP_DIM: iters})
        for j, name in enumerate(SERIES):
            ds[name] = ((schema.STEP_DIM,), series[:, j])
        if self.per_layer:
            ls = (np.concatenate(self.layer_series) if self.layer_series
                  else np.zeros((0, 2, len(self.sizes))))  # fmt: skip
            ds = ds.assign_coords(layer=np.asarray(self.names))
            ds["step_length_layer"] = ((schema.STEP_DIM, "layer"), ls[:, 0])
            ds["weight_norm_layer"] = ((schema.STEP_DIM, "layer"), ls[:, 1])
        done_aging = {k: v for k, v in self.aging_done.items()}
        tws = sorted(set(self.tamsd_rows) | set(done_aging) | set(self.grad_rows))
        tws = [t for t in tws if t <= max(n, 0)]
        nlag = max(self.W - 1, self.aging_lags)
        ds = ds.assign_coords(
            t_w=np.asarray(tws, dtype=np.int64), lag=np.arange(1, nlag + 1, dtype=np.int64)
        )

        def table(rows, width, fill=np.nan, dtype=np.float64):
            a = np.full((len(tws), width), fill, dtype=dtype)
            for i, tw in enumerate(tws):
                if tw in rows:
                    r = rows[tw]
                    a[i, : r.size] = r
            return a

        ds["tamsd"] = (("t_w", "lag"), table(self.tamsd_rows, nlag))
        ds["aging_msd"] = (("t_w", "lag"), table(done_aging, nlag))
        ns = max(self.n_grad, self.n_inc)  # one "sample" dim; the shorter is NaN-padded
        if self.n_grad:
            ds["grad_sample"] = (("t_w", "sample"), table(self.grad_rows, ns, dtype=np.float32))
        if self.n_inc:
            ds["increment_sample"] = (("t_w", "sample"),
                                      table(self.inc_rows, ns, dtype=np.float32))  # fmt: skip
        if self.probe is not None:
            ds = ds.assign_coords(probe_step=np.asarray(self.probe_steps, dtype=np.int64))
            ds["probe_loss"] = (("probe_step",), np.asarray(self.probe_values))
        if self.snapshots:
            ss = sorted(k for k in self.snapshots if k <= n)
            ds = ds.assign_coords(snapshot_step=np.asarray(ss, dtype=np.int64))
            ds["snapshot"] = (("snapshot_step", "parameter"),
                              np.stack([self.snapshots[k] for k in ss]))  # fmt: skip
        ds.attrs.update(
            status=self.status,
            last_step=int(n),
            window=self.W,
            n_parameters=self.P,
            sketch=self.sketcher.describe(),
            position_definition="S(theta(t) - theta(0)), S the SRHT sketch",
            samples_definition="random components at each window's first step t_w",
        )
        if self.status == "diverged":
            ds.attrs["diverged_step"] = int(self.diverged_step)
        return ds

    # ------------------------------------------------------------------ state
    def state_dict(self) -> dict:
        """Everything needed to continue exactly (tensors and plain containers only)."""
        fill = self.t % self.W
        return {
            "t": self.t,
            "status": self.status,
            "P": self.P,
            "W": self.W,
            "init": self.init.cpu(),
            "prev": self.prev.cpu(),
            "buffer": self.buffer[:fill].cpu().clone(),
            "wseries": self.wseries[:fill].cpu().clone(),
            "wlayer": self.wlayer[:fill].cpu().clone(),
            "wsketch": [(t, v.cpu()) for t, v in self.wsketch],
            "wprobe": [(t, v.cpu()) for t, v in self.wprobe],
            "aging_refs": {int(k): v.cpu() for k, v in self.aging_refs.items()},
            "aging_rows": {int(k): v.cpu() for k, v in self.aging_rows.items()},
            "series": [torch.from_numpy(s) for s in self.series],
            "layer_series": [torch.from_numpy(s) for s in self.layer_series],
            "tamsd_rows": {int(k): torch.from_numpy(v) for k, v in self.tamsd_rows.items()},
            "aging_done": {int(k): torch.from_numpy(v) for k, v in self.aging_done.items()},
            "grad_rows": {int(k): torch.from_numpy(v) for k, v in self.grad_rows.items()},
            "inc_rows": {int(k): torch.from_numpy(v) for k, v in self.inc_rows.items()},
            "sketch_steps": list(self.sketch_steps),
            "sketch_rows": torch.from_numpy(np.stack(self.sketch_rows)),
            "probe_steps": list(self.probe_steps),
            "probe_values": list(self.probe_values),
            "snapshots": {int(k): torch.from_numpy(v) for k, v in self.snapshots.items()},
        }

    def load_state_dict(self, st: dict) -> None:
        """Restore :meth:`state_dict` output into a recorder built with the same options."""
        if int(st["P"]) != self.P or int(st["W"]) != self.W:
            raise ValueError(
                f"recorder state is for P={st['P']}, W={st['W']}, not P={self.P}, W={self.W}"
            )
        dev = self.device
        self.t = int(st["t"])
        self.status = st["status"]
        self.init = st["init"].to(dev)
        self.prev = st["prev"].to(dev)
        self.init64 = self.init.to(torch.float64)
        self.prev64 = self.prev.to(torch.float64)
        fill = st["buffer"].shape[0]
        self.buffer[:fill] = st["buffer"].to(dev)
        self.wseries.fill_(math.nan)
        self.wseries[:fill] = st["wseries"].to(dev)
        self.wlayer.fill_(math.nan)
        self.wlayer[:fill] = st["wlayer"].to(dev)
        self.wsketch = [(int(t), v.to(dev)) for t, v in st["wsketch"]]
        self.wprobe = [(int(t), v.to(dev)) for t, v in st["wprobe"]]
        self.aging_refs = {int(k): v.to(dev) for k, v in st["aging_refs"].items()}
        self.aging_rows = {int(k): v.to(dev) for k, v in st["aging_rows"].items()}
        self.series = [s.numpy() for s in st["series"]]
        self.layer_series = [s.numpy() for s in st["layer_series"]]
        self.tamsd_rows = {int(k): v.numpy() for k, v in st["tamsd_rows"].items()}
        self.aging_done = {int(k): v.numpy() for k, v in st["aging_done"].items()}
        self.grad_rows = {int(k): v.numpy() for k, v in st["grad_rows"].items()}
        self.inc_rows = {int(k): v.numpy() for k, v in st["inc_rows"].items()}
        self.sketch_steps = [int(s) for s in st["sketch_steps"]]
        self.sketch_rows = list(st["sketch_rows"].numpy())
        self.probe_steps = [int(s) for s in st["probe_steps"]]
        self.probe_values = [float(v) for v in st["probe_values"]]
        self.snapshots = {int(k): v.numpy() for k, v in st["snapshots"].items()}
