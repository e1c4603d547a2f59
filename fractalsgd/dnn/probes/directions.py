"""Random and PCA directions in parameter space."""

from __future__ import annotations

import numpy as np
import torch

from ._common import as_flat, trainable

NORMS = ("filter", "layer", "model")
IGNORES = ("biasbn", None)


def random_directions(model, norm: str = "filter", ignore: str | None = "biasbn", seed=None):
    """Gaussian direction normalised to the weights (Li et al. 2018, NeurIPS, sec. 4).

    One tensor per trainable parameter, shaped like it. With ``d ~ N(0, I)``:

    * ``norm="filter"``: per filter (slice along dim 0 of a weight with >= 2 dims),
      ``d_i <- d_i / ||d_i|| * ||theta_i||``;
    * ``norm="layer"``: per parameter tensor, ``d <- d / ||d|| * ||theta||``;
    * ``norm="model"``: the whole vector, ``d <- d / ||d|| * ||theta||`` (over the
      parameters not ignored).

    1-D parameters (biases, BatchNorm affine weights) are zeroed with
    ``ignore="biasbn"``; with ``ignore=None`` they get ``d = theta`` for the filter and
    layer norms (Li et al.'s code) and take part in the global rescaling for ``"model"``.
    BN running statistics are buffers and never move. ``seed`` fixes the draw.
    """
    if norm not in NORMS:
        raise ValueError(f"norm must be one of {NORMS}, got {norm!r}")
    if ignore not in IGNORES:
        raise ValueError(f"ignore must be 'biasbn' or None, got {ignore!r}")
    gen = torch.Generator().manual_seed(
        int(np.random.SeedSequence(seed).generate_state(1)[0])
        if seed is not None
        else int(np.random.SeedSequence().generate_state(1)[0])
    )
    out = []
    for p in trainable(model):
        w = p.detach().double().cpu()
        d = torch.randn(w.shape, generator=gen, dtype=torch.float64)
        if w.dim() <= 1:
            if ignore == "biasbn":
                d.zero_()
            elif norm != "model":
                d = w.clone()
        elif norm == "filter":
            dn = d.reshape(d.shape[0], -1).norm(dim=1)
            wn = w.reshape(w.shape[0], -1).norm(dim=1)
            d *= (wn / (dn + 1e-10)).reshape((-1,) + (1,) * (d.dim() - 1))
        elif norm == "layer":
            d *= w.norm() / (d.norm() + 1e-10)
        out.append(d)
    if norm == "model":
        ws = [p.detach().double().cpu() for p in trainable(model)]
        keep = [not (ignore == "biasbn" and w.dim() <= 1) for w in ws]
        wn = torch.sqrt(sum((w**2).sum() for w, k in zip(ws, keep) if k))
        dn = torch.sqrt(sum((d**2).sum() for d, k in zip(out, keep) if k))
        out = [d * (wn / (dn + 1e-10)) for d in out]
    return [d.to(dtype=p.dtype, device=p.device) for d, p in zip(out, trainable(model))]


def _dataset_snapshots(ds, walker: int = 0) -> np.ndarray:
    """(T, P) parameter vectors of a Dataset: the recorder's ``snapshot(snapshot_step,
    parameter)`` (full vectors), else ``position(walker, time, coord)`` of one walker."""
    if "snapshot" in ds:
        return ds["snapshot"].transpose("snapshot_step", "parameter").values
    if "position" not in ds:
        raise ValueError("Dataset has neither 'snapshot' (recorder) nor 'position' variables")
    pos = ds["position"]
    if "walker" in pos.dims:
        if not 0 <= walker < pos.sizes["walker"]:
            raise ValueError(f"walker {walker} out of range (0..{pos.sizes['walker'] - 1})")
        pos = pos.isel(walker=walker)
    return pos.transpose("time", "coord").values


def _snapshot_matrix(snapshots, model, walker: int = 0) -> np.ndarray:
    """(T, P) float64 matrix of parameter snapshots."""
    import xarray as xr

    if isinstance(snapshots, xr.Dataset):
        snapshots = _dataset_snapshots(snapshots, walker)
    if isinstance(snapshots, np.ndarray) or torch.is_tensor(snapshots):
        m = np.asarray(torch.as_tensor(snapshots).detach().cpu().double())
        if m.ndim != 2:
            raise ValueError(f"snapshots must have shape (time, parameters), got {m.shape}")
        rows = [as_flat(r, model, f"snapshot {i}").numpy() for i, r in enumerate(m)]
    else:
        rows = [as_flat(s, model, f"snapshot {i}").numpy() for i, s in enumerate(snapshots)]
    if len(rows) < 3:
        raise ValueError(f"need at least 3 snapshots for PCA directions, got {len(rows)}")
    return np.stack(rows)


def pca_directions(snapshots, model, n_components: int = 2, center=-1, walker: int = 0):
    """PCA directions of a training path (Li et al. 2018, sec. 7).

    ``snapshots``: a recorder Dataset with full ``snapshot(snapshot_step, parameter)``
    vectors (record with ``params="all"`` so that they match the model), a trajectory
    Dataset whose ``position`` has P coords, a (T, P) array, or a sequence of flat
    vectors / state dicts. (A sketch ``position`` cannot be mapped back to weights.) The differences
    ``theta_t - theta_c`` (``c = center``, the last snapshot by default) are PCA'd
    (mean removed, SVD); the directions are orthonormal in parameter space.

    Returns ``(directions (n_components, P), coords (T, n_components), explained,
    centre (P,))``: ``coords[t, k] = (theta_t - theta_c) . u_k`` so that the snapshots
    sit at ``theta_c + sum_k coords[t, k] u_k`` up to their off-plane residual;
    ``explained`` are the explained-variance ratios.
    """
    m = _snapshot_matrix(snapshots, model, walker)
    T, P = m.shape
    if int(n_components) != n_components or not 1 <= n_components <= min(T - 1, P):
        raise ValueError(f"n_components must be in 1..{min(T - 1, P)}, got {n_components!r}")
    c = int(center)
    if not -T <= c < T:
        raise ValueError(f"center {center} out of range for {T} snapshots")
    centre = m[c].copy()
    diff = m - centre
    cen = diff - diff.mean(axis=0)
    _, s, vt = np.linalg.svd(cen, full_matrices=False)
    dirs = vt[:n_components]
    # a deterministic sign: the first snapshot has a non-positive coordinate
    coords = diff @ dirs.T
    sign = np.where(coords[0] > 0, -1.0, 1.0)
    dirs = dirs * sign[:, None]
    coords = coords * sign[None, :]
    var = s**2
    explained = var[:n_components] / var.sum() if var.sum() > 0 else np.zeros(n_components)
    return dirs, coords, explained, centre
