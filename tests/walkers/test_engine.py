import numba
import numpy as np
import pytest
from scipy.linalg import solve_discrete_lyapunov

import fractalsgd as fs
from fractalsgd.landscapes import Cone, Cosine, DiamondSquare, Flat, Quadratic, Weierstrass
from fractalsgd.schema import config_of
from fractalsgd.walkers import _engine, engine, record_steps


def test_flat_msd_is_dim_noise2_t():
    # x_t - x_0 = noise * sum of t standard normals: E|dx|^2 = dim noise^2 t and
    # Var|dx|^2 = 2 dim noise^4 t^2, so the mean over N walkers has relative standard error
    # sqrt(2 / (dim N)) = 1.8% here; we allow 4 of them at every recorded t.
    dim, noise, n = 3, 0.3, 6000
    ds = fs.simulate(Flat(dim), n, 200, lr=0.1, noise=noise, record="log", seed=1, progress=False)
    st = ds["step"].values
    dx = ds["position"].values - ds["position"].values[:, :1]
    msd = np.mean(np.sum(dx**2, axis=2), axis=0)
    expected = dim * noise**2 * st
    tol = 4 * np.sqrt(2 / (dim * n)) * expected
    assert np.all(np.abs(msd - expected) <= tol + 1e-15)
    # mean step length = noise * E chi_3 = noise * 2 sqrt(2/pi); chi_3 has variance
    # 3 - 8/pi, the per-step mean over N walkers an SE of noise sqrt((3 - 8/pi)/N)
    chi = 2 * np.sqrt(2 / np.pi)
    sl = ds["step_length"].values
    assert sl.shape == (200,)
    assert np.all(np.abs(sl - noise * chi) < 4.5 * noise * np.sqrt((3 - 8 / np.pi) / n))
    np.testing.assert_allclose(ds["path_length"].values, 200 * ds["walker_step_length"].values)


@pytest.mark.parametrize("momentum", [0.0, 0.5])
def test_quadratic_stationary_variance_is_exact(momentum):
    # per coordinate the update is linear: s' = A s + B xi with s = (x, v),
    # A = [[1 - a, m], [-a, m]], B = [noise, 0], a = lr k. The stationary covariance solves
    # P = A P A^T + B B^T (for m = 0: noise^2 / (1 - (1 - a)^2)). After 300 steps the
    # start (0) is forgotten to < 1e-9. 2 x 8000 independent samples give the sample
    # variance a relative SE of sqrt(2 / 16000) = 1.1%; we allow 4 SE.
    k, lr, noise, n = 2.0, 0.1, 0.2, 8000
    a = lr * k
    A = np.array([[1 - a, momentum], [-a, momentum]])
    P = solve_discrete_lyapunov(A, np.diag([noise**2, 0.0]))
    if momentum == 0:
        assert P[0, 0] == pytest.approx(noise**2 / (1 - (1 - a) ** 2), rel=1e-12)
    ds = fs.simulate(
        Quadratic(2, k=k),
        n,
        300,
        lr,
        noise,
        start=np.zeros(2),
        momentum=momentum,
        record=300,
        seed=3,
        progress=False,
    )
    x = ds["position"].values[:, -1].ravel()
    var = np.mean(x**2)  # the mean is exactly 0
    assert abs(var / P[0, 0] - 1) < 4 * np.sqrt(2 / x.size)


@pytest.mark.parametrize("alpha", [1.0, 1.5])
def test_levy_noise_characteristic_function(alpha):
    # One step on Flat from 0: x = noise * X, X symmetric alpha-stable with unit scale,
    # E cos(u X) = exp(-|u|^alpha). cos(uX) has variance (1 + phi(2u))/2 - phi(u)^2;
    # with 2 x 10000 samples we allow 4 standard errors.
    n = 10000
    ds = fs.simulate(
        Flat(2),
        n,
        1,
        0.0,
        1.0,
        start=np.zeros(2),
        noise_kind="levy",
        levy_alpha=alpha,
        seed=5,
        progress=False,
    )
    X = ds["position"].values[:, 1].ravel()
    for u in (0.3, 1.0, 2.5):
        phi = np.exp(-(u**alpha))
        var = (1 + np.exp(-((2 * u) ** alpha))) / 2 - phi**2
        assert abs(np.mean(np.cos(u * X)) - phi) < 4 * np.sqrt(var / X.size)
    assert np.max(np.abs(X)) > 50  # heavy tails: P(|X| > 50) ~ 2 * 0.0075 here


def _run(**kw):
    L = Weierstrass(5, n_terms=8, seed=1, rotate=True, confine=0.5)
    base = dict(
        landscape=L,
        n_walkers=37,
        n_steps=120,
        lr=0.01,
        noise=0.05,
        seed=9,
        progress=False,
        record=7,
    )
    base.update(kw)
    return fs.simulate(**base)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"noise_kind": "levy", "boundary": "redraw", "box": (-1.0, 1.0)},
        {"boundary": "reflect", "box": (-0.5, 0.5), "momentum": 0.6},
    ],
)
def test_one_and_two_threads_bit_identical(kw):
    old = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        a = _run(**kw)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        b = _run(**kw)
    finally:
        numba.set_num_threads(old)
    for name in ("position", "loss", "step_length", "path_length", "diverged"):
        assert np.array_equal(a[name].values, b[name].values), name
    c = _run(seed=10, **kw)
    assert not np.array_equal(a["position"].values, c["position"].values)


def test_walker_stream_independent_of_ensemble_size():
    a = _run(n_walkers=3)
    b = _run(n_walkers=6)
    assert np.array_equal(a["position"].values, b["position"].values[:3])


def test_loss_is_energy_at_snapshots():
    L = Weierstrass(3, n_terms=10, seed=4)
    ds = fs.simulate(L, 5, 50, 0.01, 0.1, record=5, seed=2, progress=False)
    pos = ds["position"].values.reshape(-1, 3)
    np.testing.assert_array_equal(ds["loss"].values.ravel(), L.energy(pos))
    np.testing.assert_array_equal(ds["step"].values, np.arange(0, 51, 5))


def test_gradient_step_without_noise_is_exact():
    # one deterministic step x1 = x0 - lr grad U(x0); then x2 with momentum m:
    # v2 = m v1 - lr grad U(x1), x2 = x1 + v2
    L = Cone(2)
    x0 = np.array([[0.6, -0.8], [0.0, 0.3]])
    ds = fs.simulate(L, 2, 2, 0.05, 0.0, start=x0, momentum=0.5, progress=False)
    p = ds["position"].values
    v1 = -0.05 * L.gradient(x0)
    np.testing.assert_allclose(p[:, 1], x0 + v1, rtol=1e-15)
    v2 = 0.5 * v1 - 0.05 * L.gradient(p[:, 1])
    np.testing.assert_allclose(p[:, 2], p[:, 1] + v2, rtol=1e-15)


def test_periodic_boundary_on_periodic_landscape_changes_nothing():
    # Cosine with period 1 is invariant under shifts by 1: the periodic rule on the box
    # [-1/2, 1/2) (U and its gradient evaluated at the wrapped position, positions kept
    # unwrapped) must reproduce the unbounded run; only the rounding of the wrap differs
    # (~1e-16 per step, slowly amplified by the dynamics), hence atol 1e-10.
    kw = dict(
        n_walkers=20, n_steps=300, lr=0.01, noise=0.2, start=np.zeros(2), seed=4, progress=False
    )
    L = Cosine(2, amplitude=0.5, period=1.0)
    free = fs.simulate(L, **kw)
    per = fs.simulate(L, boundary="periodic", box=(-0.5, 0.5), **kw)
    np.testing.assert_allclose(per["position"].values, free["position"].values, atol=1e-10)
    np.testing.assert_allclose(per["loss"].values, free["loss"].values, atol=1e-10)
    assert np.abs(free["position"].values).max() > 1.5  # many periods were crossed
    # a non-periodic landscape sees the wrapped position: loss = U(wrapped x)
    Q = Quadratic(2, k=1.0)
    q = fs.simulate(Q, boundary="periodic", box=(-0.5, 0.5), **kw)
    x = q["position"].values.reshape(-1, 2)
    np.testing.assert_allclose(
        q["loss"].values.ravel(), Q.energy(np.mod(x + 0.5, 1) - 0.5), rtol=1e-12, atol=1e-15
    )


def test_reflect_keeps_walkers_in_box_and_equilibrates_uniformly():
    # Reflected free diffusion in [-1/2, 1/2] forgets its start (diffusion length
    # 0.2 sqrt(400) = 4 >> 1) and is uniform: mean 0, E x^2 = 1/12, Var x^2 = 1/80 - 1/144.
    # 2 x 4000 samples: SE(mean) = 0.0032, SE(E x^2) = 0.00083; we allow 4 SE.
    ds = fs.simulate(
        Flat(2),
        4000,
        400,
        0.0,
        0.2,
        start=np.full(2, 0.4),
        boundary="reflect",
        box=(-0.5, 0.5),
        record=400,
        seed=6,
        progress=False,
    )
    p = ds["position"].values
    assert np.all(np.abs(p) <= 0.5)
    x = p[:, -1].ravel()
    assert abs(x.mean()) < 4 * np.sqrt(1 / 12 / x.size)
    assert abs(np.mean(x**2) - 1 / 12) < 4 * np.sqrt((1 / 80 - 1 / 144) / x.size)


def test_redraw_stationary_law_is_exact():
    # Flat with the redraw rule: p(x -> y) = phi_s(y - x) 1[y in box] / Z(x), Z(x) =
    # P(x + s xi in box), is reversible with stationary density proportional to Z(x),
    # a product of z(x_i) = Phi((1/2 - x_i)/s) - Phi((-1/2 - x_i)/s) per coordinate.
    # E x^2 under z by quadrature; 2 x 4000 samples after 400 steps (mixing time
    # ~ (1/s)^2 = 25 steps); 4 SE with the SE from the samples' own spread.
    from scipy import integrate, stats

    s = 0.2
    z = lambda x: stats.norm.cdf((0.5 - x) / s) - stats.norm.cdf((-0.5 - x) / s)  # noqa: E731
    m2 = integrate.quad(lambda x: x * x * z(x), -0.5, 0.5)[0] / integrate.quad(z, -0.5, 0.5)[0]
    ds = fs.simulate(
        Flat(2),
        4000,
        400,
        0.0,
        s,
        start=np.zeros(2),
        boundary="redraw",
        box=(-0.5, 0.5),
        record=400,
        seed=12,
        progress=False,
    )
    x2 = ds["position"].values[:, -1].ravel() ** 2
    assert abs(x2.mean() - m2) < 4 * x2.std() / np.sqrt(x2.size)
    assert abs(m2 - 1 / 12) > 8 * x2.std() / np.sqrt(x2.size)  # differs from uniform
    assert ds["redraws"].values.sum() > 0 and ds["clipped"].values.sum() == 0


def test_redraw_clips_when_the_drift_leaves_the_box():
    # x' = (1 - 2.5) x = -1.5 x: from 0.9 the drift alone lands at -1.35, which no noise of
    # scale 1e-3 can bring back: after MAX_REDRAW redraws the step is clipped onto the box
    ds = fs.simulate(
        Quadratic(1, k=1.0),
        2,
        6,
        2.5,
        1e-3,
        start=np.array([0.9]),
        boundary="redraw",
        box=(-1.0, 1.0),
        progress=False,
    )
    p = ds["position"].values[0, :, 0]
    np.testing.assert_array_equal(p[1:], [-1.0, 1.0, -1.0, 1.0, -1.0, 1.0])
    assert ds["clipped"].values.tolist() == [6, 6]
    assert ds["redraws"].values.tolist() == [6 * _engine.MAX_REDRAW] * 2


def test_redraw_keeps_walkers_in_grid_domain():
    ds = fs.simulate(
        DiamondSquare(levels=6, seed=1),
        200,
        300,
        0.02,
        0.05,
        boundary="redraw",
        seed=2,
        progress=False,
        record=10,
    )
    p = ds["position"].values
    assert np.all(np.abs(p) <= 1.0)
    assert config_of(ds)["box"] is None  # the domain was used
    # the starts are uniform on the domain: mean 0, variance 1/3 (SE 0.04 / 0.02)
    assert abs(p[:, 0].mean()) < 0.1 and abs(p[:, 0].var() - 1 / 3) < 0.06


def test_divergence_stops_only_that_walker():
    # x_t = (1 - lr k)^t x_0 = (-2)^t x_0 overflows at t = 1024 for |x_0| = 1; x_0 = 0 stays
    ds = fs.simulate(
        Quadratic(1, k=1.0),
        3,
        1100,
        3.0,
        0.0,
        start=np.array([[0.0], [1.0], [-1.0]]),
        record=100,
        progress=False,
    )
    assert ds["diverged"].values.tolist() == [False, True, True]
    assert ds["diverged_step"].values.tolist() == [-1, 1024, 1024]
    p = ds["position"].values[:, :, 0]
    st = ds["step"].values
    assert np.all(p[0] == 0) and np.all(np.isfinite(p[1:, st < 1024]))
    assert np.all(np.isnan(p[1:, st >= 1024])) and np.all(np.isnan(ds["loss"].values[1:, -1]))
    sl = ds["step_length"].values
    # steps of length 3 * 2^(t-1): exact, then (squared length overflows) inf until t = 1023
    np.testing.assert_array_equal(sl[:10], (0 + 2 * 3 * 2.0 ** np.arange(10)) / 3)
    assert np.all(sl[1023:] == 0.0)  # only the walker at 0 is left alive


def test_record_schedules_and_memory_check():
    s = record_steps("log", 10**7)
    assert s[0] == 0 and s[-1] == 10**7 and np.all(np.diff(s) > 0) and s.size < 250
    assert record_steps(7, 20).tolist() == [0, 7, 14, 20]
    assert record_steps("all", 3).tolist() == [0, 1, 2, 3]
    with pytest.raises(ValueError) as exc:
        fs.simulate(Flat(10), 100, 10_000, 0.1, 0.1, max_memory=1e7, progress=False)
    msg = str(exc.value)
    assert "GB" in msg and "use record=" in msg and "\n" not in msg
    stride = int(msg.split("use record=")[1].split()[0])
    ds = fs.simulate(Flat(10), 100, 10_000, 0.1, 0.1, max_memory=1e7, record=stride, progress=False)
    assert ds.sizes["time"] <= 10_000 // stride + 2


def test_interrupt_returns_recorded_part(monkeypatch):
    calls = []
    real = _engine._run_chunk

    def flaky(*args):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(engine.E, "_run_chunk", flaky)
    monkeypatch.setattr(engine, "_CHUNK_WORK", 10 * 2 * 25)  # 25 steps per chunk
    ds = fs.simulate(Flat(2), 10, 200, 0.1, 0.1, seed=1, progress=False)
    assert ds.attrs["status"] == "interrupted" and ds.attrs["steps_done"] == 50
    assert ds["step"].values[-1] == 50 and ds.sizes["iteration"] == 50
    full = fs.simulate(Flat(2), 10, 200, 0.1, 0.1, seed=1, progress=False)
    assert full.attrs["status"] == "completed"
    assert np.array_equal(ds["position"].values, full["position"].values[:, :51])


def test_output_schema_save_and_rerun(tmp_path):
    ds = fs.simulate(
        DiamondSquare(levels=5, seed=2),
        4,
        30,
        0.02,
        0.01,
        boundary="redraw",
        seed=8,
        progress=False,
    )
    fs.validate(ds)
    assert ds.attrs["source"] == "walker" and ds.attrs["result_type"] == "trajectory"
    back = fs.load(fs.save(ds, tmp_path / "w.nc"))
    np.testing.assert_array_equal(back["position"].values, ds["position"].values)
    cfg = config_of(back)
    again = fs.simulate(**cfg, progress=False)
    np.testing.assert_array_equal(again["position"].values, ds["position"].values)


@pytest.mark.parametrize(
    "kw, words",
    [
        ({"lr": -1}, "lr must be"),
        ({"noise": float("nan")}, "noise must be"),
        ({"n_walkers": 0}, "n_walkers"),
        ({"noise_kind": "cauchy"}, "noise_kind"),
        ({"levy_alpha": 2.5}, "levy_alpha"),
        ({"boundary": "wrap"}, "boundary must be"),
        ({"boundary": "redraw"}, "needs a box"),
        ({"box": (1.0, -1.0), "boundary": "reflect"}, "lo < hi"),
        ({"start": np.zeros(3)}, "start must have shape"),
        ({"start": np.full(2, 5.0), "boundary": "reflect", "box": (-1, 1)}, "outside the box"),
        ({"record": 0}, "record must be"),
        ({"momentum": 1.0}, "momentum"),
        ({"landscape": {"name": "weierstrass", "hurst": 3}}, "hurst"),
    ],
)
def test_bad_arguments(kw, words):
    base = dict(
        landscape=Weierstrass(2, n_terms=3),
        n_walkers=2,
        n_steps=3,
        lr=0.1,
        noise=0.1,
        progress=False,
    )
    base.update(kw)
    with pytest.raises(ValueError, match=words):
        fs.simulate(**base)


def test_concurrent_calls_from_threads_and_progress_bar(capsys):
    import threading

    runs = {}

    def go(i):
        runs[i] = fs.simulate(Flat(2), 50, 100, 0.1, 0.1, seed=i, progress=False)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(3):
        alone = fs.simulate(Flat(2), 50, 100, 0.1, 0.1, seed=i, progress=True)
        assert np.array_equal(runs[i]["position"].values, alone["position"].values)


def test_rerun_reproduces_and_extends():
    from fractalsgd.walkers import rerun

    start = np.array([[0.1, 0.2], [0.3, -0.4]])
    ds = fs.simulate(Cone(2), 2, 30, 0.05, 0.02, start=start, seed=3, progress=False)
    again = rerun(ds)
    np.testing.assert_array_equal(again["position"].values, ds["position"].values)
    longer = rerun(ds, n_steps=60)
    np.testing.assert_array_equal(longer["position"].values[:, :31], ds["position"].values)
    with pytest.raises(ValueError, match="rerun needs"):
        rerun(fs.trajectory(np.zeros((3, 2))))
