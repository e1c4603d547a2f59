"""Studies: one module per claim of Chen, Qu & Gong (2022) and its extensions.

Each study module (name not starting with ``_``) defines

* ``DESCRIPTION``: one line;
* ``run(scale, out_dir, *, progress=True) -> list[pathlib.Path]``: run at ``scale``
  (:data:`SCALES`), write NetCDF datasets (validated, with the full configuration, seeds and
  package version in their attributes) and PNG figures under ``out_dir``, return the paths.

``fractalsgd study NAME [--scale quick|full]`` runs one (default output ``data/NAME``);
the thin scripts in the top-level ``studies/`` directory do the same from a checkout.
Studies whose grid is a sweep (``dnn_batch_lr``, ``dnn_controls``, ``toy_phase_diagram``)
also take ``scheduler`` / ``workers`` (``--scheduler local|ADDRESS --workers N``) and run
their points through :func:`fractalsgd.sweeps.run_sweep`.
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


def run(
    name: str,
    scale: str = "quick",
    out_dir=None,
    *,
    progress: bool = True,
    scheduler: str = "none",
    workers: int | None = None,
):
    """Run study ``name`` at ``scale``; outputs go to ``out_dir`` (default ``data/<name>``).

    ``scheduler`` / ``workers``: where the studies built on a sweep (:func:`sweep_studies`)
    run their points: ``"none"`` (in-process), ``"local"`` (a Dask LocalCluster of
    ``workers`` processes) or a Dask scheduler address; their point files stay in
    ``out_dir/scratch/sweep`` and a re-run resumes from them.
    """
    import inspect
    from pathlib import Path

    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, got {scale!r}")
    if not isinstance(scheduler, str) or not scheduler:
        raise ValueError(f"scheduler must be 'none', 'local' or an address, got {scheduler!r}")
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    mod = get(name)
    kw = {}
    if "scheduler" in inspect.signature(mod.run).parameters:
        kw = {"scheduler": scheduler, "workers": workers}
    elif scheduler != "none" or workers is not None:
        raise ValueError(
            f"study {name!r} runs in-process only; --scheduler / --workers apply to "
            f"{', '.join(sweep_studies())}"
        )
    out = Path(out_dir) if out_dir is not None else Path("data") / name
    out.mkdir(parents=True, exist_ok=True)
    return mod.run(scale, out, progress=progress, **kw)


def sweep_studies() -> list[str]:
    """The studies whose configurations run as a :mod:`fractalsgd.sweeps` sweep (they
    accept a ``scheduler``)."""
    import inspect

    return [n for n in available() if "scheduler" in inspect.signature(get(n).run).parameters]
