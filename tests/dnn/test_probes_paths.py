"""Straight-line interpolation and nudged elastic band between two weight vectors."""

import copy

import numpy as np
import pytest
import torch
from torch import nn

from fractalsgd.dnn.probes import interpolate, neb_path
from fractalsgd.dnn.probes._common import Batches, evaluate


class Valley(nn.Module):
    """A 'network' whose loss is an analytic function of its two weights:
    f(u, v) = (u^2 - 1)^2 + 5 (v - (1 - u^2))^2. Minima at (+-1, 0) with f = 0; the
    minimum-energy path is the parabola v = 1 - u^2 along which f = (u^2 - 1)^2, so the
    barrier is exactly 1 at the saddle (0, 1); the straight path crosses (0, 0) at f = 6."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.zeros(2, dtype=torch.float64))

    def forward(self, x):
        u, v = self.w
        return (u**2 - 1) ** 2 + 5 * (v - (1 - u**2)) ** 2 + 0 * x.sum()


def value(out, y):
    return out


DATA = (torch.zeros(1, 1, dtype=torch.float64), torch.zeros(1, dtype=torch.float64))


def test_neb_finds_the_analytic_saddle():
    m = Valley()
    a, b = torch.tensor([-1.0, 0.0]), torch.tensor([1.0, 0.0])
    ds = neb_path(
        m, a, b, DATA, n_images=9, loss_fn=value, steps=2000, fmax=1e-6, return_images=True
    )
    assert ds.attrs["converged"] == 1
    # straight path: images at u = -1 + k/4 include u = 0, f(0, 0) = 1 + 5 = 6 exactly
    assert ds.attrs["barrier_linear"] == pytest.approx(6.0, abs=1e-12)
    # climbing image converged to |F| < 1e-6 sits at the saddle: barrier 1 to ~1e-10
    assert ds.attrs["barrier"] == pytest.approx(1.0, abs=1e-8)
    sad = ds["images"].values[ds.attrs["saddle_image"]]
    np.testing.assert_allclose(sad, [0.0, 1.0], atol=1e-6)
    # the loss falls monotonically from the saddle to both minima along the band
    lo = ds["loss"].values
    assert np.all(np.diff(lo[:5]) > 0) and np.all(np.diff(lo[4:]) < 0)
    np.testing.assert_allclose(
        ds["images"].values[::-1, 0], -ds["images"].values[:, 0], atol=1e-6
    )  # the symmetry u -> -u of f is kept
    assert ds.attrs["result_type"] == "loss_path" and ds.attrs["method"] == "neb"
    assert np.all(np.diff(ds["distance"].values) > 0)
    assert torch.equal(m.w.detach(), torch.zeros(2, dtype=torch.float64))  # model restored


def test_interpolate_straight_path_analytic():
    m = Valley()
    a, b = torch.tensor([-1.0, 0.0]), torch.tensor([1.0, 0.0])
    ds = interpolate(m, a, b, DATA, n=5, loss_fn=value)
    t = ds["t"].values
    np.testing.assert_allclose(t, [0, 0.25, 0.5, 0.75, 1])
    u = -1 + 2 * t
    np.testing.assert_allclose(ds["loss"].values, (u**2 - 1) ** 2 + 5 * (1 - u**2) ** 2)
    assert ds.attrs["barrier"] == pytest.approx(6.0)
    np.testing.assert_allclose(ds["distance"].values, 2 * t)
    ext = interpolate(m, a, b, DATA, n=3, extend=0.5, loss_fn=value)
    np.testing.assert_allclose(ext["t"].values, [-0.5, 0, 0.5, 1, 1.5])
    assert ext.attrs["barrier"] == pytest.approx(6.0)  # only 0 <= t <= 1 counts


def test_interpolate_state_dicts_with_bn_buffers():
    torch.manual_seed(0)
    ma = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    mb = copy.deepcopy(ma)
    x, y = torch.randn(32, 3), torch.randint(0, 2, (32,))
    for mod, scale in ((ma, 1.0), (mb, 3.0)):
        mod.train()
        with torch.no_grad():
            mod(x * scale + scale)  # different running statistics
            for p in mod.parameters():
                p.add_(0.3 * scale * torch.randn_like(p))
        mod.eval()
    sa, sb = ma.state_dict(), mb.state_dict()
    probe = copy.deepcopy(ma)
    ds = interpolate(probe, sa, sb, (x, y), n=11)
    la, lb = evaluate(ma, Batches((x, y)))[0], evaluate(mb, Batches((x, y)))[0]
    # endpoints carry their own weights and buffers
    assert ds["loss"].values[0] == pytest.approx(la, rel=1e-6)
    assert ds["loss"].values[-1] == pytest.approx(lb, rel=1e-6)
    # the midpoint is the model with averaged parameters and averaged BN statistics
    mid = copy.deepcopy(ma)
    mid.load_state_dict(
        {k: (sa[k] + sb[k]) / 2 if sa[k].is_floating_point() else sa[k] for k in sa}
    )
    assert ds["loss"].values[5] == pytest.approx(evaluate(mid, Batches((x, y)))[0], rel=1e-5)
    assert all(torch.equal(probe.state_dict()[k], sa[k]) for k in sa)
    bad = dict(sb)
    bad["3.weight"] = torch.zeros(3, 4)
    with pytest.raises(ValueError, match="theta_b does not match the model: 3.weight has shape"):
        interpolate(probe, sa, bad, (x, y))
    with pytest.raises(ValueError, match="identical"):
        interpolate(probe, sa, sa, (x, y))


def test_neb_on_two_trained_networks_lowers_the_barrier():
    torch.manual_seed(0)
    x = torch.randn(64, 2)
    y = (x[:, 0] * x[:, 1] > 0).long()
    sols = []
    for seed in (1, 2):
        torch.manual_seed(seed)
        m = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
        opt = torch.optim.Adam(m.parameters(), lr=0.05)
        for _ in range(100):
            opt.zero_grad()
            nn.functional.cross_entropy(m(x), y).backward()
            opt.step()
        sols.append(m.state_dict())
    ds = neb_path(m, sols[0], sols[1], (x, y), n_images=5, steps=40, climb_after=10)
    # the relaxed band is never worse than the straight line it started from (FIRE only
    # lowers the perpendicular forces; the climbing image stays on the band's maximum)
    assert ds.attrs["barrier"] <= ds.attrs["barrier_linear"] + 1e-6
    assert ds.attrs["barrier_linear"] > 0.05  # two independent solutions: a real barrier
    np.testing.assert_allclose(ds["loss"].values[[0, -1]], ds["loss_initial"].values[[0, -1]])
