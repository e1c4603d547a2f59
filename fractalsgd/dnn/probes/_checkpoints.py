"""Reading model weights from a checkpoint file for the probes."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import torch

_STATE_KEYS = ("model_state", "model_state_dict", "state_dict", "model")


def read_state(path, model=None) -> Mapping:
    """The model state dict stored in ``path`` (a ``torch.save`` file or a fractalsgd
    checkpoint: a dict holding the state dict under one of ``model_state``,
    ``model_state_dict``, ``state_dict`` or ``model``)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no such checkpoint: {path}")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle / zip errors: one line for the user
        raise ValueError(f"{path} is not a readable torch checkpoint: {exc}") from None
    if isinstance(obj, Mapping):
        for key in _STATE_KEYS:
            if isinstance(obj.get(key), Mapping):
                return obj[key]
        if all(torch.is_tensor(v) for v in obj.values()):
            return obj
    raise ValueError(f"{path} holds no model state dict")
