"""Hessian spectra of the training loss by Hessian-vector products.

``H v`` is computed by double back-propagation (Pearlmutter 1994): per batch
``grad(grad(L_b) . v)``, weighted by the batch's share of the samples and accumulated in
float64, so the operator is the Hessian of the sample-mean loss over the fixed set.
Top eigenvalues come from implicitly restarted Lanczos (ARPACK via
``scipy.sparse.linalg.eigsh`` on a ``LinearOperator``; Lehoucq, Sorensen & Yang 1998) or
power iteration with deflation; the trace from Hutchinson's estimator (Hutchinson 1990)
with Rademacher probes, whose variance is ``2 sum_{i != j} H_ij^2``.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import torch

from ...schema import result
from ._common import (
    Batches,
    _batch_len,
    as_flat,
    default_loss,
    flat,
    load_state,
    model_device,
    n_params,
    probe_mode,
    set_flat,
    split,
    to_model,
    trainable,
)

METHODS = ("lanczos", "power")


class TraceEstimate(NamedTuple):
    """Hutchinson trace estimate, its standard error and the number of probes."""

    value: float
    stderr: float
    n_samples: int


class _HVP:
    """``v -> H v`` (float64 numpy in and out) on the fixed batches."""

    def __init__(self, model, batches: Batches, loss_fn=None, double: bool = False):
        if double:
            model = copy.deepcopy(model).double()
        self.model, self.double = model, double
        self.params = trainable(model)
        self.P = sum(p.numel() for p in self.params)
        self.loss_fn = loss_fn or default_loss
        self.device = model_device(model)
        self.batches = batches
        self.N = batches.n_samples()
        if self.N == 0:
            raise ValueError("data subset is empty: no (inputs, targets) sample to evaluate")
        self._graphs = None
        if batches.cached is not None and len(batches.cached) == 1:
            self._graphs = [self._grads(*next(iter(batches)))]
        self.n_calls = 0

    def _grads(self, x, y):
        dtype = self.params[0].dtype
        x, y = to_model(x, self.device, dtype), to_model(y, self.device, dtype)
        b = _batch_len(x, y)
        loss = self.loss_fn(self.model(x), y) * (b / self.N)
        g = torch.autograd.grad(loss, self.params, create_graph=True, allow_unused=True)
        return [torch.zeros_like(p) if gi is None else gi for gi, p in zip(g, self.params)]

    def __call__(self, v: np.ndarray) -> np.ndarray:
        self.n_calls += 1
        dtype = self.params[0].dtype
        vt = torch.as_tensor(np.asarray(v, dtype=np.float64).reshape(-1)).to(self.device, dtype)
        vs = split(vt, self.params)
        out = np.zeros(self.P)
        graphs = (
            self._graphs
            if self._graphs is not None
            else (self._grads(x, y) for x, y in self.batches)
        )
        for g in graphs:
            if not any(gi.requires_grad for gi in g):
                continue
            hv = torch.autograd.grad(
                g,
                self.params,
                grad_outputs=vs,
                retain_graph=self._graphs is not None,
                allow_unused=True,
            )
            hv = [torch.zeros_like(p) if h is None else h for h, p in zip(hv, self.params)]
            out += flat(hv).cpu().double().numpy()
        return out


def _check_k(k, P, method):
    if int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    limit = P - 1 if method == "lanczos" else P
    if k > limit:
        raise ValueError(
            f"k={k} is too large: the model has {P} parameters "
            f"(k must be <= {limit} for method={method!r})"
        )


def _lanczos(op, k, which, tol, maxiter, rng):
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    P = op.P
    lin = LinearOperator((P, P), matvec=op, dtype=np.float64)
    try:
        vals, vecs = eigsh(
            lin, k=k, which=which, tol=tol, maxiter=maxiter, v0=rng.standard_normal(P)
        )
    except ArpackNoConvergence as exc:
        raise ValueError(
            f"Lanczos found {len(exc.eigenvalues)} of {k} eigenvalues within maxiter="
            f"{maxiter}; raise maxiter or tol"
        ) from None
    order = np.argsort(vals)[::-1] if which != "SA" else np.argsort(vals)
    return vals[order], vecs[:, order]


def _power(op, k, tol, maxiter, rng):
    """Power iteration with Hotelling deflation: eigenvalues by decreasing magnitude."""
    vals, vecs = [], []
    for _ in range(k):
        v = rng.standard_normal(op.P)
        v /= np.linalg.norm(v)
        lam = 0.0
        for _ in range(maxiter):
            w = op(v)
            for lj, uj in zip(vals, vecs):
                w -= lj * uj * (uj @ v)
            new = float(v @ w)
            nw = np.linalg.norm(w)
            if nw == 0:
                lam = 0.0
                break
            v = w / nw
            done = abs(new - lam) <= tol * max(abs(new), 1e-30)
            lam = new
            if done:
                break
        else:
            warnings.warn(
                f"power iteration: eigenvalue {len(vals) + 1} not converged to tol={tol} in "
                f"{maxiter} iterations",
                RuntimeWarning,
                stacklevel=4,
            )
        vals.append(lam)
        vecs.append(v)
    return np.array(vals), np.stack(vecs, axis=1)


def _eigs(model, batches, k, method, which, tol, maxiter, seed, loss_fn, bn, double):
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if which not in ("LA", "SA", "LM"):
        raise ValueError(f"which must be 'LA', 'SA' or 'LM', got {which!r}")
    P = n_params(model)
    _check_k(k, P, method)
    rng = np.random.default_rng(seed)
    with probe_mode(model, bn):
        op = _HVP(model, batches, loss_fn, double)
        if tol is None:
            tol = 1e-10 if (double or op.params[0].dtype == torch.float64) else 1e-6
        if method == "lanczos":
            vals, vecs = _lanczos(op, int(k), which, tol, maxiter, rng)
        else:
            vals, vecs = _power(op, int(k), tol, maxiter or 1000, rng)
    return vals, vecs, op.n_calls, tol


def hessian_eigs(
    model,
    data,
    k: int = 20,
    method: str = "lanczos",
    *,
    which: str = "LA",
    tol: float | None = None,
    maxiter: int | None = None,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    double: bool = False,
    return_vectors: bool = False,
    seed=0,
):
    """Top-``k`` Hessian eigenvalues of the mean loss over ``data``.

    ``method="lanczos"``: ARPACK ``eigsh`` with ``which`` = ``"LA"`` (largest, default),
    ``"SA"`` (most negative) or ``"LM"`` (largest magnitude); ``tol`` is ARPACK's relative
    Ritz tolerance (default 1e-6 in float32, 1e-10 in float64). ``method="power"``: power
    iteration with deflation, eigenvalues by decreasing magnitude, stopped when the
    Rayleigh quotient changes by less than ``tol`` relative. ``double=True`` evaluates a
    float64 copy of the model. ``bn`` as in the surfaces (eval mode by default: the
    Hessian of the deterministic deployed loss; ``"train"`` uses batch statistics).

    Returns a result Dataset (``result_type="hessian"``) with ``eigenvalues(rank)``
    (descending), and ``eigenvectors(rank, parameter)`` when ``return_vectors``.
    """
    batches = Batches(data, max_batches)
    vals, vecs, calls, tol = _eigs(
        model, batches, k, method, which, tol, maxiter, seed, loss_fn, bn, double
    )
    dv = {"eigenvalues": (("rank",), vals)}
    if return_vectors:
        dv["eigenvectors"] = (("rank", "parameter"), vecs.T)
    cfg = {
        "k": int(k),
        "method": method,
        "which": which,
        "tol": tol,
        "bn": bn,
        "max_batches": max_batches,
        "double": double,
        "n_params": n_params(model),
        "n_samples": batches.n_samples(),
    }
    return result(
        dv,
        coords={"rank": np.arange(1, len(vals) + 1)},
        config=cfg,
        seed=seed,
        result_type="hessian",
        n_hvp=int(calls),
    )


def hessian_trace(
    model,
    data,
    n_samples: int = 100,
    *,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    double: bool = False,
    seed=0,
) -> TraceEstimate:
    """Hutchinson estimate of ``tr H``: mean of ``v' H v`` over Rademacher ``v``.

    Unbiased; the standard error is the sample standard deviation over sqrt(n_samples).
    """
    if int(n_samples) != n_samples or n_samples < 2:
        raise ValueError(f"n_samples must be an integer >= 2, got {n_samples!r}")
    batches = Batches(data, max_batches)
    rng = np.random.default_rng(seed)
    with probe_mode(model, bn):
        op = _HVP(model, batches, loss_fn, double)
        q = np.empty(int(n_samples))
        for i in range(int(n_samples)):
            v = rng.choice([-1.0, 1.0], size=op.P)
            q[i] = v @ op(v)
    return TraceEstimate(float(q.mean()), float(q.std(ddof=1) / np.sqrt(q.size)), int(q.size))


def _checkpoint_items(checkpoints):
    import xarray as xr

    if isinstance(checkpoints, xr.Dataset):
        from .directions import _dataset_snapshots

        m = _dataset_snapshots(checkpoints)
        steps = (
            checkpoints["snapshot_step"].values
            if "snapshot" in checkpoints
            else checkpoints["step"].values
        )
        return [(int(s), row) for s, row in zip(steps, m)] or _empty()
    items = checkpoints.items() if isinstance(checkpoints, Mapping) else checkpoints
    out = []
    for i, it in enumerate(items):
        if isinstance(it, tuple) and len(it) == 2 and not isinstance(it[0], torch.Tensor):
            label, state = it
        else:
            label, state = i, it
        out.append((label, state))
    if not out:
        raise ValueError("checkpoints is empty")
    return out


def _empty():
    raise ValueError("checkpoints is empty")


def _load(model, state, name):
    if isinstance(state, np.ndarray) or torch.is_tensor(state):
        set_flat(trainable(model), as_flat(state, model, name))
    else:
        load_state(model, _state_of(state, model), name)


def _state_of(state, model):
    if isinstance(state, torch.nn.Module):
        return state.state_dict()
    if isinstance(state, Mapping):
        return state
    from pathlib import Path

    if isinstance(state, (str, Path)):
        from ._checkpoints import read_state

        return read_state(state, model)
    raise ValueError(f"checkpoint must be a state dict, a model or a path, got {type(state)}")


def hessian_over_training(
    checkpoints,
    model,
    data,
    k: int = 20,
    method: str = "lanczos",
    *,
    trace_samples: int = 0,
    label: str = "epoch",
    which: str = "LA",
    tol: float | None = None,
    maxiter: int | None = None,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    double: bool = False,
    seed=0,
):
    """Top-``k`` eigenvalues (and optionally the Hutchinson trace) at each checkpoint.

    ``checkpoints``: a mapping ``{epoch: state}``, a sequence of ``(epoch, state)`` pairs
    or of states, where a state is a state dict, a model, a checkpoint path or a flat
    parameter vector; or a recorder Dataset with ``snapshot(snapshot_step, parameter)``
    (labels = steps; pass ``label="step"``). Each is
    loaded into ``model`` (which is restored afterwards); the same fixed data set is used
    for all (the paper's supplementary figure 2: top eigenvalues against epoch).
    Returns a result Dataset (``result_type="hessian"``) with
    ``eigenvalues(checkpoint, rank)`` and coordinate ``label(checkpoint)``, plus
    ``trace`` and ``trace_stderr`` when ``trace_samples > 0``.
    """
    items = _checkpoint_items(checkpoints)
    batches = Batches(data, max_batches)
    P = n_params(model)
    _check_k(k, P, method)
    vals = np.full((len(items), int(k)), np.nan)
    trace = np.full(len(items), np.nan)
    stderr = np.full(len(items), np.nan)
    with probe_mode(model, bn):
        for i, (lab, state) in enumerate(items):
            _load(model, state, f"checkpoint {lab}")
            vals[i], _, _, tol_used = _eigs(
                model, batches, k, method, which, tol, maxiter, seed, loss_fn, bn, double
            )
            if trace_samples:
                est = hessian_trace(
                    model, batches, trace_samples, loss_fn=loss_fn, bn=bn, double=double, seed=seed
                )
                trace[i], stderr[i] = est.value, est.stderr
    labels = np.array([lab for lab, _ in items])
    dv = {"eigenvalues": (("checkpoint", "rank"), vals)}
    if trace_samples:
        dv["trace"] = (("checkpoint",), trace)
        dv["trace_stderr"] = (("checkpoint",), stderr)
    cfg = {
        "k": int(k),
        "method": method,
        "which": which,
        "tol": tol_used,
        "bn": bn,
        "max_batches": max_batches,
        "double": double,
        "n_params": P,
        "trace_samples": int(trace_samples),
        "n_samples": batches.n_samples(),
    }
    return result(
        dv,
        coords={"rank": np.arange(1, int(k) + 1), label: ("checkpoint", labels)},
        config=cfg,
        seed=seed,
        result_type="hessian",
        label=label,
    )
