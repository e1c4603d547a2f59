"""Probing the loss landscape of a torch model: surfaces, lines, paths, Hessian spectra.

* :func:`random_directions` - Li et al. (2018) filter-normalised Gaussian directions;
* :func:`loss_line`, :func:`loss_lines` (multi-scale), :func:`loss_surface` - the loss on
  lines / planes through the weights, centre included, weights restored bit-identically;
* :func:`pca_directions`, :func:`trajectory_surface` - a training path projected on its PCA
  plane and drawn on the surface evaluated in the same coordinates;
* :func:`interpolate`, :func:`neb_path` - straight and nudged-elastic-band paths between two
  checkpoints, with the barrier;
* :func:`hessian_eigs`, :func:`hessian_trace`, :func:`hessian_over_training` - Hessian
  spectra by Hessian-vector products (Lanczos / power iteration, Hutchinson).

``data`` is a DataLoader, an iterable of ``(inputs, targets)`` batches or one
``(inputs, targets)`` pair; ``max_batches`` fixes a subset. BatchNorm runs in eval mode
(running statistics) unless ``bn="train"``. Results are :func:`fractalsgd.schema.result`
Datasets with ``attrs["result_type"]`` for ``fractalsgd plot``.

Roughness of the results is one call to :mod:`fractalsgd.analysis.roughness`::

    surf = loss_surface(model, data, seed=0, n=65)      # >= 64 x 64 for the estimators
    surface_dimension(surf.loss)                       # D = 3 - H, with its interval
    lines = loss_lines(model, data, seed=0, n=129)     # >= 64 points per profile
    hurst(lines.loss.sel(span=1e-2), method="variogram")
    hurst(loss_line(model, data, seed=0, n=129).loss)  # one profile
"""

from ._checkpoints import read_state
from .directions import pca_directions, random_directions
from .hessian import TraceEstimate, hessian_eigs, hessian_over_training, hessian_trace
from .paths import interpolate, neb_path
from .surfaces import loss_line, loss_lines, loss_surface, trajectory_surface

__all__ = [
    "random_directions",
    "pca_directions",
    "loss_line",
    "loss_lines",
    "loss_surface",
    "trajectory_surface",
    "interpolate",
    "neb_path",
    "hessian_eigs",
    "hessian_trace",
    "hessian_over_training",
    "TraceEstimate",
    "read_state",
]
