"""Loss along lines and over planes through a model's weights (Li et al. 2018).

Every function evaluates ``L(theta0 + a d1 [+ b d2])`` on a grid with a fixed data set
(see :mod:`._common` for ``data``, ``max_batches``, ``loss_fn`` and ``bn``), in float64
coefficients, and restores the model bit-identically (weights, buffers, train/eval
modes) afterwards, also on error. The centre ``a = b = 0`` is always on the grid and its
loss equals the unperturbed loss exactly.

Precision: float32 weights resolve a step of about 1e-7 of their size, and float32
losses differences of about 1e-7 of the loss, so spans below ~1e-4 (or profiles whose
variation is below ~1e-6 of the loss) need a float64 model (``model.double()``; inputs
are cast to the model's dtype). A shuffling DataLoader is frozen to one pass.
"""

from __future__ import annotations

import numpy as np
import torch

from ...schema import result
from ._common import Batches, as_flat, evaluate, grid, n_params, probe_mode, set_flat, trainable

DEFAULT_SPANS = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1.0)


def _progress(it, on, total, desc):
    if not on:
        return it
    from tqdm.auto import tqdm

    return tqdm(it, total=total, desc=desc)


def _next_seed(seed):
    return seed + 1 if isinstance(seed, int) else [seed, 1]


def _default_dir(d, model, seed):
    """``None``: a filter-normalised random direction (Li et al. 2018) drawn with ``seed``."""
    if d is None:
        from .directions import random_directions

        return random_directions(model, "filter", "biasbn", seed)
    return d


def _check_direction(vec, name):
    if float(vec.norm()) == 0.0:
        raise ValueError(f"{name} is zero: the probe would not move")
    return vec


def _eval_points(model, batches, theta0, dirs, coefs, loss_fn, progress, desc):
    """Loss and accuracy at theta0 + coefs @ dirs for each row of coefs."""
    params = trainable(model)
    loss = np.empty(len(coefs))
    acc = np.empty(len(coefs))
    for i in _progress(range(len(coefs)), progress, len(coefs), desc):
        vec = theta0.clone()
        for c, d in zip(coefs[i], dirs):
            if c != 0.0:
                vec += float(c) * d
        set_flat(params, vec)
        loss[i], acc[i] = evaluate(model, batches, loss_fn)
    return loss, acc


def _config(model, batches, **kw):
    cfg = {"n_params": n_params(model), "model": type(model).__name__}
    cfg.update(kw)
    if batches.cached is not None:
        cfg["n_samples"] = batches.n_samples()
    return cfg


def loss_lines(
    model,
    data,
    direction=None,
    spans=DEFAULT_SPANS,
    n: int = 51,
    *,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    progress: bool = False,
    seed=None,
):
    """Loss along one direction at several spans (multi-scale lines).

    For each span ``s`` the line ``theta0 + s t d``, ``t`` on the symmetric grid of
    ``n`` points in [-1, 1] (centre included). A rough (fractal) profile keeps its
    roughness exponent across spans; a smooth one turns quadratic,
    ``L - L0 ~ g.d s t + (d'Hd/2) (s t)^2``, at small spans.

    ``direction`` defaults to a filter-normalised random direction drawn with ``seed``.
    Returns a result Dataset (``result_type="loss_lines"``) with ``loss(span, point)``,
    ``accuracy(span, point)``, coordinates ``span``, ``t(point)`` and
    ``alpha(span, point) = span * t``; ``attrs["loss0"]`` is the loss at theta0.
    One profile for the roughness functions: ``ds.loss.sel(span=s)``.
    """
    spans = np.atleast_1d(np.asarray(spans, dtype=float))
    if spans.ndim != 1 or spans.size == 0:
        raise ValueError("spans must be a non-empty 1-D list of positive numbers")
    for s in spans:
        grid(s, n)  # validates each span
    t = grid(1.0, n)
    batches = Batches(data, max_batches)
    d = _check_direction(as_flat(_default_dir(direction, model, seed), model), "direction")
    with probe_mode(model, bn):
        theta0 = as_flat(trainable(model), model, "weights")
        coefs = (spans[:, None] * t[None, :]).reshape(-1, 1)
        loss, acc = _eval_points(model, batches, theta0, [d], coefs, loss_fn, progress, "lines")
    loss, acc = loss.reshape(spans.size, t.size), acc.reshape(spans.size, t.size)
    centre = int(np.argmin(np.abs(t)))
    cfg = _config(model, batches, n=int(t.size), spans=spans, bn=bn, max_batches=max_batches)
    return result(
        {"loss": (("span", "point"), loss), "accuracy": (("span", "point"), acc)},
        coords={
            "span": spans,
            "t": ("point", t),
            "alpha": (("span", "point"), spans[:, None] * t[None, :]),
        },
        config=cfg,
        seed=seed,
        result_type="loss_lines",
        loss0=float(loss[0, centre]),
        direction_norm=float(d.norm()),
    )


def loss_line(
    model,
    data,
    direction=None,
    span=1.0,
    n: int = 51,
    *,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    progress: bool = False,
    seed=None,
):
    """Loss along ``theta0 + a d`` for ``a`` on a grid over ``[-span, span]``.

    A scalar ``span`` gives ``n`` points (rounded up to odd) symmetric about 0, centre
    included; a pair ``(lo, hi)`` gives ``linspace(lo, hi, n)`` plus 0 when inside.
    ``direction`` defaults to a filter-normalised random direction drawn with ``seed``.
    Returns a result Dataset (``result_type="loss_line"``) with ``loss(alpha)``,
    ``accuracy(alpha)`` and ``attrs["loss0"]``; ``ds.loss`` is the profile for the
    roughness functions.
    """
    a = grid(span, n)
    batches = Batches(data, max_batches)
    d = _check_direction(as_flat(_default_dir(direction, model, seed), model), "direction")
    with probe_mode(model, bn):
        theta0 = as_flat(trainable(model), model, "weights")
        loss, acc = _eval_points(model, batches, theta0, [d], a[:, None], loss_fn, progress, "line")
    cfg = _config(model, batches, n=int(a.size), span=span, bn=bn, max_batches=max_batches)
    extra = {}
    if np.any(a == 0):
        extra["loss0"] = float(loss[np.flatnonzero(a == 0)[0]])
    return result(
        {"loss": (("alpha",), loss), "accuracy": (("alpha",), acc)},
        coords={"alpha": a},
        config=cfg,
        seed=seed,
        result_type="loss_line",
        direction_norm=float(d.norm()),
        **extra,
    )


def _surface(model, batches, theta0, d1, d2, xs, ys, loss_fn, progress):
    coefs = np.stack(np.meshgrid(xs, ys, indexing="xy"), axis=-1).reshape(-1, 2)
    loss, acc = _eval_points(model, batches, theta0, [d1, d2], coefs, loss_fn, progress, "surface")
    return loss.reshape(ys.size, xs.size), acc.reshape(ys.size, xs.size)


def loss_surface(
    model,
    data,
    d1=None,
    d2=None,
    span=1.0,
    n: int = 51,
    *,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    progress: bool = False,
    seed=None,
):
    """Loss over the plane ``theta0 + x d1 + y d2`` (paper: 51 x 51 on [-1, 1]^2).

    ``span`` is a scalar (the square ``[-span, span]^2``), a pair (the same range on both
    axes) or ``((xlo, xhi), (ylo, yhi))``; grids as in :func:`loss_line`.
    ``d1``/``d2`` default to filter-normalised random directions drawn with ``seed`` and
    ``seed + 1`` (:func:`.random_directions`, biases and BN ignored).
    Returns a result Dataset (``result_type="loss_surface"``) with ``loss(y, x)`` and
    ``accuracy(y, x)``; ``ds.loss.values`` is the height map Z[y, x] for
    ``surface_dimension`` and its rows / columns are profiles for ``hurst``.
    """
    if np.ndim(span) == 2:
        xs, ys = grid(span[0], n, "span[0]"), grid(span[1], n, "span[1]")
    else:
        xs = ys = grid(span, n)
    batches = Batches(data, max_batches)
    d1 = _default_dir(d1, model, seed)
    d2 = _default_dir(d2, model, None if seed is None else _next_seed(seed))
    v1 = _check_direction(as_flat(d1, model, "d1"), "d1")
    v2 = _check_direction(as_flat(d2, model, "d2"), "d2")
    cos = float(v1 @ v2 / (v1.norm() * v2.norm()))
    with probe_mode(model, bn):
        theta0 = as_flat(trainable(model), model, "weights")
        loss, acc = _surface(model, batches, theta0, v1, v2, xs, ys, loss_fn, progress)
    cfg = _config(model, batches, n=int(xs.size), span=span, bn=bn, max_batches=max_batches)
    extra = {}
    if np.any(xs == 0) and np.any(ys == 0):
        extra["loss0"] = float(loss[np.flatnonzero(ys == 0)[0], np.flatnonzero(xs == 0)[0]])
    return result(
        {"loss": (("y", "x"), loss), "accuracy": (("y", "x"), acc)},
        coords={"x": xs, "y": ys},
        config=cfg,
        seed=seed,
        result_type="loss_surface",
        directions="random",
        d1_norm=float(v1.norm()),
        d2_norm=float(v2.norm()),
        cos_d1_d2=cos,
        **extra,
    )


def trajectory_surface(
    model,
    data,
    snapshots,
    n: int = 51,
    *,
    margin: float = 0.25,
    center=-1,
    walker: int = 0,
    loss_fn=None,
    bn: str = "eval",
    max_batches: int | None = None,
    progress: bool = False,
):
    """The training path on the loss surface spanned by its two PCA directions.

    Directions and path coordinates come from :func:`.pca_directions` (centre = the
    snapshot ``center``, the final weights by default). The surface
    ``L(theta_c + x u1 + y u2)`` is evaluated on a box covering the path plus ``margin``
    of its extent, and the path at its projected coordinates ``(x_t, y_t)`` *on the same
    plane* (``path_loss``), so the drawn path lies on the drawn surface. Also returned:
    the loss at the true snapshots (``path_loss_true``) and their distance from the plane
    (``path_residual``), which says how much of the path the plane misses.

    The model's own weights are only used for shapes and buffers (BN running statistics)
    and are restored afterwards.
    """
    from .directions import _snapshot_matrix, pca_directions

    m = _snapshot_matrix(snapshots, model, walker)
    dirs, coords, explained, centre = pca_directions(m, model, 2, center)
    batches = Batches(data, max_batches)
    u1, u2 = torch.from_numpy(dirs[0]), torch.from_numpy(dirs[1])
    theta_c = torch.from_numpy(centre)
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    ext = np.maximum(hi - lo, 1e-12)
    xs = grid((lo[0] - margin * ext[0], hi[0] + margin * ext[0]), n, "x range")
    ys = grid((lo[1] - margin * ext[1], hi[1] + margin * ext[1]), n, "y range")
    resid = np.linalg.norm(m - centre - coords @ dirs, axis=1)
    with probe_mode(model, bn):
        loss, acc = _surface(model, batches, theta_c, u1, u2, xs, ys, loss_fn, progress)
        path_loss, _ = _eval_points(
            model, batches, theta_c, [u1, u2], coords, loss_fn, False, "path"
        )
        true_loss = np.empty(len(m))
        for i, row in enumerate(m):
            set_flat(trainable(model), torch.from_numpy(row))
            true_loss[i], _ = evaluate(model, batches, loss_fn)
    cfg = _config(
        model,
        batches,
        n=int(n),
        margin=margin,
        center=int(center),
        bn=bn,
        max_batches=max_batches,
        n_snapshots=int(len(m)),
    )
    return result(
        {
            "loss": (("y", "x"), loss),
            "accuracy": (("y", "x"), acc),
            "path_x": (("snapshot",), coords[:, 0]),
            "path_y": (("snapshot",), coords[:, 1]),
            "path_loss": (("snapshot",), path_loss),
            "path_loss_true": (("snapshot",), true_loss),
            "path_residual": (("snapshot",), resid),
        },
        coords={"x": xs, "y": ys, "snapshot": np.arange(len(m))},
        config=cfg,
        result_type="loss_surface",
        directions="pca",
        explained_variance=explained,
        loss0=float(path_loss[int(center) % len(m)]),
    )
