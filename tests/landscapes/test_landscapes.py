import json

import numpy as np
import pytest

from fractalsgd.landscapes import (
    LANDSCAPES,
    Cone,
    Cosine,
    DiamondSquare,
    Flat,
    Quadratic,
    ShuffledControl,
    SpectralSurface,
    Weierstrass,
    from_config,
)

EPS = np.finfo(float).eps


def _all_landscapes():
    ds = DiamondSquare(levels=6, seed=3)
    return [
        Flat(3),
        Quadratic(3, k=2.5),
        Cone(3, slope=0.7, offset=1.0),
        Cosine(3, amplitude=0.8, period=0.6),
        Weierstrass(4, hurst=0.4, gamma=1.7, n_terms=12, seed=2),
        Weierstrass(4, hurst=0.6, n_terms=10, seed=5, rotate=True, confine=0.3),
        ds,
        SpectralSurface(65, hurst=0.6, seed=1),
        SpectralSurface(40, hurst=0.3, seed=1, periodic=False),
        ShuffledControl(ds, sigma_px=2, seed=4),
    ]


def _third_derivative_bound(L):
    """max |d^3 U / dx_j^3| along a coordinate, used for the finite-difference tolerance."""
    if isinstance(L, Weierstrass):
        n = np.arange(L.n_terms)
        # |sum_i R_ij^3 f_i'''| <= max|f'''| sum_i |R_ij|^3 <= max|f'''| for orthogonal R
        return L.amplitude * np.sum(L.gamma ** (n * (3 - L.hurst)))
    if isinstance(L, Cosine):
        return L.amplitude * (2 * np.pi / L.period) ** 3
    if isinstance(L, Cone):
        return 3 * L.slope / 0.3**2  # points are kept at ||x|| >= 0.3
    return 0.0  # quadratic, flat, and the bilinear interpolant along a coordinate


@pytest.mark.parametrize("L", _all_landscapes(), ids=lambda L: L.name)
def test_gradient_matches_finite_differences(L):
    rng = np.random.default_rng(7)
    h = 1e-6
    if L.domain is not None:
        # keep points away from cell edges: the bilinear gradient jumps across them
        xs, ys = L.coordinates()
        ix = rng.integers(1, xs.size - 2, 50)
        iy = rng.integers(1, ys.size - 2, 50)
        f = rng.uniform(0.1, 0.9, (50, 2))
        x = np.column_stack(
            [xs[ix] + f[:, 0] * (xs[1] - xs[0]), ys[iy] + f[:, 1] * (ys[1] - ys[0])]
        )
    else:
        x = rng.uniform(-1.5, 1.5, (50, L.dim))
        x = x[np.linalg.norm(x, axis=1) >= 0.3]
    g = L.gradient(x)
    assert g.shape == x.shape
    fd = np.stack(
        [(L.energy(x + h * e) - L.energy(x - h * e)) / (2 * h) for e in np.eye(L.dim)], axis=1
    )
    # central difference: truncation h^2/6 max|U'''| plus rounding 4 eps S / (2h), with S
    # the size of what is rounded: |U|, the summed terms, and the arguments (|x| |grad U|)
    scale = np.abs(L.energy(x)) + 1.0 + np.sum(np.abs(x * g), axis=1)
    if isinstance(L, Weierstrass):
        n = np.arange(L.n_terms)
        w = L.amplitude * L.gamma ** (-n * L.hurst)
        ymax = np.abs(x).sum(axis=1)
        scale = scale + L.dim * (w.sum() + (w * L.gamma**n).sum() * ymax)
    if isinstance(L, Cosine):
        scale = scale + 2 * L.amplitude * L.dim
    scale = scale[:, None]
    tol = h**2 / 6 * _third_derivative_bound(L) + 4 * EPS * scale / (2 * h)
    assert np.all(np.abs(g - fd) <= tol), np.max(np.abs(g - fd) - tol)


def test_weierstrass_energy_matches_direct_formula():
    L = Weierstrass(3, hurst=0.3, gamma=2.0, n_terms=15, amplitude=0.7, seed=9, rotate=True)
    x = np.random.default_rng(1).normal(size=(20, 3)) * 3
    y = x @ L.rotation.T
    n = np.arange(15)
    w = 0.7 * 2.0 ** (-n * 0.3)
    ph = L.phases  # (n_terms, dim)
    direct = np.sum(
        w[None, :, None]
        * (np.cos(ph)[None] - np.cos(2.0 ** n[None, :, None] * y[:, None, :] + ph[None])),
        axis=(1, 2),
    )
    np.testing.assert_allclose(L.energy(x), direct, rtol=0, atol=1e-12 * np.sum(w) * 3)
    assert L.energy(np.zeros(3)) == pytest.approx(0.0, abs=1e-13)
    np.testing.assert_allclose(L.rotation @ L.rotation.T, np.eye(3), atol=1e-14)
    # confinement adds k/2 |x|^2 exactly
    Lc = Weierstrass(
        3, hurst=0.3, gamma=2.0, n_terms=15, amplitude=0.7, seed=9, rotate=True, confine=0.4
    )
    np.testing.assert_allclose(Lc.energy(x) - L.energy(x), 0.2 * np.sum(x**2, 1), rtol=1e-12)


def test_controls_closed_forms():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [-1.0, 0.5]])
    np.testing.assert_allclose(Cone(2).energy(x), 9 + 0.5 * np.hypot(x[:, 0], x[:, 1]))
    np.testing.assert_allclose(Cone(2).gradient(x)[0], [0.3, 0.4])
    assert np.array_equal(Cone(2).gradient(x)[1], [0.0, 0.0])
    np.testing.assert_allclose(Quadratic(2, k=3).energy(x), 1.5 * np.sum(x**2, 1))
    np.testing.assert_allclose(
        Cosine(2, amplitude=2, period=4).energy(x),
        2 * np.sum(1 - np.cos(2 * np.pi * x / 4), 1),
        atol=1e-14,
    )
    assert np.array_equal(Flat(2).energy(x), np.zeros(3))
    assert Cone(2).global_minimum[1] == 9.0
    assert Quadratic(2).energy(np.array([1.0, 1.0])) == 1.0  # single point -> scalar


@pytest.mark.parametrize("L", _all_landscapes(), ids=lambda L: L.name)
def test_from_config_round_trip(L):
    cfg = json.loads(json.dumps(L.describe()))
    L2 = from_config(cfg)
    assert type(L2) is type(L) and L2.describe() == L.describe()
    x = np.random.default_rng(0).uniform(-0.9, 0.9, (10, L.dim))
    assert np.array_equal(L2.energy(x), L.energy(x))
    assert np.array_equal(L2.gradient(x), L.gradient(x))
    assert cfg["name"] in LANDSCAPES


@pytest.mark.parametrize(
    "cfg, words",
    [
        ({"name": "nope"}, ["unknown landscape", "weierstrass"]),
        ({"name": "weierstrass", "hurst": 0.0}, ["hurst", "(0, 1]"]),
        ({"name": "weierstrass", "hurst": 1.5}, ["hurst", "(0, 1]"]),
        ({"name": "weierstrass", "gamma": 1.0}, ["gamma", "(1, inf)"]),
        ({"name": "weierstrass", "dim": -2}, ["dim", ">= 1"]),
        ({"name": "weierstrass", "frobs": 1}, ["frobs", "allowed"]),
        ({"name": "spectral", "size": -5}, ["size"]),
        ({"name": "spectral", "hurst": 2}, ["hurst", "(0, 1]"]),
        ({"name": "diamond_square", "levels": 0}, ["levels"]),
        ({"name": "diamond_square", "decay": 1.5}, ["decay", "(0, 1]"]),
        ({"name": "quadratic", "k": "x"}, ["k must be a number"]),
        ({"name": "cone", "slope": -1}, ["slope"]),
        ({"name": "shuffled", "surface": {"name": "flat", "dim": 2}}, ["grid surface"]),
        ("weierstrass", ["must be a dict"]),
    ],
)
def test_bad_configs_raise_one_line(cfg, words):
    with pytest.raises(ValueError) as exc:
        from_config(cfg)
    msg = str(exc.value)
    assert "\n" not in msg
    for w in words:
        assert w in msg


def test_points_shape_checked():
    with pytest.raises(ValueError, match=r"shape \(n, 3\)"):
        Flat(3).energy(np.zeros((4, 2)))


def test_weierstrass_increments_scale_as_d_to_2h():
    # For x uniform over a long interval the cross terms between frequencies average out
    # and <(U(x+d) - U(x))^2>_x = A^2 sum_n gamma^(-2nH) (1 - cos(gamma^n d)) =: S(d),
    # which grows as d^(2H) for gamma^-(N-1) << d << 1 (Berry & Lewis 1980).
    H, g, N = 0.35, 1.5, 60
    L = Weierstrass(1, hurst=H, gamma=g, n_terms=N, seed=3)
    n = np.arange(N)
    w2 = g ** (-2 * n * H)
    d = g ** -np.arange(5.0, 40.0, 0.5)
    S = np.array([np.sum(w2 * (1 - np.cos(g**n * dd))) for dd in d])
    slope = np.polyfit(np.log(d), np.log(S), 1)[0]
    assert abs(slope - 2 * H) < 0.02  # log-periodic ripples only
    x = np.random.default_rng(0).uniform(0, 2000, 100_000)[:, None]
    u0 = L.energy(x)
    for dd, s in zip(d[::10], S[::10]):
        emp = np.mean((L.energy(x + dd) - u0) ** 2)
        # sampling error of a mean of 1e5 squared increments (relative ~ sqrt(2/1e5))
        # plus the residual cross terms (~ 1/sqrt(1e5) relative): 5% is > 4 SE
        assert abs(emp / s - 1) < 0.05, (dd, emp, s)
