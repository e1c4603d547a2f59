"""Matplotlib figures, one function per figure kind.

Each module in this package registers its figure functions with :func:`figure`::

    @figure("msd")            # ds.attrs["result_type"] == "msd"
    def plot_msd(ds, fig): ...

``fractalsgd plot FILE --out fig.png`` loads FILE and calls the function registered for
its ``result_type`` attribute (trajectories without one use ``"trajectory"``). A figure
function receives the Dataset and a fresh matplotlib Figure and draws into it.
"""

from __future__ import annotations

import importlib
import pkgutil

_FIGURES: dict = {}


def figure(result_type: str):
    """Register a figure function for datasets whose ``result_type`` is ``result_type``."""

    def deco(func):
        _FIGURES[result_type] = func
        return func

    return deco


def figures() -> dict:
    """All registered figure functions by result type (imports every plotting module)."""
    for info in pkgutil.iter_modules(__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return dict(_FIGURES)


def draw(ds, out, *, dpi: int = 120):
    """Draw the registered figure for ``ds`` and save it as PNG to ``out``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kind = ds.attrs.get("result_type", "trajectory")
    funcs = figures()
    if kind not in funcs:
        raise ValueError(
            f"no figure for result_type {kind!r}; known: {', '.join(sorted(funcs)) or 'none'}"
        )
    fig = plt.figure(figsize=(12, 4))
    try:
        funcs[kind](ds, fig)
        fig.savefig(out, dpi=dpi, bbox_inches="tight")
    finally:
        plt.close(fig)
    return out
