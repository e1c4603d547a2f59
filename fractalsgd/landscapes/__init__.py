"""Synthetic landscapes: fractal (Weierstrass, diamond-square, spectral fBm) and controls.

Every landscape has ``energy(x)``, ``gradient(x)`` for x of shape (n, dim), ``dim``,
``describe()`` (JSON-able; :func:`from_config` rebuilds the landscape from it),
``global_minimum`` where known, and ``kind`` / ``kernel_args()`` for the Numba engine.
Grid surfaces also have ``grid`` (loss values, ``grid[iy, ix]``) and ``extent``.
"""

from __future__ import annotations

import inspect

from ._base import Landscape
from .controls import Cone, Cosine, Flat, Quadratic
from .grids import DiamondSquare, GridSurface, ShuffledControl, SpectralSurface
from .weierstrass import Weierstrass

__all__ = [
    "Landscape",
    "GridSurface",
    "Weierstrass",
    "DiamondSquare",
    "SpectralSurface",
    "ShuffledControl",
    "Flat",
    "Quadratic",
    "Cone",
    "Cosine",
    "LANDSCAPES",
    "from_config",
]

#: name -> class, the names accepted by :func:`from_config` and ``--landscape``
LANDSCAPES = {
    cls.name: cls
    for cls in (
        Weierstrass,
        DiamondSquare,
        SpectralSurface,
        ShuffledControl,
        Flat,
        Quadratic,
        Cone,
        Cosine,
    )
}


def from_config(config) -> Landscape:
    """Build a landscape from ``{"name": NAME, **params}`` (the output of ``describe()``).

    >>> from_config({"name": "quadratic", "dim": 3, "k": 2.0}).describe()["k"]
    2.0
    """
    if isinstance(config, Landscape):
        return config
    if not isinstance(config, dict) or "name" not in config:
        raise ValueError(f"landscape config must be a dict with a 'name', got {config!r}")
    params = dict(config)
    name = str(params.pop("name")).lower().replace("-", "_")
    if name not in LANDSCAPES:
        raise ValueError(f"unknown landscape {name!r}; known: {', '.join(sorted(LANDSCAPES))}")
    cls = LANDSCAPES[name]
    allowed = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise ValueError(
            f"unknown parameter(s) for landscape {name!r}: {', '.join(unknown)}; "
            f"allowed: {', '.join(allowed)}"
        )
    return cls(**params)
