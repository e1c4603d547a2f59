"""Checkpoints that never execute code on load.

A checkpoint is a ``torch.save`` of plain containers (dict, list, tuple), numbers, strings
and tensors only, read back with ``torch.load(weights_only=True)``: unpickling cannot run
code from the file. numpy arrays in ``state`` are converted to tensors on save (and come
back as tensors). The file records the format version, the fractalsgd version, the model
name and its keyword arguments; :func:`load_checkpoint` rebuilds the model from them and
refuses a file of another format version or (when asked) another model with one line.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .._version import __version__
from .models import build_model

__all__ = ["save_checkpoint", "load_checkpoint", "CHECKPOINT_FORMAT"]

CHECKPOINT_FORMAT = "fractalsgd-checkpoint-1"


def _to_safe(obj: Any) -> Any:
    """Recursively turn numpy arrays / scalars into tensors / Python numbers."""
    if isinstance(obj, np.ndarray):
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {k: _to_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to_safe(v) for v in obj)
    return obj


def save_checkpoint(path, model, model_name: str, model_kwargs: dict | None = None, **state):
    """Write ``model``'s weights plus ``state`` (optimiser, RNG, recorder...) atomically.

    ``model_kwargs`` are the keyword arguments of :func:`~fractalsgd.dnn.build_model`
    (``num_classes``, ``in_channels``, ...) needed to rebuild the same architecture.
    Returns the path written.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "fractalsgd_version": __version__,
        "model_name": str(model_name),
        "model_kwargs": _to_safe(dict(model_kwargs or {})),
        "model_state": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "state": _to_safe(state),
    }
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def load_checkpoint(path, expect_model: str | None = None, map_location="cpu"):
    """Read a checkpoint: ``(model, meta)``; ``meta`` holds the model name/kwargs and state.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` (one line) for a file
    that is not a fractalsgd checkpoint, has another format version, holds another model
    than ``expect_model`` or weights that do not fit the rebuilt model.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such checkpoint")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # noqa: BLE001 - any unpickling failure is a foreign file
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{path}: not a loadable fractalsgd checkpoint ({msg})") from None
    if not isinstance(payload, dict) or "format" not in payload:
        raise ValueError(f"{path}: not a fractalsgd checkpoint")
    if payload["format"] != CHECKPOINT_FORMAT:
        raise ValueError(
            f"{path}: checkpoint format {payload['format']!r} is not {CHECKPOINT_FORMAT!r}"
        )
    name = payload["model_name"]
    if expect_model is not None and name.lower() != str(expect_model).lower():
        raise ValueError(f"{path}: checkpoint holds model {name!r}, not {expect_model!r}")
    model = build_model(name, **payload["model_kwargs"])
    try:
        model.load_state_dict(payload["model_state"])
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit model {name!r}: "
                         f"{str(exc).splitlines()[0]}") from None  # fmt: skip
    meta = {k: v for k, v in payload.items() if k != "model_state"}
    return model, meta
