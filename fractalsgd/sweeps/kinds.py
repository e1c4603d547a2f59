"""Point kinds: what one sweep point runs, which keys it accepts, how it is summarised.

A point kind wraps a function called as ``run(**config)`` that returns a schema trajectory
Dataset. Its accepted configuration keys, defaults and required keys are read from the
function's signature (a ``**kwargs`` parameter accepts any key). The summary is a small dict
of scalars computed by ``summarise(ds, config, **options)`` (default:
:func:`fractalsgd.sweeps.summaries.trajectory_summary`), whose keyword-only parameters are
the accepted ``[summary]`` options.

Built-in kinds, resolved lazily so that a missing subpackage only matters when used:

* ``walker``: ``fractalsgd.simulate(fractalsgd.landscapes.from_config(landscape), ...)``;
  the keys are ``landscape`` (a table, or a family name) plus simulate's keyword arguments;
* ``process``: a null model of :mod:`fractalsgd.processes` (key ``model`` names it);
* ``dnn``: a training run of :func:`fractalsgd.dnn.train` (pins one GPU per worker).

Any other kind is either registered with :func:`register_point_kind` (in-process, or on
workers that import the registering module) or named ``"package.module:function"`` in the
sweep file, which every worker imports itself - the way to run your own point function on
a remote cluster.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PointKind", "register_point_kind", "get_point_kind", "point_kinds"]


def _signature_keys(func: Callable, skip: tuple[str, ...] = ()):
    """(defaults, required, open) of a function's keyword-usable parameters."""
    defaults, required, open_ = {}, [], False
    for name, p in inspect.signature(func).parameters.items():
        if name in skip:
            continue
        if p.kind is p.VAR_KEYWORD:
            open_ = True
        elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
            if p.default is p.empty:
                required.append(name)
            else:
                defaults[name] = p.default
    return defaults, tuple(required), open_


def _default_summarise():
    from .summaries import trajectory_summary

    return trajectory_summary


@dataclass(frozen=True)
class PointKind:
    """A kind of sweep point. Build it with :func:`register_point_kind`."""

    name: str
    run: Callable[..., Any]
    defaults: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    open: bool = False
    summarise: Callable[..., Mapping[str, float]] | None = None
    summary_options: Mapping[str, Any] = field(default_factory=dict)
    uses_gpu: bool = False
    #: optional ``resolver(config, where) -> config`` replacing the signature check
    resolver: Callable[[dict, str], dict] | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(sorted({*self.defaults, *self.required}))

    def resolve(self, config: Mapping[str, Any], where: str = "point") -> dict:
        """Check ``config`` against the accepted keys and fill in the defaults."""
        if self.resolver is not None:
            return self.resolver(dict(config), where)
        if not self.open:
            for key in config:
                if key not in self.defaults and key not in self.required:
                    raise ValueError(
                        f"{where}: unknown configuration key {key!r} for kind {self.name!r} "
                        f"(accepted: {', '.join(self.keys)})"
                    )
        missing = [k for k in self.required if k not in config]
        if missing:
            raise ValueError(f"{where}: kind {self.name!r} needs configuration key {missing[0]!r}")
        out = {k: v for k, v in self.defaults.items() if _storable(v)}
        out.update(config)
        if "seed" in out and out["seed"] is None:
            out["seed"] = 0  # sweeps are reproducible: a missing seed means seed 0
        return out

    def check_summary_options(self, options: Mapping[str, Any]) -> None:
        for key in options:
            if key not in self.summary_options:
                raise ValueError(
                    f"summary: unknown option {key!r} for kind {self.name!r} "
                    f"(accepted: {', '.join(sorted(self.summary_options)) or 'none'})"
                )

    def summary_of(self, ds, config: Mapping[str, Any], options: Mapping[str, Any]) -> dict:
        func = self.summarise or _default_summarise()
        out = func(ds, dict(config), **options)
        if not isinstance(out, Mapping):
            raise TypeError(f"summary of kind {self.name!r} is not a dict: {out!r}")
        clean = {}
        for k, v in out.items():
            try:
                clean[str(k)] = float(v)
            except (TypeError, ValueError):
                raise TypeError(
                    f"summary value {k!r} of kind {self.name!r} is not a number: {v!r}"
                ) from None
        return clean


def _storable(v: Any) -> bool:
    """Defaults that are plain JSON values go into the hashed configuration."""
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_storable(x) for x in v)
    if isinstance(v, Mapping):
        return all(isinstance(k, str) and _storable(x) for k, x in v.items())
    return False


_REGISTRY: dict[str, PointKind | Callable[[], PointKind]] = {}


def register_point_kind(
    name: str,
    run: Callable[..., Any],
    *,
    summarise: Callable[..., Mapping[str, float]] | None = None,
    defaults: Mapping[str, Any] | None = None,
    required: tuple[str, ...] | None = None,
    uses_gpu: bool = False,
    replace: bool = False,
) -> PointKind:
    """Register ``run(**config) -> trajectory Dataset`` as point kind ``name``.

    Accepted keys come from ``run``'s signature unless ``defaults`` / ``required`` are
    given; summary options from ``summarise``'s keyword-only parameters.
    """
    if not isinstance(name, str) or not name or ":" in name:
        raise ValueError(f"point kind name must be a non-empty string without ':', got {name!r}")
    if name in _REGISTRY and not replace:
        raise ValueError(f"point kind {name!r} is already registered (pass replace=True)")
    kind = make_point_kind(
        name, run, summarise=summarise, defaults=defaults, required=required, uses_gpu=uses_gpu
    )
    _REGISTRY[name] = kind
    return kind


def make_point_kind(
    name, run, *, summarise=None, defaults=None, required=None, uses_gpu=False, skip=()
) -> PointKind:
    if not callable(run):
        raise ValueError(f"point kind {name!r}: run must be callable, got {run!r}")
    d, r, open_ = _signature_keys(run, skip)
    if defaults is not None or required is not None:
        d, r, open_ = dict(defaults or {}), tuple(required or ()), False
    func = summarise or _default_summarise()
    opts = {}
    for pname, p in inspect.signature(func).parameters.items():
        if p.kind is p.KEYWORD_ONLY:
            opts[pname] = None if p.default is p.empty else p.default
    return PointKind(
        name=name,
        run=run,
        defaults=d,
        required=r,
        open=open_,
        summarise=summarise,
        summary_options=opts,
        uses_gpu=uses_gpu,
    )


def get_point_kind(name: str) -> PointKind:
    """The point kind called ``name`` (registered, built-in, or ``"module:function"``)."""
    if isinstance(name, PointKind):
        return name
    entry = _REGISTRY.get(name)
    if entry is not None:
        if not isinstance(entry, PointKind):
            entry = entry()
        return entry
    if ":" in name:
        module, _, attr = name.partition(":")
        try:
            obj = getattr(importlib.import_module(module), attr)
        except (ImportError, AttributeError) as exc:
            raise ValueError(f"point kind {name!r}: cannot import it ({exc})") from None
        if isinstance(obj, PointKind):
            return obj
        return make_point_kind(name, obj, summarise=getattr(obj, "summarise", None))
    raise ValueError(
        f"unknown point kind {name!r} (known: {', '.join(sorted(_REGISTRY))}, "
        "or 'package.module:function')"
    )


def point_kinds() -> list[str]:
    """Names of the registered point kinds."""
    return sorted(_REGISTRY)


# -- built-in kinds -------------------------------------------------------------------


def _needs(name: str, module: str, attr: str):
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        raise ValueError(
            f"point kind {name!r} needs {module}.{attr}, which this installation lacks"
        ) from None


def _check_keys(params: dict, func: Callable, what: str, where: str, skip=()) -> dict:
    """Check ``params`` against ``func``'s signature and return them with defaults filled."""
    d, r, open_ = _signature_keys(func, skip)
    if not open_:
        for key in params:
            if key not in d and key not in r:
                raise ValueError(
                    f"{where}: unknown configuration key {key!r} for {what} "
                    f"(accepted: {', '.join(sorted({*d, *r}))})"
                )
    missing = [k for k in r if k not in params]
    if missing:
        raise ValueError(f"{where}: {what} needs configuration key {missing[0]!r}")
    out = {k: v for k, v in d.items() if _storable(v)}
    out.update(params)
    if "seed" in out and out["seed"] is None:
        out["seed"] = 0  # sweeps are reproducible: a missing seed means seed 0
    return out


def _landscape_config(value, where: str) -> dict:
    from fractalsgd.landscapes import LANDSCAPES

    if isinstance(value, str):
        value = {"name": value}
    if not isinstance(value, dict) or "name" not in value:
        raise ValueError(
            f"{where}: 'landscape' must be a family name or a table with 'name', got {value!r}"
        )
    params = dict(value)
    name = str(params.pop("name")).lower().replace("-", "_")
    if name not in LANDSCAPES:
        raise ValueError(
            f"{where}: unknown landscape {name!r} (known: {', '.join(sorted(LANDSCAPES))})"
        )
    params = _check_keys(params, LANDSCAPES[name].__init__, f"landscape {name!r}", where, ("self",))
    return {"name": name, **params}


def run_walker(landscape, **kwargs):
    """A walker point: ``simulate(landscapes.from_config(landscape), **kwargs)``."""
    from_config = _needs("walker", "fractalsgd.landscapes", "from_config")
    simulate = _needs("walker", "fractalsgd.walkers", "simulate")
    kwargs["progress"] = False
    return simulate(from_config(landscape), **kwargs)


def _resolve_walker(config: dict, where: str) -> dict:
    simulate = _needs("walker", "fractalsgd.walkers", "simulate")
    if "landscape" not in config:
        raise ValueError(f"{where}: kind 'walker' needs configuration key 'landscape'")
    land = _landscape_config(config.pop("landscape"), where)
    out = _check_keys(config, simulate, "kind 'walker'", where, ("landscape", "progress"))
    return {"landscape": land, **out}


def _walker_kind() -> PointKind:
    _needs("walker", "fractalsgd.walkers", "simulate")
    _needs("walker", "fractalsgd.landscapes", "from_config")
    from .summaries import walker_summary

    base = make_point_kind("walker", run_walker, summarise=walker_summary)
    return PointKind(
        name="walker",
        run=run_walker,
        required=("landscape",),
        open=True,
        summarise=walker_summary,
        summary_options=base.summary_options,
        resolver=_resolve_walker,
    )


def _process_models() -> dict:
    procs = importlib.import_module("fractalsgd.processes")
    names = ("bm", "fbm", "ctrw", "levy_walk", "sbm", "ou")
    return {n: getattr(procs, n) for n in names if hasattr(procs, n)}


def run_process(model, **kwargs):
    """A process point: ``fractalsgd.processes.<model>(**kwargs)``."""
    return _process_models()[model](**kwargs)


def _resolve_process(config: dict, where: str) -> dict:
    try:
        models = _process_models()
    except ImportError:
        raise ValueError(
            "point kind 'process' needs fractalsgd.processes, which this installation lacks"
        ) from None
    model = config.pop("model", None)
    if model not in models:
        raise ValueError(
            f"{where}: kind 'process' needs model = one of {', '.join(sorted(models))}, "
            f"got {model!r}"
        )
    return {"model": model, **_check_keys(config, models[model], f"process {model!r}", where)}


def _process_kind() -> PointKind:
    base = make_point_kind("process", run_process)
    return PointKind(
        name="process",
        run=run_process,
        required=("model",),
        open=True,
        summary_options=base.summary_options,
        resolver=_resolve_process,
    )


#: TrainConfig fields the runner controls (output, checkpoint, resume, console)
_DNN_RUNNER_KEYS = ("out", "checkpoint", "resume", "quiet")


def run_dnn(**config):
    """A DNN point: :func:`fractalsgd.dnn.train` with the runner's device, threads, checkpoint.

    On a worker with GPUs and ``device = "auto"`` the run uses GPU ``worker index % n_gpus``
    (:func:`~fractalsgd.sweeps.runner.gpu_for_worker`; run one single-threaded worker per
    GPU). ``threads`` defaults to the task's thread share. With ``checkpoint_every`` the
    point checkpoints beside its output file and a re-run after a lost worker resumes.
    """
    from fractalsgd.dnn.train import train

    from .runner import current_task, gpu_for_worker

    task = current_task()
    if config.get("device", "auto") == "auto":
        import torch

        gpu = gpu_for_worker(torch.cuda.device_count())
        if gpu is not None:
            config["device"] = f"cuda:{gpu}"
    if config.get("threads") is None and task.get("threads"):
        config["threads"] = task["threads"]
    if config.get("checkpoint_every") and task.get("path"):
        config.update(checkpoint=task["path"] + ".ckpt", resume=True)
    return train(quiet=True, **config)


def _resolve_dnn(config: dict, where: str) -> dict:
    try:
        from fractalsgd.dnn.train import TrainConfig
    except ImportError:
        raise ValueError(
            "point kind 'dnn' needs fractalsgd.dnn (pip install 'fractalsgd[dnn]')"
        ) from None
    import dataclasses

    fields = {f.name: f for f in dataclasses.fields(TrainConfig)}
    for key in config:
        if key not in fields or key in _DNN_RUNNER_KEYS:
            accepted = sorted(k for k in fields if k not in _DNN_RUNNER_KEYS)
            raise ValueError(
                f"{where}: unknown configuration key {key!r} for kind 'dnn' "
                f"(accepted: {', '.join(accepted)})"
            )
    out = {}
    for name, f in fields.items():
        if name in _DNN_RUNNER_KEYS:
            continue
        if name in config:
            out[name] = config[name]
        elif f.default is not dataclasses.MISSING:
            out[name] = f.default
        elif f.default_factory is not dataclasses.MISSING:
            out[name] = f.default_factory()
    return out


def _dnn_kind() -> PointKind:
    from .summaries import dnn_summary

    base = make_point_kind("dnn", run_dnn, summarise=dnn_summary)
    return PointKind(
        name="dnn",
        run=run_dnn,
        open=True,
        summarise=dnn_summary,
        summary_options=base.summary_options,
        uses_gpu=True,
        resolver=_resolve_dnn,
    )


_REGISTRY["walker"] = _walker_kind
_REGISTRY["process"] = _process_kind
_REGISTRY["dnn"] = _dnn_kind
