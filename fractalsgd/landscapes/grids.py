"""2-D surfaces stored on a regular grid: diamond-square, spectral fBm, shuffled control.

All grid surfaces share :class:`GridSurface`: ``grid[iy, ix]`` holds the LOSS at node
(x_ix, y_iy) of a regular grid covering ``extent = (xmin, xmax, ymin, ymax)`` (the
matplotlib ``imshow(grid, origin="lower", extent=extent)`` convention); ``height`` is
z = 10 - grid. Between nodes the loss is the bilinear interpolant and ``gradient`` is its
exact gradient (piecewise linear, discontinuous across cell edges). Outside the extent the
surface is continued as a constant in the normal direction (position clamped to the box,
that gradient component 0); walkers normally use ``boundary="redraw"`` and never go there.
"""

from __future__ import annotations

import numpy as np

from . import _kernels as K
from ._base import _EMPTY1, _EMPTY2, Landscape, check_int, check_range

__all__ = ["GridSurface", "DiamondSquare", "SpectralSurface", "ShuffledControl"]

#: loss = LOSS_OFFSET - height, as in the paper (L = 10 - z)
LOSS_OFFSET = 10.0


class GridSurface(Landscape):
    """Bilinear surface on a regular grid of loss values (``grid[iy, ix]``, ``extent``)."""

    name = "grid"
    kind = K.GRID
    dim = 2

    def _set_height(self, z, extent=(-1.0, 1.0, -1.0, 1.0)):
        """Set the surface from heights z (loss = 10 - z on the nodes)."""
        self._height = np.ascontiguousarray(z, dtype=np.float64)
        self._set_grid(LOSS_OFFSET - self._height, extent)

    def _set_grid(self, grid, extent=(-1.0, 1.0, -1.0, 1.0)):
        grid = np.ascontiguousarray(grid, dtype=np.float64)
        if grid.ndim != 2 or min(grid.shape) < 2:
            raise ValueError(f"{self.name}: grid must be 2-D with >= 2 nodes per side")
        if not np.all(np.isfinite(grid)):
            raise ValueError(f"{self.name}: grid holds non-finite values")
        self.grid = grid
        self.extent = tuple(float(e) for e in extent)
        xmin, xmax, ymin, ymax = self.extent
        self.domain = (np.array([xmin, ymin]), np.array([xmax, ymax]))
        self._p = np.array(self.extent)
        iy, ix = np.unravel_index(np.argmin(grid), grid.shape)
        xs, ys = self.coordinates()
        # a bilinear interpolant takes its extreme values at nodes
        self.global_minimum = (np.array([xs[ix], ys[iy]]), float(grid[iy, ix]))

    @property
    def height(self):
        """z = 10 - loss on the grid nodes (exactly the generated heights)."""
        h = getattr(self, "_height", None)
        return LOSS_OFFSET - self.grid if h is None else h

    def coordinates(self):
        """Node coordinates (x of the columns, y of the rows)."""
        ny, nx = self.grid.shape
        xmin, xmax, ymin, ymax = self.extent
        return np.linspace(xmin, xmax, nx), np.linspace(ymin, ymax, ny)

    def kernel_args(self):
        return self._p, _EMPTY1, self.grid, _EMPTY2


def _diamond_square(levels, roughness, decay, rng):
    """Midpoint displacement on a (2^levels + 1)^2 grid, corners 0 (Fournier et al. 1982).

    Level by level (side s = 2^levels ... 2): each square's centre gets the mean of its 4
    corners, then each edge midpoint the mean of its 3 or 4 neighbours at distance s/2,
    each plus (U(0,1) - 0.5) * r; r starts at ``roughness`` and is multiplied by ``decay``
    after each level (decay 1/2 in the paper).
    """
    n = 2**levels
    z = np.zeros((n + 1, n + 1))
    r = roughness
    step = n
    while step > 1:
        h = step // 2
        m = n // step
        c = z[0:n:step, 0:n:step] + z[0:n:step, step::step]
        c += z[step::step, 0:n:step] + z[step::step, step::step]
        z[h::step, h::step] = c / 4.0 + (rng.random((m, m)) - 0.5) * r
        for rows, cols in (
            (np.arange(0, n + 1, step), np.arange(h, n, step)),
            (np.arange(h, n, step), np.arange(0, n + 1, step)),
        ):
            R, C = np.meshgrid(rows, cols, indexing="ij")
            total = np.zeros(R.shape)
            count = np.zeros(R.shape)
            for dr, dc in ((-h, 0), (h, 0), (0, -h), (0, h)):
                rr, cc = R + dr, C + dc
                ok = (rr >= 0) & (rr <= n) & (cc >= 0) & (cc <= n)
                total[ok] += z[rr[ok], cc[ok]]
                count += ok
            z[R, C] = total / count + (rng.random(R.shape) - 0.5) * r
        r *= decay
        step = h
    return z


class DiamondSquare(GridSurface):
    """The paper's fractal surface (Chen, Qu & Gong 2022; SCIENCE.md "The toy model").

    Diamond-square on a (2^levels + 1)^2 grid over [-1, 1]^2, corners 0, displacement
    (U(0,1) - 0.5) * r with r0 = ``roughness`` multiplied by ``decay`` per level; then
    ``clamp_border``: border nodes z <- min(z, 0); then ``water_level``: z < w -> w (None
    or False: off). Loss L = 10 - z. ``decay = 2^-H`` gives increments
    <(z(x+d) - z(x))^2> ~ |d|^(2H) (paper: decay 1/2, i.e. H = 1).
    """

    name = "diamond_square"

    def __init__(
        self,
        levels: int = 10,
        roughness: float = 3.0,
        decay: float = 0.5,
        water_level: float | None = -0.1,
        clamp_border: bool = True,
        seed: int = 0,
    ):
        own = "DiamondSquare"
        self.levels = check_int(own, "levels", levels, 1, 13)
        self.roughness = check_range(own, "roughness", roughness, 0.0)
        self.decay = check_range(own, "decay", decay, 0.0, 1.0, lo_open=True)
        if water_level is False or water_level is None:
            self.water_level = None
        else:
            self.water_level = check_range(own, "water_level", water_level)
        self.clamp_border = bool(clamp_border)
        self.seed = check_int(own, "seed", seed, 0)
        z = _diamond_square(
            self.levels, self.roughness, self.decay, np.random.default_rng(self.seed)
        )
        if self.clamp_border:
            for edge in (z[0, :], z[-1, :], z[:, 0], z[:, -1]):
                np.minimum(edge, 0.0, out=edge)
        if self.water_level is not None:
            np.maximum(z, self.water_level, out=z)
        self._set_height(z)

    @property
    def hurst(self):
        """H = -log2(decay)."""
        return float(-np.log2(self.decay))

    def describe(self):
        return {
            "name": self.name,
            "levels": self.levels,
            "roughness": self.roughness,
            "decay": self.decay,
            "water_level": self.water_level,
            "clamp_border": self.clamp_border,
            "seed": self.seed,
        }


class SpectralSurface(GridSurface):
    """2-D fractional Brownian surface by Fourier filtering (Voss 1985; Saupe 1988).

    White Gaussian noise is filtered with amplitude |k|^-(H+1) (power spectrum
    |k|^-(2H+2), increments ~ |d|^(2H)), the k = 0 mode removed, and the height scaled
    to standard deviation ``amplitude``; loss L = 10 - z on ``size`` x ``size`` nodes over
    [-1, 1]^2. ``periodic``: the last row/column repeat the first (the surface tiles the
    plane); otherwise a 2x larger periodic field is cropped.
    """

    name = "spectral"

    def __init__(
        self,
        size: int = 257,
        hurst: float = 0.5,
        seed: int = 0,
        periodic: bool = True,
        amplitude: float = 1.0,
    ):
        own = "SpectralSurface"
        self.size = check_int(own, "size", size, 8, 8193)
        self.hurst = check_range(own, "hurst", hurst, 0.0, 1.0, lo_open=True)
        self.seed = check_int(own, "seed", seed, 0)
        self.periodic = bool(periodic)
        self.amplitude = check_range(own, "amplitude", amplitude, 0.0, lo_open=True)
        rng = np.random.default_rng(self.seed)
        m = self.size - 1 if self.periodic else 2 * self.size
        k = np.hypot(*np.meshgrid(np.fft.fftfreq(m), np.fft.fftfreq(m), indexing="ij"))
        k[0, 0] = 1.0
        filt = k ** -(self.hurst + 1.0)
        filt[0, 0] = 0.0
        z = np.fft.ifft2(np.fft.fft2(rng.standard_normal((m, m))) * filt).real
        if self.periodic:
            z = np.pad(z, ((0, 1), (0, 1)), mode="wrap")
        else:
            z = z[: self.size, : self.size]
        z = (z - z.mean()) * (self.amplitude / z.std())
        self._set_height(z)

    def describe(self):
        return {
            "name": self.name,
            "size": self.size,
            "hurst": self.hurst,
            "seed": self.seed,
            "periodic": self.periodic,
            "amplitude": self.amplitude,
        }


class ShuffledControl(GridSurface):
    """The paper's "random" control: a grid surface's heights, pixels shuffled,
    Gaussian-smoothed with ``sigma_px`` (kernel truncated at 2 sigma, edges replicated, as
    MATLAB's imgaussfilt), then z -> sign(z) |z|^power; loss L = 10 - z.

    (The authors' MATLAB raises possibly negative smoothed heights to 0.7, which is
    complex there; the odd extension sign(z)|z|^p is our reading.)
    """

    name = "shuffled"

    def __init__(self, surface=None, sigma_px: float = 8.0, power: float = 0.7, seed: int = 0):
        from scipy.ndimage import gaussian_filter

        own = "ShuffledControl"
        if surface is None:
            surface = DiamondSquare()
        elif isinstance(surface, dict):
            from . import from_config

            surface = from_config(surface)
        if not isinstance(surface, GridSurface):
            raise ValueError(f"{own}: surface must be a grid surface, got {type(surface).__name__}")
        self.surface = surface
        self.sigma_px = check_range(own, "sigma_px", sigma_px, 0.0)
        self.power = check_range(own, "power", power, 0.0, lo_open=True)
        self.seed = check_int(own, "seed", seed, 0)
        z = surface.height
        z = np.random.default_rng(self.seed).permutation(z.ravel()).reshape(z.shape)
        if self.sigma_px > 0:
            z = gaussian_filter(z, self.sigma_px, mode="nearest", truncate=2.0)
        z = np.sign(z) * np.abs(z) ** self.power
        self._set_height(z, surface.extent)

    def describe(self):
        return {
            "name": self.name,
            "surface": self.surface.describe(),
            "sigma_px": self.sigma_px,
            "power": self.power,
            "seed": self.seed,
        }
