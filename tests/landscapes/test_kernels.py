import numpy as np
import pytest

from fractalsgd.landscapes._kernels import _cos_array, _sin_array


@pytest.mark.parametrize("scale", [1.0, 1e2, 1e5, 3e6])
def test_fast_sincos_match_libm(scale):
    # Cody-Waite reduction (exact while |x| < 2^20 pi) + degree-19/20 Taylor series on
    # |r| <= pi/2 (truncation < 3e-16): a couple of ulp of 1 against libm.
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-scale, scale, 200_000), np.arange(-40, 41) * np.pi / 4])
    s = np.empty_like(x)
    c = np.empty_like(x)
    _sin_array(x, s)
    _cos_array(x, c)
    assert np.max(np.abs(s - np.sin(x))) < 5e-16
    assert np.max(np.abs(c - np.cos(x))) < 5e-16
    assert np.max(np.abs(s * s + c * c - 1.0)) < 1e-15


def test_fast_sin_odd_and_quadrants():
    x = np.array([0.0, np.pi / 2, np.pi, 3 * np.pi / 2, -np.pi / 2, 1e-300])
    s = np.empty_like(x)
    _sin_array(x, s)
    np.testing.assert_allclose(s, [0.0, 1.0, 0.0, -1.0, -1.0, 1e-300], atol=3e-16, rtol=0)
    y = np.linspace(-50, 50, 1001)
    a, b = np.empty_like(y), np.empty_like(y)
    _sin_array(y, a)
    _sin_array(-y, b)
    assert np.array_equal(a, -b)
