import math

import numpy as np
import pytest
import torch

from fractalsgd.dnn.sketch import SRHTSketch, fwht


def _dense_hadamard(n):
    h = np.array([[1.0]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return h


@pytest.mark.parametrize("n", [1, 2, 4, 64, 512, 4096])
def test_fwht_equals_dense_hadamard(n):
    x = torch.randn(3, n, dtype=torch.float64, generator=torch.Generator().manual_seed(n))
    ref = x.numpy() @ _dense_hadamard(n).T
    assert np.allclose(fwht(x).numpy(), ref, rtol=1e-12, atol=1e-9)
    assert np.allclose(fwht(x, max_factor=2).numpy(), ref, rtol=1e-12, atol=1e-9)
    with pytest.raises(ValueError, match="power-of-two"):
        fwht(torch.zeros(6))


def test_full_size_srht_is_an_isometry_and_spikes_are_exact():
    s = SRHTSketch(1000, k=1024, seed=0)  # k = padded size: S = H D / sqrt(P'), orthogonal
    x = torch.randn(5, 1000, dtype=torch.float64)
    assert torch.allclose(s(x).norm(dim=1), x.norm(dim=1), rtol=1e-12)
    small = SRHTSketch(1000, k=16, seed=1)
    # H D e_j has all entries +-1, so ||S e_j||^2 = (1/k) * k = 1 exactly
    eye = torch.eye(1000, dtype=torch.float64)[:50]
    assert torch.allclose(small(eye).norm(dim=1), torch.ones(50, dtype=torch.float64))


def test_distance_distortion_matches_documented_sqrt_2_over_k():
    p, k, n = 6000, 256, 400
    s = SRHTSketch(p, k=k, seed=2)
    sd = math.sqrt(2 / k) * math.sqrt(1 - k / s.padded)  # documented rel. std (~8.6 %)
    g = torch.Generator().manual_seed(0)
    # (1) one sketch, n independent isotropic differences: near-independent ratios
    a = torch.randn(n, p, dtype=torch.float64, generator=g)
    b = a + 0.01 * torch.randn(n, p, dtype=torch.float64, generator=g)
    ratio = ((s(a) - s(b)).norm(dim=1) ** 2 / (a - b).norm(dim=1) ** 2).numpy()
    # unbiased: the mean of n ratios is within 4 standard errors of 1
    assert abs(ratio.mean() - 1) < 4 * sd / math.sqrt(n)
    # spread: the sample std of n = 400 has rel. error ~ 1/sqrt(2n) = 3.5 %; allow 20 %
    assert ratio.std() == pytest.approx(sd, rel=0.2)
    # worst case over 400 pairs: below 1 + 5 sd (Gaussian tail ~ 3e-7 per pair)
    assert np.abs(ratio - 1).max() < 5 * sd
    # (2) one structured (random-walk, low-frequency) difference, 200 independent sketches:
    # the same law holds over the sketch's randomness
    x = torch.randn(p, dtype=torch.float64, generator=g).cumsum(0)
    r2 = np.array([float(SRHTSketch(p, k, seed=i)(x).norm() ** 2 / x.norm() ** 2)
                   for i in range(200)])  # fmt: skip
    assert abs(r2.mean() - 1) < 4 * sd / math.sqrt(200)
    assert r2.std() == pytest.approx(sd, rel=0.25)  # 1/sqrt(400) = 5 % rel. error; 5 sigma


def test_sketch_is_linear_and_checks_shape():
    s = SRHTSketch(300, k=32, seed=0)
    x, y = torch.randn(300, dtype=torch.float64), torch.randn(300, dtype=torch.float64)
    assert torch.allclose(s(2 * x - y), 2 * s(x) - s(y), atol=1e-12)
    with pytest.raises(ValueError, match="last dim 300"):
        s(torch.zeros(299))
