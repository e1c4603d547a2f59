"""Shared machinery of the probes: flat parameter vectors, fixed data, evaluation mode.

Conventions used by every probe:

* the parameters probed are ``[p for p in model.parameters() if p.requires_grad]``, in
  that order; a flat vector is their concatenation (``torch.nn.utils.parameters_to_vector``
  order, the one the recorder uses: BN affine included, running statistics excluded);
* ``data`` is a DataLoader, any iterable of ``(inputs, targets)`` batches, or a single
  ``(inputs, targets)`` pair of tensors / arrays; ``max_batches`` keeps the first batches
  as a fixed subset (drawn once, reused for every evaluation);
* the loss of a set is the sample-weighted mean of ``loss_fn(model(x), y)`` over batches
  (``loss_fn`` returns a batch mean, cross-entropy by default), accumulated in float64.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

import numpy as np
import torch

BN_MODES = ("eval", "train")


def trainable(model) -> list:
    """The probed parameters: those with ``requires_grad``, in ``model.parameters()`` order."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("model has no trainable parameters")
    return params


def n_params(model) -> int:
    return sum(p.numel() for p in trainable(model))


def flat(tensors) -> torch.Tensor:
    return torch.cat([t.detach().reshape(-1) for t in tensors])


def split(vec: torch.Tensor, params) -> list:
    out, i = [], 0
    for p in params:
        out.append(vec[i : i + p.numel()].view_as(p))
        i += p.numel()
    return out


def as_flat(theta, model, name: str = "direction") -> torch.Tensor:
    """A parameter-space vector as a flat float64 CPU tensor of length P.

    Accepts a flat tensor / array of length P, a list of tensors shaped like the
    trainable parameters, a state dict (trainable parameters taken by name) or a model.
    """
    params = trainable(model)
    P = sum(p.numel() for p in params)
    if isinstance(theta, torch.nn.Module):
        theta = trainable(theta)
    if isinstance(theta, Mapping):
        theta = _params_from_state(theta, model, name)
    if isinstance(theta, (list, tuple)):
        if len(theta) != len(params):
            raise ValueError(
                f"{name} has {len(theta)} tensors, the model has {len(params)} trainable parameters"
            )
        for i, (t, p) in enumerate(zip(theta, params)):
            if tuple(t.shape) != tuple(p.shape):
                raise ValueError(
                    f"{name}[{i}] has shape {tuple(t.shape)}, parameter has {tuple(p.shape)}"
                )
        vec = torch.cat([torch.as_tensor(t).detach().reshape(-1).cpu().double() for t in theta])
    else:
        vec = torch.as_tensor(np.asarray(theta) if not torch.is_tensor(theta) else theta)
        vec = vec.detach().reshape(-1).cpu().double()
        if vec.numel() != P:
            raise ValueError(f"{name} has {vec.numel()} entries, the model has {P} parameters")
    if not torch.isfinite(vec).all():
        raise ValueError(f"{name} has non-finite entries")
    return vec


def _params_from_state(state: Mapping, model, name: str) -> list:
    check_state(state, model, name)
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    return [torch.as_tensor(state[n]) for n in names]


def check_state(state: Mapping, model, name: str = "checkpoint") -> None:
    """Raise one ValueError line when ``state`` (a state dict) does not match ``model``."""
    ref = model.state_dict()
    missing = [k for k in ref if k not in state]
    extra = [k for k in state if k not in ref]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing {', '.join(missing[:3])}{' ...' if len(missing) > 3 else ''}")
        if extra:
            parts.append(f"unexpected {', '.join(extra[:3])}{' ...' if len(extra) > 3 else ''}")
        raise ValueError(f"{name} does not match the model: {'; '.join(parts)}")
    for k, v in ref.items():
        s = tuple(torch.as_tensor(state[k]).shape)
        if s != tuple(v.shape):
            raise ValueError(
                f"{name} does not match the model: {k} has shape {s}, model has {tuple(v.shape)}"
            )


def load_state(model, state: Mapping, name: str = "checkpoint") -> None:
    check_state(state, model, name)
    model.load_state_dict(state)


def set_flat(params, vec64: torch.Tensor) -> None:
    """Write a flat float64 vector into the parameters (cast to their dtype / device)."""
    with torch.no_grad():
        for p, v in zip(params, split(vec64, params)):
            p.copy_(v.to(device=p.device, dtype=p.dtype))


def model_device(model):
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def _to_tensor(a):
    if torch.is_tensor(a):
        return a
    a = np.asarray(a)
    return torch.from_numpy(a.astype(np.float32) if a.dtype == np.float64 else a)


class Batches:
    """A re-iterable, fixed set of ``(inputs, targets)`` batches (see module docstring)."""

    def __init__(self, data, max_batches: int | None = None, batch_size: int = 1024):
        if max_batches is not None and (int(max_batches) != max_batches or max_batches < 1):
            raise ValueError(f"max_batches must be a positive integer, got {max_batches!r}")
        if isinstance(data, Batches):
            self.source, self.cached = data.source, data.cached
            if max_batches is not None:
                self.cached = list(self._take(data, max_batches))
                self.source = None
            self._check()
            return
        if (
            isinstance(data, (tuple, list))
            and len(data) == 2
            and all(torch.is_tensor(a) or isinstance(a, np.ndarray) for a in data)
        ):
            x, y = _to_tensor(data[0]), _to_tensor(data[1])
            if len(x) != len(y):
                raise ValueError(f"data: {len(x)} inputs but {len(y)} targets")
            data = [
                (x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(x), batch_size)
            ]
        if max_batches is not None:
            self.cached, self.source = list(self._take(data, int(max_batches))), None
        elif iter(data) is data:  # a one-shot iterator or generator: keep its batches
            self.cached, self.source = list(data), None
        elif isinstance(getattr(data, "sampler", None), torch.utils.data.RandomSampler):
            # a shuffling loader: freeze one pass, so that every grid point sees the same
            # batches (float32 rounding of batch means depends on batch composition, which
            # would otherwise add noise of ~1e-7 relative to the loss at every point)
            self.cached, self.source = list(data), None
        else:
            self.cached, self.source = None, data
        self._check()

    @staticmethod
    def _take(data, k):
        for i, b in enumerate(data):
            if i >= k:
                break
            yield b

    def __iter__(self):
        src = self.cached if self.cached is not None else self.source
        for b in src:
            if not isinstance(b, (tuple, list)) or len(b) < 2:
                raise ValueError("data must yield (inputs, targets) batches")
            yield b[0], b[1]

    def _check(self):
        if self.cached is not None and self.n_samples() == 0:
            raise ValueError("data subset is empty: no (inputs, targets) sample to evaluate")

    def n_samples(self) -> int:
        return sum(_batch_len(x, y) for x, y in self)


def _batch_len(x, y) -> int:
    return int(y.shape[0]) if getattr(y, "ndim", 0) > 0 else int(x.shape[0])


def to_model(x, device, dtype):
    """Inputs on the model's device; floating inputs in the model's dtype."""
    return x.to(device, dtype) if x.is_floating_point() else x.to(device)


def param_dtype(model):
    for p in model.parameters():
        return p.dtype
    return torch.float32


def default_loss(out, y):
    return torch.nn.functional.cross_entropy(out, y)


@contextlib.contextmanager
def probe_mode(model, bn: str = "eval"):
    """Evaluate ``model`` in a BN mode, then restore weights, buffers and modes exactly.

    ``bn="eval"`` (default, as Li et al. 2018): every module in eval mode, BatchNorm uses
    its running statistics, the loss is a deterministic function of the weights.
    ``bn="train"``: BatchNorm modules use the statistics of each batch (dropout and other
    modules stay in eval mode); running statistics are restored afterwards.
    """
    if bn not in BN_MODES:
        raise ValueError(f"bn must be one of {BN_MODES}, got {bn!r}")
    modes = [(m, m.training) for m in model.modules()]
    params = list(model.parameters())
    saved_p = [p.detach().clone() for p in params]
    saved_b = [(b, b.detach().clone()) for b in model.buffers()]
    try:
        model.eval()
        if bn == "train":
            for m in model.modules():
                if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                    m.train()
        yield
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved_p):
                p.copy_(s)
            for b, s in saved_b:
                b.copy_(s)
        for m, t in modes:
            m.training = t


def evaluate(model, batches: Batches, loss_fn=None, device=None) -> tuple[float, float]:
    """Sample-weighted mean loss and accuracy (NaN when targets are not class labels)."""
    loss_fn = loss_fn or default_loss
    device = device or model_device(model)
    dtype = param_dtype(model)
    tot, n, correct, classify = 0.0, 0, 0, True
    with torch.no_grad():
        for x, y in batches:
            x, y = to_model(x, device, dtype), to_model(y, device, dtype)
            b = _batch_len(x, y)
            if b == 0:
                continue
            out = model(x)
            tot += float(loss_fn(out, y)) * b
            n += b
            if classify and out.ndim == 2 and y.ndim == 1 and not y.is_floating_point():
                correct += int((out.argmax(1) == y).sum())
            else:
                classify = False
    if n == 0:
        raise ValueError("data subset is empty: no (inputs, targets) sample to evaluate")
    return tot / n, (correct / n if classify else float("nan"))


def loss_and_grad(model, batches: Batches, loss_fn=None, device=None):
    """Mean loss (float) and its flat float64 gradient over the trainable parameters."""
    loss_fn = loss_fn or default_loss
    device = device or model_device(model)
    params = trainable(model)
    n = batches.n_samples()
    if n == 0:
        raise ValueError("data subset is empty: no (inputs, targets) sample to evaluate")
    tot = 0.0
    dtype = param_dtype(model)
    grad = torch.zeros(sum(p.numel() for p in params), dtype=torch.float64)
    for x, y in batches:
        x, y = to_model(x, device, dtype), to_model(y, device, dtype)
        b = _batch_len(x, y)
        if b == 0:
            continue
        loss = loss_fn(model(x), y)
        g = torch.autograd.grad(loss, params, allow_unused=True)
        g = [torch.zeros_like(p) if gi is None else gi for gi, p in zip(g, params)]
        grad += flat(g).cpu().double() * (b / n)
        tot += float(loss.detach()) * b
    return tot / n, grad


def grid(span, n: int, name: str = "span") -> np.ndarray:
    """Grid of coefficients; a scalar span gives ``n`` (rounded up to odd) points,
    symmetric on ``[-span, span]`` with the centre 0 exactly included; a pair ``(lo, hi)``
    gives ``linspace(lo, hi, n)`` with 0 inserted when ``lo < 0 < hi``."""
    if int(n) != n or n < 2:
        raise ValueError(f"n must be an integer >= 2, got {n!r}")
    n = int(n)
    if np.ndim(span) == 0:
        s = float(span)
        if not np.isfinite(s) or s <= 0:
            raise ValueError(f"{name} must be a positive finite number, got {span!r}")
        half = np.linspace(0.0, s, n // 2 + 1)
        return np.concatenate([-half[:0:-1], half])
    lo, hi = (float(v) for v in span)
    if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
        raise ValueError(f"{name} must be a positive number or a pair lo < hi, got {span!r}")
    g = np.linspace(lo, hi, n)
    if lo < 0 < hi and not np.any(g == 0):
        g = np.sort(np.append(g, 0.0))
    return g
