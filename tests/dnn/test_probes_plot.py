"""Figures of the probe results: each result type saves, loads and draws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

import fractalsgd as fs  # noqa: E402
from fractalsgd.dnn import probes  # noqa: E402
from fractalsgd.plotting import draw, figures  # noqa: E402


def _setup():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))
    x, y = torch.randn(30, 3), torch.randint(0, 2, (30,))
    return m, (x, y)


def _results():
    m, data = _setup()
    d1 = probes.random_directions(m, seed=1)
    d2 = probes.random_directions(m, seed=2)
    rng = np.random.default_rng(0)
    theta = torch.nn.utils.parameters_to_vector(m.parameters()).detach().numpy()
    path = theta + np.cumsum(0.05 * rng.standard_normal((8, theta.size)), axis=0)[::-1]
    a = {k: v.clone() for k, v in m.state_dict().items()}
    b = {k: v + 0.5 * torch.randn_like(v) for k, v in a.items()}
    return {
        "loss_surface": probes.loss_surface(m, data, d1, d2, n=7),
        "pca_surface": probes.trajectory_surface(m, data, path, n=7),
        "loss_line": probes.loss_line(m, data, d1, n=9),
        "loss_lines": probes.loss_lines(m, data, d1, spans=[1e-2, 1e-1, 1.0], n=9),
        "loss_path": probes.interpolate(m, a, b, data, n=7),
        "neb": probes.neb_path(m, a, b, data, n_images=4, steps=5, climb_after=2),
        "hessian": probes.hessian_eigs(m, data, k=3),
        "hessian_training": probes.hessian_over_training([a, b], m, data, k=2, trace_samples=4),
    }


def test_every_probe_result_round_trips_and_draws(tmp_path):
    assert {"loss_surface", "loss_line", "loss_lines", "loss_path", "hessian"} <= set(figures())
    for name, ds in _results().items():
        p = fs.save(ds, tmp_path / f"{name}.nc")
        back = fs.load(p)
        assert back.attrs["result_type"] == ds.attrs["result_type"]
        for v in ds.data_vars:
            np.testing.assert_array_equal(back[v].values, ds[v].values)
        out = draw(back, tmp_path / f"{name}.png")
        assert out.stat().st_size > 5000, name  # a real image, not an empty canvas


def test_lines_figure_has_one_curve_per_span_and_path_on_surface():
    res = _results()
    fig = plt.figure()
    figures()["loss_lines"](res["loss_lines"], fig)
    left, right = fig.axes[:2]
    assert len(left.get_lines()) == 3  # one per span
    assert len(right.get_lines()) == 3 + 2  # per span + slope-1 and slope-2 guides
    plt.close(fig)
    fig = plt.figure()
    figures()["loss_surface"](res["pca_surface"], fig)
    ax3 = [a for a in fig.axes if a.name == "3d"][0]
    xs, ys, zs = ax3.get_lines()[0].get_data_3d()
    ds = res["pca_surface"]
    np.testing.assert_allclose(zs, ds["path_loss"].values)  # path drawn at its plane loss
    np.testing.assert_allclose(xs, ds["path_x"].values)
    plt.close(fig)
