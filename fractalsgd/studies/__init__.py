"""Studies: one module per claim of Chen, Qu & Gong (2022) and its extensions.

Each study module (name not starting with ``_``) defines

* ``DESCRIPTION``: one line;
* ``run(scale, out_dir, *, progress=True) -> list[pathlib.Path]``: run at ``scale``
  (:data:`SCALES`), write NetCDF datasets (validated, with the full configuration, seeds and
  package version in their attributes) and PNG figures under ``out_dir``, return the paths.

``fractalsgd study NAME [--scale quick|full]`` runs one (default output ``data/NAME``);
the thin scripts in the top-level ``studies/`` directory do the same from a checkout.
"""

from __future__ import annotations

import importlib
import pkgutil

#: smoke: seconds (CI); quick: minutes on a 2-core CPU (committed under data/);
#: full: the paper's scale (GPU or cluster)
SCALES = ("smoke", "quick", "full")


def available() -> dict[str, str]:
    """Study names and their one-line descriptions."""
    out = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("_"):
            mod = importlib.import_module(f"{__name__}.{info.name}")
            out[info.name] = mod.DESCRIPTION
    return out


def get(name: str):
    """The study module called ``name`` (ValueError listing the known ones otherwise)."""
    known = available()
    if name not in known:
        raise ValueError(f"unknown study {name!r}; known: {', '.join(known) or 'none'}")
    return importlib.import_module(f"{__name__}.{name}")


def run(name: str, scale: str = "quick", out_dir=None, *, progress: bool = True):
    """Run study ``name`` at ``scale``; outputs go to ``out_dir`` (default ``data/<name>``)."""
    from pathlib import Path

    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    mod = get(name)
    out = Path(out_dir) if out_dir is not None else Path("data") / name
    out.mkdir(parents=True, exist_ok=True)
    return mod.run(scale, out, progress=progress)
