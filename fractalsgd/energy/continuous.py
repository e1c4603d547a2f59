"""Minima and transition states of continuous landscapes in d dimensions.

Works on any object with ``energy(x)`` (n,) and ``gradient(x)`` (n, dim) for x of shape
(n, dim) and ``dim``: :mod:`fractalsgd.landscapes` and :mod:`.potentials`.

* :func:`quench`: local minimisation, L-BFGS (scipy) or FIRE (Bitzek et al., PRL 97,
  170201 (2006)), the latter vectorised over many starting points.
* :func:`basin_hopping`: Monte Carlo on quenched energies (Li & Scheraga, PNAS 84, 6611
  (1987); Wales & Doye, JPCA 101, 5111 (1997)).
* :func:`connect`: nudged elastic band with the improved tangent and a climbing image
  (Henkelman & Jonsson, JCP 113, 9978 (2000); Henkelman, Uberuaga & Jonsson, JCP 113, 9901
  (2000)), the climbing image refined by Newton iteration on grad V = 0; bands that dip
  into intermediate minima are split there and connected piece by piece.
* :func:`explore`: the minima and transition states a set of walker trajectories visited.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .network import LandscapeNetwork

__all__ = [
    "QuenchResult",
    "quench",
    "BasinHoppingResult",
    "basin_hopping",
    "TransitionState",
    "Connection",
    "connect",
    "hessian",
    "explore",
]


def _as_points(x, dim: int, name: str = "x") -> np.ndarray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[None]
    if a.ndim != 2 or a.shape[1] != dim:
        raise ValueError(f"{name}: expected shape (n, {dim}) or ({dim},), got {np.shape(x)}")
    if not np.all(np.isfinite(a)):
        raise ValueError(
            f"{name}: non-finite coordinate at point {int(np.argwhere(~np.isfinite(a))[0, 0])}"
        )
    return a


def _dim(landscape) -> int:
    for attr in ("energy", "gradient", "dim"):
        if not hasattr(landscape, attr):
            raise ValueError(f"landscape: {type(landscape).__name__} has no {attr!r}")
    return int(landscape.dim)


# ----------------------------------------------------------------------------- quench
@dataclass
class QuenchResult:
    """Local minima reached from each starting point: ``x`` (n, dim), ``energy`` (n,),
    ``grad_norm`` (n,), ``converged`` (n,) bool, ``n_iter`` (n,)."""

    x: np.ndarray
    energy: np.ndarray
    grad_norm: np.ndarray
    converged: np.ndarray
    n_iter: np.ndarray


def _fire(landscape, x, gtol, maxiter, dt, maxstep, frozen=None):
    """Vectorised FIRE over independent points (rows). Returns x, converged, iterations."""
    n = x.shape[0]
    x = x.copy()
    v = np.zeros_like(x)
    dt_i = np.full(n, dt)
    dt_max = 10.0 * dt
    alpha = np.full(n, 0.1)
    n_pos = np.zeros(n, dtype=np.int64)
    done = np.zeros(n, dtype=bool)
    iters = np.zeros(n, dtype=np.int64)
    active = np.arange(n)
    for _ in range(maxiter):
        xa = x[active]
        f = -landscape.gradient(xa)
        fn = np.linalg.norm(f, axis=1)
        conv = fn < gtol
        if conv.any():
            done[active[conv]] = True
            keep = ~conv
            active, f, fn = active[keep], f[keep], fn[keep]
            if active.size == 0:
                break
        iters[active] += 1
        va = v[active]
        p = np.einsum("ij,ij->i", f, va)
        vn = np.linalg.norm(va, axis=1)
        a = alpha[active]
        with np.errstate(invalid="ignore", divide="ignore"):
            mix = np.where(fn > 0, vn / fn, 0.0)
        va = (1 - a)[:, None] * va + (a * mix)[:, None] * f
        up = p > 0
        n_pos[active[up]] += 1
        grow = up & (n_pos[active] > 5)
        dt_i[active[grow]] = np.minimum(dt_i[active[grow]] * 1.1, dt_max)
        alpha[active[grow]] *= 0.99
        down = ~up
        dt_i[active[down]] *= 0.5
        alpha[active[down]] = 0.1
        n_pos[active[down]] = 0
        va[down] = 0.0
        d = dt_i[active][:, None]
        va = va + d * f
        step = d * va
        sn = np.linalg.norm(step, axis=1)
        big = sn > maxstep
        step[big] *= (maxstep / sn[big])[:, None]
        x[active] += step
        v[active] = va
    return x, done, iters


def quench(
    landscape,
    x,
    method: str = "lbfgs",
    gtol: float = 1e-6,
    maxiter: int = 10000,
    dt: float = 0.01,
    maxstep: float = 0.05,
) -> QuenchResult:
    """Minimise the landscape locally from each point of ``x`` ((n, dim) or (dim,)).

    ``method``: "lbfgs" (scipy L-BFGS-B, one point at a time) or "fire" (all points at
    once; ``dt`` and ``maxstep`` set its time step and the largest move per iteration).
    Converged means |grad V| < ``gtol``.
    """
    dim = _dim(landscape)
    x = _as_points(x, dim)
    if method not in ("lbfgs", "fire"):
        raise ValueError(f"method must be 'lbfgs' or 'fire', got {method!r}")
    if not gtol > 0:
        raise ValueError(f"gtol must be > 0, got {gtol}")
    if method == "fire":
        xm, _, iters = _fire(landscape, x, gtol, int(maxiter), float(dt), float(maxstep))
    else:
        from scipy.optimize import minimize

        xm = np.empty_like(x)
        iters = np.zeros(x.shape[0], dtype=np.int64)

        def fun(p):
            q = p[None]
            return float(landscape.energy(q)[0]), np.asarray(landscape.gradient(q)[0], float)

        for i, p in enumerate(x):
            r = minimize(
                fun,
                p,
                jac=True,
                method="L-BFGS-B",
                options={"gtol": gtol / np.sqrt(dim), "ftol": 0.0, "maxiter": int(maxiter)},
            )
            xm[i] = r.x
            iters[i] = r.nit
    g = np.linalg.norm(landscape.gradient(xm), axis=1)
    return QuenchResult(xm, landscape.energy(xm), g, g < gtol * 10, iters)


# ----------------------------------------------------------------------------- database
class _MinimaDB:
    """Distinct minima by position (distance < tol)."""

    def __init__(self, dim, tol):
        self.x = np.empty((0, dim))
        self.e = np.empty(0)
        self.count = np.empty(0, dtype=np.int64)
        self.tol = tol

    def add(self, x, e, count=1) -> int:
        if self.e.size:
            d = np.linalg.norm(self.x - x, axis=1)
            j = int(np.argmin(d))
            if d[j] < self.tol:
                self.count[j] += count
                return j
        self.x = np.vstack([self.x, x])
        self.e = np.append(self.e, e)
        self.count = np.append(self.count, count)
        return self.e.size - 1


# ----------------------------------------------------------------------------- basin hopping
@dataclass
class BasinHoppingResult:
    """Distinct minima found (``x``, ``energy``, sorted by energy; ``visits``: quenches
    that ended there, accepted or not) and the
    Markov chain of accepted minimum numbers ``chain`` (indices into the unsorted order
    are remapped to the sorted one); ``acceptance`` is the fraction of accepted moves."""

    x: np.ndarray
    energy: np.ndarray
    visits: np.ndarray
    chain: np.ndarray
    acceptance: float

    @property
    def global_minimum(self) -> np.ndarray:
        return self.x[0]


def basin_hopping(
    landscape,
    n_steps: int,
    step_size: float,
    temperature: float,
    seed: int,
    x0=None,
    bounds=None,
    tol: float = 1e-4,
    method: str = "lbfgs",
    gtol: float = 1e-6,
) -> BasinHoppingResult:
    """Basin hopping: random displacement (uniform in [-step_size, step_size] per
    coordinate), quench, Metropolis acceptance exp(-dE / temperature) on quenched energies.

    ``x0``: start (default: uniform in ``bounds`` or the origin); ``bounds`` = (lo, hi)
    arrays or scalars: trial points are clipped into the box. Minima closer than ``tol``
    are the same minimum.
    """
    dim = _dim(landscape)
    if int(n_steps) < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    if not step_size > 0:
        raise ValueError(f"step_size must be > 0, got {step_size}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature}")
    rng = np.random.default_rng(seed)
    lo = hi = None
    if bounds is not None:
        lo = np.broadcast_to(np.asarray(bounds[0], float), (dim,))
        hi = np.broadcast_to(np.asarray(bounds[1], float), (dim,))
        if np.any(hi <= lo):
            raise ValueError("bounds: need lo < hi in every coordinate")
    if x0 is None:
        x0 = rng.uniform(lo, hi) if lo is not None else np.zeros(dim)
    x0 = _as_points(x0, dim, "x0")[0]
    db = _MinimaDB(dim, tol)

    def q(p):
        r = quench(landscape, p, method=method, gtol=gtol)
        return r.x[0], float(r.energy[0])

    xc, ec = q(x0)
    cur = db.add(xc, ec)
    chain = [cur]
    accepted = 0
    for _ in range(int(n_steps)):
        trial = xc + rng.uniform(-step_size, step_size, dim)
        if lo is not None:
            trial = np.clip(trial, lo, hi)
        xt, et = q(trial)
        if et <= ec or rng.random() < np.exp(-(et - ec) / temperature):
            xc, ec = xt, et
            cur = db.add(xt, et)
            accepted += 1
        else:
            db.add(xt, et)  # seen (and counted) but not accepted
        chain.append(cur)
    order = np.argsort(db.e, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return BasinHoppingResult(
        db.x[order],
        db.e[order],
        db.count[order],
        rank[np.asarray(chain)],
        accepted / max(int(n_steps), 1),
    )


# ----------------------------------------------------------------------------- NEB
def hessian(landscape, x, h: float = 1e-5) -> np.ndarray:
    """Hessian at x (dim,) by central differences of the gradient, symmetrised."""
    dim = _dim(landscape)
    x = _as_points(x, dim)[0]
    pts = np.concatenate([x + h * np.eye(dim), x - h * np.eye(dim)])
    g = landscape.gradient(pts)
    H = (g[:dim] - g[dim:]) / (2 * h)
    return 0.5 * (H + H.T)


@dataclass
class TransitionState:
    """A first-order saddle ``x`` with ``energy``, the minima it joins (``x_minus``,
    ``x_plus`` found by quenching either side along the unstable mode), ``n_negative``
    Hessian eigenvalues (1 for a true transition state; -1 if not computed) and its
    ``grad_norm``."""

    x: np.ndarray
    energy: float
    x_minus: np.ndarray
    x_plus: np.ndarray
    e_minus: float
    e_plus: float
    n_negative: int
    grad_norm: float


@dataclass
class Connection:
    """Result of :func:`connect`: ``minima`` (k, dim) from a to b, ``ts`` list of k - 1
    transition states, ``ts[i]`` between ``minima[i]`` and ``minima[i + 1]``; ``path``
    the images of the last band."""

    minima: np.ndarray
    ts: list
    path: np.ndarray = field(repr=False)

    @property
    def barrier(self) -> float:
        """Highest transition state on the connection (inf if a piece failed)."""
        return max((t.energy for t in self.ts), default=float("nan"))


def _tangents(R, E):
    """Improved tangent (Henkelman & Jonsson 2000) at interior images."""
    tp = R[2:] - R[1:-1]
    tm = R[1:-1] - R[:-2]
    Ep, E0, Em = E[2:], E[1:-1], E[:-2]
    dVmax = np.maximum(np.abs(Ep - E0), np.abs(Em - E0))
    dVmin = np.minimum(np.abs(Ep - E0), np.abs(Em - E0))
    up = (Ep > E0) & (E0 > Em)
    down = (Ep < E0) & (E0 < Em)
    mixed = ~(up | down)
    w_plus = np.where(Ep > Em, dVmax, dVmin)
    w_minus = np.where(Ep > Em, dVmin, dVmax)
    t = np.where(up[:, None], tp, np.where(down[:, None], tm, 0.0))
    t = np.where(mixed[:, None], w_plus[:, None] * tp + w_minus[:, None] * tm, t)
    norm = np.linalg.norm(t, axis=1, keepdims=True)
    norm[norm == 0] = 1.0
    return t / norm


def _neb(landscape, R, k, climbing, gtol, maxiter, dt, maxstep):
    """Relax band R (N+2, dim) with fixed ends by FIRE on the NEB force. Returns R, E, ci."""
    R = R.copy()
    v = np.zeros_like(R[1:-1])
    alpha, n_pos, dti = 0.1, 0, dt
    ci = -1
    E = landscape.energy(R)
    for _ in range(maxiter):
        E[1:-1] = landscape.energy(R[1:-1])
        G = landscape.gradient(R[1:-1])
        tau = _tangents(R, E)
        gpar = np.einsum("ij,ij->i", G, tau)
        F = -G + gpar[:, None] * tau
        dist = np.linalg.norm(np.diff(R, axis=0), axis=1)
        F += (k * (dist[1:] - dist[:-1]))[:, None] * tau
        if climbing:
            ci = int(np.argmax(E[1:-1]))
            F[ci] = -G[ci] + 2 * gpar[ci] * tau[ci]
        fmax = np.max(np.linalg.norm(F, axis=1))
        if fmax < gtol:
            break
        # FIRE on the whole band
        P = float(np.sum(F * v))
        fn, vn = np.linalg.norm(F), np.linalg.norm(v)
        v = (1 - alpha) * v + alpha * vn / max(fn, 1e-300) * F
        if P > 0:
            n_pos += 1
            if n_pos > 5:
                dti, alpha = min(dti * 1.1, 10 * dt), alpha * 0.99
        else:
            dti, alpha, n_pos = dti * 0.5, 0.1, 0
            v[:] = 0.0
        v = v + dti * F
        step = dti * v
        sn = np.linalg.norm(step, axis=1)
        big = sn > maxstep
        step[big] *= (maxstep / sn[big])[:, None]
        R[1:-1] += step
    E[1:-1] = landscape.energy(R[1:-1])
    return R, E, (ci + 1 if climbing else -1)


def _refine_saddle(landscape, x, radius, gtol, maxiter=50):
    """Newton iteration on grad V = 0 from x; kept only if it stays within ``radius``."""
    x0 = x.copy()
    for _ in range(maxiter):
        g = landscape.gradient(x[None])[0]
        if np.linalg.norm(g) < gtol:
            break
        H = hessian(landscape, x)
        try:
            dx = np.linalg.solve(H, -g)
        except np.linalg.LinAlgError:
            return x0
        x = x + dx
        if np.linalg.norm(x - x0) > radius or not np.all(np.isfinite(x)):
            return x0
    return x


def _characterise(landscape, x, step, quench_kw):
    dim = x.size
    g = float(np.linalg.norm(landscape.gradient(x[None])[0]))
    nneg, mode = -1, None
    if dim <= 200:
        w, V = np.linalg.eigh(hessian(landscape, x))
        nneg = int(np.sum(w < -1e-8 * max(1.0, np.abs(w).max())))
        mode = V[:, 0]
    if mode is None:
        mode = np.zeros(dim)
        mode[0] = 1.0
    # FIRE with small moves first (stays on the side it starts on), then polish
    sides = np.stack([x - step * mode, x + step * mode])
    gs = max(1e-3 * float(np.linalg.norm(landscape.gradient(sides), axis=1).max()), 1e-12)
    q = quench(landscape, sides, method="fire", gtol=gs, maxstep=step, dt=0.1 * step)
    q = quench(landscape, q.x, **quench_kw)
    e = float(landscape.energy(x[None])[0])
    return TransitionState(x, e, q.x[0], q.x[1], float(q.energy[0]), float(q.energy[1]), nneg, g)


def connect(
    landscape,
    min_a,
    min_b,
    n_images: int = 16,
    k: float | None = None,
    gtol: float = 1e-4,
    maxiter: int = 3000,
    dt: float = 0.01,
    maxstep: float | None = None,
    refine: bool = True,
    tol: float = 1e-4,
    max_depth: int = 6,
    max_bands: int = 24,
    quench_kw: dict | None = None,
) -> Connection:
    """Connect two minima by transition states with a climbing-image NEB.

    The band of ``n_images`` movable images starts on the straight line from a to b and is
    relaxed without climbing; if its energy profile dips into interior local minima, those
    images are quenched and each piece is connected recursively (up to ``max_depth``).
    Otherwise the climbing image is switched on, converged to max |F_NEB| < ``gtol``,
    refined by Newton iteration (dim <= 200) and checked: its Hessian should have one
    negative eigenvalue, and quenching either side along that mode gives the minima it
    joins. ``k``: spring constant (default: median |grad V| on the initial band divided
    by the image spacing, so spring and true forces are comparable). At most
    ``max_bands`` bands are relaxed in all (rough landscapes split endlessly); past that,
    pieces are closed by their climbing image without further splitting.
    """
    dim = _dim(landscape)
    a = _as_points(min_a, dim, "min_a")[0]
    b = _as_points(min_b, dim, "min_b")[0]
    if int(n_images) < 3:
        raise ValueError(f"n_images must be >= 3, got {n_images}")
    qkw = {"method": "lbfgs", "gtol": 1e-8}
    qkw.update(quench_kw or {})
    opts = dict(
        n_images=int(n_images),
        k=k,
        gtol=gtol,
        maxiter=int(maxiter),
        dt=dt,
        maxstep=maxstep,
        refine=refine,
        tol=tol,
        quench_kw=qkw,
        budget=[int(max_bands)],
    )
    return _connect(landscape, a, b, max_depth, opts)


def _connect(landscape, a, b, depth, o):
    L = float(np.linalg.norm(b - a))
    if L < o["tol"]:
        raise ValueError("min_a and min_b are the same minimum (closer than tol)")
    s = np.linspace(0.0, 1.0, o["n_images"] + 2)[:, None]
    R = a + s * (b - a)
    if a.size > 1:
        # bend the band slightly off the straight line (fixed direction, so deterministic):
        # a perfectly symmetric band can sit on a higher-order saddle for ever
        u = np.cos(np.arange(1, a.size + 1) * 1.618)
        u -= (u @ (b - a)) / L**2 * (b - a)
        if np.linalg.norm(u) > 0:
            R += 0.02 * L * np.sin(np.pi * s) * u / np.linalg.norm(u)
    d = L / (o["n_images"] + 1)
    k = o["k"]
    if k is None:
        gn = np.linalg.norm(landscape.gradient(R[1:-1]), axis=1)
        k = max(float(np.median(gn)) / d, 1e-8)
    maxstep = o["maxstep"] if o["maxstep"] is not None else 0.5 * d
    o["budget"][0] -= 1
    if o["budget"][0] <= 0:
        depth = 0
    R, E, _ = _neb(landscape, R, k, False, o["gtol"], o["maxiter"] // 2, o["dt"], maxstep)
    interior = np.flatnonzero((E[1:-1] < E[:-2]) & (E[1:-1] < E[2:])) + 1
    if interior.size and depth > 0:
        q = quench(landscape, R[interior], **o["quench_kw"])
        mids = [a]
        for xm in q.x:
            if (
                all(np.linalg.norm(xm - m) > o["tol"] for m in mids)
                and np.linalg.norm(xm - b) > o["tol"]
            ):
                mids.append(xm)
        mids.append(b)
        if len(mids) > 2:
            minima, ts = [a], []
            for p, r in zip(mids[:-1], mids[1:]):
                c = _connect(landscape, p, r, depth - 1, o)
                minima.extend(list(c.minima[1:]))
                ts.extend(c.ts)
                R = c.path
            return Connection(np.asarray(minima), ts, R)
    R, E, ci = _neb(landscape, R, k, True, o["gtol"], o["maxiter"], o["dt"], maxstep)
    x = R[ci].copy()
    if o["refine"] and x.size <= 200:
        x = _refine_saddle(landscape, x, radius=d, gtol=1e-10)
    ts = _characterise(landscape, x, 0.1 * d, o["quench_kw"])
    # orient the saddle a -> b and connect any end it does not reach
    if np.linalg.norm(ts.x_minus - b) + np.linalg.norm(ts.x_plus - a) < np.linalg.norm(
        ts.x_minus - a
    ) + np.linalg.norm(ts.x_plus - b):
        ts = TransitionState(
            ts.x,
            ts.energy,
            ts.x_plus,
            ts.x_minus,
            ts.e_plus,
            ts.e_minus,
            ts.n_negative,
            ts.grad_norm,
        )
    tol = o["tol"]
    minima, chain = [a], []
    if ts.x_minus is not None and np.linalg.norm(ts.x_minus - a) > tol:
        if depth <= 0 or np.linalg.norm(ts.x_minus - ts.x_plus) < tol:
            return Connection(np.stack([a, b]), [ts], R)
        c = _connect(landscape, a, ts.x_minus, depth - 1, o)
        minima.extend(list(c.minima[1:]))
        chain.extend(c.ts)
    else:
        ts.x_minus = a
    chain.append(ts)
    if np.linalg.norm(ts.x_plus - b) > tol:
        minima.append(ts.x_plus)
        if depth > 0 and np.linalg.norm(ts.x_plus - a) > tol:
            c = _connect(landscape, ts.x_plus, b, depth - 1, o)
            minima.extend(list(c.minima[1:]))
            chain.extend(c.ts)
        else:
            minima[-1] = b
    else:
        ts.x_plus = b
        minima.append(b)
    return Connection(np.asarray(minima), chain, R)


# ----------------------------------------------------------------------------- explore
def _trajectory_points(trajectory, dim):
    try:
        import xarray as xr
    except ImportError:  # pragma: no cover
        xr = None
    if xr is not None and isinstance(trajectory, xr.Dataset):
        if "position" not in trajectory:
            raise ValueError("trajectory: Dataset has no variable 'position'")
        p = trajectory["position"].transpose("walker", "time", "coord").values
    elif xr is not None and isinstance(trajectory, xr.DataArray):
        p = trajectory.transpose("walker", "time", "coord").values
    else:
        p = np.asarray(trajectory, dtype=np.float64)
        if p.ndim == 2:
            p = p[None]
    if p.ndim != 3 or p.shape[2] != dim:
        raise ValueError(f"trajectory: expected positions (walker, time, {dim}), got {p.shape}")
    bad = ~np.isfinite(p)
    if bad.any():
        w, t, _ = np.argwhere(bad)[0]
        raise ValueError(f"trajectory: non-finite position at walker {w}, time index {t}")
    return np.asarray(p, dtype=np.float64)


def explore(
    landscape,
    trajectory,
    every: int = 1,
    tol: float = 1e-3,
    method: str = "fire",
    gtol: float = 1e-6,
    connect_kw: dict | None = None,
    return_assignment: bool = False,
):
    """The energy landscape the walkers visited: quench every ``every``-th snapshot of each
    walker, merge minima closer than ``tol``, and connect consecutive distinct minima of
    each walker by :func:`connect`. Minima found only by a connection are added too;
    saddles whose Hessian has more than one negative eigenvalue are left out (counted in
    ``config["n_rejected_saddles"]``).

    ``trajectory``: a schema Dataset (``position(walker, time, coord)``) or an array
    (walker, time, dim) / (time, dim). Returns a :class:`LandscapeNetwork` whose
    ``basin_size`` counts the snapshots quenched into each minimum (0 for minima found by
    connections); with ``return_assignment`` also the (walker, snapshot) array of minimum
    numbers.
    """
    dim = _dim(landscape)
    if int(every) < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    p = _trajectory_points(trajectory, dim)[:, :: int(every)]
    W, T, _ = p.shape
    q = quench(landscape, p.reshape(-1, dim), method=method, gtol=gtol)
    db = _MinimaDB(dim, tol)
    assign = np.array([db.add(x, e) for x, e in zip(q.x, q.energy)]).reshape(W, T)
    pairs = []
    for w in range(W):
        seq = assign[w]
        change = np.flatnonzero(seq[1:] != seq[:-1])
        for i in change:
            pr = (int(min(seq[i], seq[i + 1])), int(max(seq[i], seq[i + 1])))
            if pr not in pairs:
                pairs.append(pr)
    ts_e, ts_pair, ts_x = [], [], []
    seen = set()
    rejected = 0
    ckw = {"tol": tol}
    ckw.update(connect_kw or {})
    for i, j in pairs:
        c = connect(landscape, db.x[i], db.x[j], **ckw)
        for t in c.ts:
            if t.n_negative not in (1, -1):  # not a first-order saddle
                rejected += 1
                continue
            m0 = db.add(t.x_minus, t.e_minus, count=0)
            m1 = db.add(t.x_plus, t.e_plus, count=0)
            if m0 == m1:
                continue
            key = (min(m0, m1), max(m0, m1))
            if key in seen:
                continue
            seen.add(key)
            ts_e.append(max(t.energy, db.e[m0], db.e[m1]))
            ts_pair.append(key)
            ts_x.append(t.x)
    net = LandscapeNetwork(
        energy=db.e,
        ts_energy=np.asarray(ts_e, dtype=np.float64),
        ts_pair=np.asarray(ts_pair, dtype=np.int64).reshape(-1, 2),
        basin_size=db.count,
        position=db.x,
        ts_position=np.asarray(ts_x, dtype=np.float64).reshape(-1, dim),
        config={
            "method": "explore",
            "every": int(every),
            "tol": tol,
            "n_rejected_saddles": rejected,
            "landscape": landscape.describe() if hasattr(landscape, "describe") else None,
        },
    )
    return (net, assign) if return_assignment else net
