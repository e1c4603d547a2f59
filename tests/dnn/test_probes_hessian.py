"""Hessian eigenvalues and trace by Hessian-vector products against dense Hessians."""

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import functional_call

from fractalsgd.dnn.probes import hessian_eigs, hessian_over_training, hessian_trace
from fractalsgd.dnn.probes._common import flat, split, trainable


def mlp_setup(seed=0, n=64):
    torch.manual_seed(seed)
    m = nn.Sequential(nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3))  # P = 30 + 21 = 51
    x = torch.randn(n, 4)
    y = torch.randint(0, 3, (n,))
    return m, x, y


class ConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 2, 3)
        self.bn = nn.BatchNorm2d(2)
        self.fc = nn.Linear(2 * 3 * 3, 3)

    def forward(self, x):
        return self.fc(torch.tanh(self.bn(self.conv(x))).flatten(1))


def dense_hessian(m, x, y, loss_fn=nn.functional.cross_entropy):
    """Dense Hessian of the full-data mean loss from torch.autograd.functional.hessian."""
    params = trainable(m)
    names = [n for n, p in m.named_parameters() if p.requires_grad]
    theta = flat(params).clone()

    def f(vec):
        d = dict(zip(names, split(vec, params)))
        return loss_fn(functional_call(m, d, (x,)), y)

    return torch.autograd.functional.hessian(f, theta).double().numpy()


def test_lanczos_equals_dense_eigenvalues_mlp():
    m, x, y = mlp_setup()
    H = dense_hessian(m, x, y)
    dense = np.sort(np.linalg.eigvalsh(0.5 * (H + H.T)))[::-1]
    k = 10
    # two batches: exercises the sample-weighted accumulation over batches
    ds = hessian_eigs(m, [(x[:40], y[:40]), (x[40:], y[40:])], k=k)
    ev = ds["eigenvalues"].values
    assert ds.attrs["result_type"] == "hessian" and ev.shape == (k,)
    # Done-when criterion: 1e-4 relative. Float32 HVPs carry ~1e-7 * ||H|| rounding, far
    # below 1e-4 * lambda_k here (lambda_10 / lambda_1 ~ 1e-2).
    np.testing.assert_allclose(ev, dense[:k], rtol=1e-4)
    assert dense[k - 1] / dense[0] > 1e-3  # the check is meaningful for all k


def test_lanczos_equals_dense_convbn_eval_mode_and_most_negative():
    torch.manual_seed(1)
    m = ConvBN()
    x = torch.randn(32, 1, 5, 5)
    y = torch.randint(0, 3, (32,))
    with torch.no_grad():
        m.train()
        m(x * 1.5 + 0.5)  # running statistics different from batch statistics
    m.eval()
    before = {k: v.clone() for k, v in m.state_dict().items()}
    H = dense_hessian(m, x, y)  # eval mode: running statistics, as hessian_eigs' default
    dense = np.linalg.eigvalsh(0.5 * (H + H.T))
    top = hessian_eigs(m, (x, y), k=5, double=True)["eigenvalues"].values
    np.testing.assert_allclose(top, dense[::-1][:5], rtol=1e-4)
    low = hessian_eigs(m, (x, y), k=3, which="SA", double=True)["eigenvalues"].values
    assert dense[0] < 0  # an indefinite Hessian: tanh net away from a minimum
    np.testing.assert_allclose(low, dense[:3], rtol=1e-4, atol=1e-6 * abs(dense).max())
    assert all(torch.equal(before[k], m.state_dict()[k]) for k in before)


def linreg(seed=0, n=50):
    torch.manual_seed(seed)
    m = nn.Linear(3, 1)
    x = torch.randn(n, 3) * torch.tensor([3.0, 1.0, 0.3])
    y = torch.randn(n, 1)
    A = np.hstack([x.numpy().astype(np.float64), np.ones((n, 1))])
    return m, x, y, 2.0 / n * A.T @ A  # exact Hessian of mean squared error


def test_power_and_lanczos_on_least_squares_analytic():
    m, x, y, H = linreg()
    exact = np.sort(np.linalg.eigvalsh(H))[::-1]
    mse = nn.functional.mse_loss
    lz = hessian_eigs(m, (x, y), k=3, loss_fn=mse, double=True)["eigenvalues"].values
    np.testing.assert_allclose(lz, exact[:3], rtol=1e-8)
    pw = hessian_eigs(m, (x, y), k=3, method="power", loss_fn=mse, tol=1e-12, double=True)
    # power iteration: error of lambda_j ~ (lambda_{j+1}/lambda_j)^(2 it), converged to
    # tol 1e-12 in the Rayleigh quotient, so 1e-6 relative is loose
    np.testing.assert_allclose(pw["eigenvalues"].values, exact[:3], rtol=1e-6)
    ds = hessian_eigs(m, (x, y), k=2, loss_fn=mse, double=True, return_vectors=True)
    v = ds["eigenvectors"].values
    np.testing.assert_allclose(
        np.abs(v @ np.linalg.eigh(H)[1][:, ::-1][:, :2]), np.eye(2), atol=1e-6
    )


def test_hutchinson_trace_within_its_error():
    m, x, y = mlp_setup(seed=3)
    H = dense_hessian(m, x, y)
    n = 400
    est = hessian_trace(m, (x, y), n_samples=n, seed=7)
    # Rademacher probes: Var(v'Hv) = 2 sum_{i != j} H_ij^2 (Hutchinson 1990)
    off = H - np.diag(np.diag(H))
    sigma = np.sqrt(2 * (off**2).sum() / n)
    assert abs(est.value - np.trace(H)) < 4 * sigma  # 4 sigma: fails with p ~ 6e-5
    # the reported standard error estimates sigma; its relative error ~ 1/sqrt(2n) plus
    # kurtosis effects: within 30 %
    assert 0.7 < est.stderr / sigma < 1.3
    assert est.n_samples == n


def test_bad_k_and_data():
    m, x, y = mlp_setup()
    with pytest.raises(ValueError, match="k=51 is too large: the model has 51 parameters"):
        hessian_eigs(m, (x, y), k=51)
    with pytest.raises(ValueError, match="k=52 is too large"):
        hessian_eigs(m, (x, y), k=52, method="power")
    with pytest.raises(ValueError, match="k must be a positive integer"):
        hessian_eigs(m, (x, y), k=0)
    with pytest.raises(ValueError, match="method must be"):
        hessian_eigs(m, (x, y), k=2, method="qr")
    with pytest.raises(ValueError, match="empty"):
        hessian_eigs(m, (x[:0], y[:0]), k=2)


def test_hessian_over_training_checkpoints():
    m, x, y = mlp_setup()
    states = {}
    opt = torch.optim.SGD(m.parameters(), lr=0.5)
    for epoch in range(3):
        states[epoch * 10] = {k: v.clone() for k, v in m.state_dict().items()}
        for _ in range(10):
            opt.zero_grad()
            nn.functional.cross_entropy(m(x), y).backward()
            opt.step()
    final = {k: v.clone() for k, v in m.state_dict().items()}
    ds = hessian_over_training(states, m, (x, y), k=3, trace_samples=20)
    assert ds["eigenvalues"].dims == ("checkpoint", "rank")
    np.testing.assert_array_equal(ds["epoch"].values, [0, 10, 20])
    for i, st in enumerate(states.values()):
        m2 = mlp_setup()[0]
        m2.load_state_dict(st)
        H = dense_hessian(m2, x, y)
        np.testing.assert_allclose(
            ds["eigenvalues"].values[i], np.sort(np.linalg.eigvalsh(H))[::-1][:3], rtol=1e-4
        )
    assert np.isfinite(ds["trace"]).all() and (ds["trace_stderr"] > 0).all()
    assert all(torch.equal(final[k], m.state_dict()[k]) for k in final)  # model restored
    bad = dict(states[0])
    bad.pop("2.bias")
    with pytest.raises(ValueError, match="checkpoint 1 does not match the model: missing 2.bias"):
        hessian_over_training([states[0], bad], m, (x, y), k=2)


def test_non_convergence_is_reported():
    m, x, y = mlp_setup()
    with pytest.raises(ValueError, match="Lanczos found .* of 5 eigenvalues within maxiter=1"):
        hessian_eigs(m, (x, y), k=5, maxiter=1, tol=1e-14, double=True)
    with pytest.warns(RuntimeWarning, match="power iteration: eigenvalue 1 not converged"):
        hessian_eigs(m, (x, y), k=1, method="power", maxiter=2, tol=1e-14)
