"""Directions, lines, surfaces and trajectory projection (fractalsgd.dnn.probes)."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from fractalsgd.dnn.probes import (
    loss_line,
    loss_lines,
    loss_surface,
    pca_directions,
    random_directions,
    trajectory_surface,
)
from fractalsgd.dnn.probes._common import Batches, evaluate, flat, trainable


class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.fc = nn.Linear(4 * 4 * 4, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.bn(self.conv(x))).flatten(1))


def convbn_setup(seed=0, n=48):
    torch.manual_seed(seed)
    m = ConvBN()
    x = torch.randn(n, 1, 6, 6)
    y = torch.randint(0, 3, (n,))
    m.train()
    with torch.no_grad():  # give BN non-trivial running statistics
        for _ in range(3):
            m(x * 2 + 1)
    return m, x, y


def linreg_setup(seed=0, n=40, d=3):
    """Least squares: L(w, b) = mean((X w + b - y)^2) is exactly quadratic, with
    gradient g = 2/N A'(A theta - y) and Hessian H = 2/N A'A, A = [X 1]."""
    torch.manual_seed(seed)
    m = nn.Linear(d, 1)
    x = torch.randn(n, d) * torch.tensor([3.0, 1.0, 0.3])[:d]
    y = torch.randn(n, 1)
    A = np.hstack([x.numpy().astype(np.float64), np.ones((n, 1))])
    theta = flat(trainable(m)).double().numpy()

    def L(th):
        r = A @ th - y.numpy().astype(np.float64)[:, 0]
        return float(np.mean(r**2))

    return m, x, y, A, theta, L


mse = nn.functional.mse_loss


def test_filter_normalisation_norms_and_ignored_zero():
    m, _, _ = convbn_setup()
    d = random_directions(m, norm="filter", ignore="biasbn", seed=3)
    params = trainable(m)
    assert len(d) == len(params)
    for di, p in zip(d, params):
        assert di.shape == p.shape and di.dtype == p.dtype
        if p.dim() <= 1:
            assert torch.count_nonzero(di) == 0  # biases and BN affine ignored
        else:
            dn = di.reshape(di.shape[0], -1).norm(dim=1)
            wn = p.detach().reshape(p.shape[0], -1).norm(dim=1)
            # float32 storage of a float64 rescaling: relative error ~ 1e-7
            torch.testing.assert_close(dn, wn, rtol=1e-5, atol=0)
            assert not torch.allclose(di, p.detach())  # a random direction, not theta
    d2 = random_directions(m, norm="filter", seed=3)
    assert all(torch.equal(a, b) for a, b in zip(d, d2))
    d3 = random_directions(m, norm="filter", seed=4)
    assert not torch.equal(d[0], d3[0])


def test_layer_model_norms_and_ignore_none():
    m, _, _ = convbn_setup()
    params = trainable(m)
    dl = random_directions(m, norm="layer", seed=1)
    for di, p in zip(dl, params):
        if p.dim() > 1:
            assert float(di.norm()) == pytest.approx(float(p.detach().norm()), rel=1e-5)
    dm = random_directions(m, norm="model", seed=1)
    wn = np.sqrt(sum(float((p.detach() ** 2).sum()) for p in params if p.dim() > 1))
    assert float(flat(dm).norm()) == pytest.approx(wn, rel=1e-5)
    dn = random_directions(m, norm="filter", ignore=None, seed=1)
    for di, p in zip(dn, params):
        if p.dim() <= 1:
            assert torch.equal(di, p.detach())  # Li et al.: d = theta for 1-D parameters
    with pytest.raises(ValueError, match="norm must be one of"):
        random_directions(m, norm="unit")
    with pytest.raises(ValueError, match="ignore"):
        random_directions(m, ignore="bn")


def test_line_is_the_exact_quadratic_and_centre_included():
    m, x, y, A, theta, L = linreg_setup()
    torch.manual_seed(5)
    d = torch.randn(4, dtype=torch.float64)
    ds = loss_line(m, (x, y), d, span=2.0, n=20, loss_fn=mse)
    a = ds["alpha"].values
    assert a.size == 21 and a[10] == 0.0 and np.allclose(a, -a[::-1])
    expect = np.array([L(theta + ai * d.numpy()) for ai in a])
    # float32 forward pass: relative rounding ~ 1e-6 of the loss
    np.testing.assert_allclose(ds["loss"].values, expect, rtol=1e-5)
    assert ds.attrs["loss0"] == evaluate(m, Batches((x, y)), mse)[0]
    assert ds.attrs["result_type"] == "loss_line" and ds.attrs["kind"] == "result"
    # a (lo, hi) range straddling 0 gets the centre inserted
    ds2 = loss_line(m, (x, y), d, span=(-0.3, 1.0), n=4, loss_fn=mse)
    assert 0.0 in ds2["alpha"].values and ds2["alpha"].size == 5


def test_lines_across_scales_match_quadratic():
    m, x, y, A, theta, L = linreg_setup()
    d = torch.randn(4, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    spans = [1e-2, 1e-1, 1.0]
    ds = loss_lines(m, (x, y), d, spans=spans, n=11, loss_fn=mse)
    assert ds["loss"].dims == ("span", "point") and ds.attrs["result_type"] == "loss_lines"
    for s in spans:
        alpha = ds["alpha"].sel(span=s).values
        np.testing.assert_allclose(alpha, s * ds["t"].values)
        expect = [L(theta + ai * d.numpy()) for ai in alpha]
        np.testing.assert_allclose(ds["loss"].sel(span=s).values, expect, rtol=1e-5)
    # at small span the excess loss is linear (g.d) and at large span quadratic: the ratio
    # of the symmetric part to the antisymmetric part grows as span (exact for a quadratic)
    sym = ds["loss"].values[:, 0] + ds["loss"].values[:, -1] - 2 * ds.attrs["loss0"]
    anti = ds["loss"].values[:, -1] - ds["loss"].values[:, 0]
    ratio = sym / anti
    assert ratio[1] / ratio[0] == pytest.approx(10, rel=0.05)


def test_surface_is_exact_quadratic_plane():
    m, x, y, A, theta, L = linreg_setup()
    g = torch.Generator().manual_seed(9)
    d1 = torch.randn(4, dtype=torch.float64, generator=g)
    d2 = torch.randn(4, dtype=torch.float64, generator=g)
    ds = loss_surface(m, (x, y), d1, d2, span=((-1, 1), (-0.5, 0.5)), n=9, loss_fn=mse)
    X, Y = np.meshgrid(ds.x.values, ds.y.values)
    expect = np.vectorize(lambda a, b: L(theta + a * d1.numpy() + b * d2.numpy()))(X, Y)
    np.testing.assert_allclose(ds["loss"].values, expect, rtol=1e-5)
    assert ds["loss"].dims == ("y", "x") and ds.attrs["result_type"] == "loss_surface"


def test_surface_restores_model_bit_identically():
    m, x, y = convbn_setup(n=16)
    m.train()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    data = [(x[:8], y[:8]), (x[8:], y[8:])]
    loss0 = evaluate(m.eval(), Batches(data))[0]
    m.train()
    d1 = random_directions(m, seed=1)
    d2 = random_directions(m, seed=2)
    ds = loss_surface(m, data, d1, d2, n=11)
    assert ds["loss"].shape == (11, 11)
    assert ds.attrs["loss0"] == loss0 == ds["loss"].values[5, 5]
    after = m.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert m.training and m.bn.training
    assert np.isfinite(ds["loss"].values).all()
    assert ((ds["accuracy"].values >= 0) & (ds["accuracy"].values <= 1)).all()


def test_default_surface_grid_is_51x51_on_unit_square():
    m, x, y, A, theta, L = linreg_setup()
    g = torch.Generator().manual_seed(1)
    d1, d2 = (torch.randn(4, dtype=torch.float64, generator=g) for _ in range(2))
    ds = loss_surface(m, (x, y), d1, d2, loss_fn=mse)
    assert ds["loss"].shape == (51, 51)
    for c in (ds.x.values, ds.y.values):
        assert c[25] == 0.0 and c[0] == -1.0 and c[-1] == 1.0
        np.testing.assert_allclose(np.diff(c), 0.04, rtol=1e-12)
    assert ds["loss"].values[25, 25] == ds.attrs["loss0"]
    assert ds["loss"].values[25, 25] == pytest.approx(L(theta), rel=1e-6)


def test_bn_train_mode_and_restore_on_error():
    m, x, y = convbn_setup()
    m.eval()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    d = random_directions(m, seed=1)
    e = loss_line(m, (x, y), d, span=0.5, n=5)
    t = loss_line(m, (x, y), d, span=0.5, n=5, bn="train")
    # batch statistics differ from running statistics: a different loss at the centre
    assert abs(e.attrs["loss0"] - t.attrs["loss0"]) > 1e-3
    mc = copy.deepcopy(m).train()
    with torch.no_grad():
        ref = nn.functional.cross_entropy(mc(x), y).item()
    assert t.attrs["loss0"] == pytest.approx(ref, rel=1e-6)
    assert all(torch.equal(before[k], m.state_dict()[k]) for k in before)
    calls = []

    def boom(out, yy):
        calls.append(1)
        if len(calls) > 2:
            raise RuntimeError("boom")
        return nn.functional.cross_entropy(out, yy)

    with pytest.raises(RuntimeError):
        loss_surface(m, (x, y), d, d, n=5, loss_fn=boom)
    assert all(torch.equal(before[k], m.state_dict()[k]) for k in before)
    assert not m.training


def test_fixed_subset_of_a_shuffled_loader():
    m, x, y = convbn_setup()
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=True
    )
    d = random_directions(m, seed=0)
    ds = loss_line(m, loader, d, span=0.1, n=3, max_batches=2)
    assert ds.attrs["config"].count('"n_samples": 16')


def test_bad_input_one_line():
    m, x, y = convbn_setup()
    d = random_directions(m, seed=0)
    with pytest.raises(ValueError, match="span must be a positive"):
        loss_line(m, (x, y), d, span=0)
    with pytest.raises(ValueError, match="empty"):
        loss_line(m, (x[:0], y[:0]), d)
    with pytest.raises(ValueError, match="empty"):
        loss_line(m, [], d)
    with pytest.raises(ValueError, match="entries, the model has"):
        loss_line(m, (x, y), torch.zeros(7))
    with pytest.raises(ValueError, match="direction is zero"):
        loss_line(m, (x, y), [torch.zeros_like(p) for p in trainable(m)])
    with pytest.raises(ValueError, match="n must be"):
        loss_surface(m, (x, y), d, d, n=1)
    with pytest.raises(ValueError, match="bn must be"):
        loss_line(m, (x, y), d, bn="batch")


def _planar_path(theta, seed=0, T=12, noise=0.0):
    rng = np.random.default_rng(seed)
    P = theta.size
    q, _ = np.linalg.qr(rng.standard_normal((P, 2)))
    s = np.linspace(0, 1, T)
    xy = np.stack([2 * (1 - s) ** 2 + 0.3 * np.sin(6 * s), -(1 - s) * 1.5 * s], axis=1)
    path = theta + xy @ q.T + noise * rng.standard_normal((T, P))
    return path, q


def test_pca_recovers_a_planar_path():
    m, x, y, A, theta, L = linreg_setup(d=3)
    path, q = _planar_path(theta)
    dirs, coords, explained, centre = pca_directions(path, m)
    np.testing.assert_allclose(dirs @ dirs.T, np.eye(2), atol=1e-12)
    # the PCA plane is the plane of the path: its basis spans q
    np.testing.assert_allclose(np.abs(np.linalg.det(dirs @ q)), 1.0, atol=1e-10)
    np.testing.assert_allclose(centre + coords @ dirs, path, atol=1e-10)
    assert explained.sum() == pytest.approx(1.0, abs=1e-10)
    np.testing.assert_array_equal(coords[-1], 0.0)
    with pytest.raises(ValueError, match="at least 3 snapshots"):
        pca_directions(path[:2], m)


def test_trajectory_surface_path_lies_on_surface():
    m, x, y, A, theta, L = linreg_setup(d=3)
    path, _ = _planar_path(theta, noise=0.01)
    ds = trajectory_surface(m, (x, y), path, n=7, loss_fn=mse)
    dirs, coords, _, centre = pca_directions(path, m)
    # projected path evaluated on the same plane: exactly the analytic surface there
    expect = [L(centre + c @ dirs) for c in coords]
    np.testing.assert_allclose(ds["path_loss"].values, expect, rtol=1e-5)
    np.testing.assert_allclose(ds["path_loss_true"].values, [L(p) for p in path], rtol=1e-5)
    X, Y = np.meshgrid(ds.x.values, ds.y.values)
    grid_expect = np.vectorize(lambda a, b: L(centre + a * dirs[0] + b * dirs[1]))(X, Y)
    np.testing.assert_allclose(ds["loss"].values, grid_expect, rtol=1e-5)
    # the box covers the path; residuals are the off-plane noise (0.01 * sqrt(P) scale)
    assert ds.x.min() < ds.path_x.min() and ds.x.max() > ds.path_x.max()
    assert 0 < ds["path_residual"].max() < 0.1
    assert ds.attrs["directions"] == "pca"


def test_default_directions_are_seeded_filter_normalised():
    m, x, y = convbn_setup(n=8)
    a = loss_surface(m, (x, y), seed=3, n=3)
    b = loss_surface(m, (x, y), random_directions(m, seed=3), random_directions(m, seed=4), n=3)
    np.testing.assert_array_equal(a["loss"].values, b["loss"].values)
    c = loss_line(m, (x, y), seed=3, n=3)
    np.testing.assert_array_equal(c["loss"].values, a["loss"].values[1])


def test_float64_model_resolves_tiny_spans():
    m, x, y, A, theta, L = linreg_setup()
    m = m.double()  # float32 inputs are cast to the model's dtype
    d = torch.randn(4, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    ds = loss_line(m, (x, y), d, span=1e-6, n=5, loss_fn=mse)
    expect = np.array([L(theta + a * d.numpy()) for a in ds["alpha"].values])
    # float64 throughout: the excess loss (~1e-6 of L) is resolved to ~1e-9 relative
    np.testing.assert_allclose(
        ds["loss"].values - L(theta), expect - L(theta), rtol=1e-6, atol=1e-14
    )


def test_shuffling_loader_is_frozen_to_one_pass():
    _, x, y = convbn_setup(n=32)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(x, y), batch_size=8, shuffle=True
    )
    b = Batches(loader)
    first = [yy.clone() for _, yy in b]
    second = [yy.clone() for _, yy in b]
    assert b.cached is not None and len(first) == 4
    assert all(torch.equal(u, v) for u, v in zip(first, second))
