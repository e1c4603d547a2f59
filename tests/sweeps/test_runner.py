import json
import time

import numpy as np
import pytest
import xarray as xr

import fractalsgd as fs
from fractalsgd.processes import bm, fbm
from fractalsgd.sweeps import (
    gpu_for_worker,
    load_summary,
    load_sweep,
    open_points,
    reduce_summary,
    register_point_kind,
    run_sweep,
    trajectory_summary,
)

CALLS: list = []
TRANSIENT: set = set()


def counting_point(*, x: int = 0, n_walkers: int = 3, n_steps: int = 60, seed: int = 0):
    """A cheap point kind that records its calls and fails for x in TRANSIENT."""
    CALLS.append(x)
    if x in TRANSIENT:
        raise RuntimeError(f"transient failure at x={x}\nsecond line")
    rng = np.random.default_rng(seed)
    pos = np.cumsum(rng.normal(size=(n_walkers, n_steps + 1, 1)), axis=1) * (1 + x)
    loss = np.ones((n_walkers, n_steps + 1))
    loss[:, -1] = x / 10 + np.arange(n_walkers) / 10  # final losses x/10, x/10 + 0.1, ...
    return fs.trajectory(pos, loss=loss, source="process", config={"x": x}, seed=seed)


def threads_point(*, seed: int = 0):
    import numba

    ds = counting_point(seed=seed)
    ds.attrs["numba_threads_seen"] = numba.get_num_threads()
    return ds


def _threads_summary(ds, config):
    return {"numba_threads": ds.attrs["numba_threads_seen"]}


def not_a_dataset(*, seed: int = 0):
    return np.zeros(3)


register_point_kind("test-count", counting_point, replace=True)
register_point_kind("test-threads", threads_point, summarise=_threads_summary, replace=True)


def _exploding_summary(ds, config, *, explode: bool = False):
    if explode:
        raise RuntimeError("summary exploded")
    return {"n_time": ds.sizes["time"]}


register_point_kind("test-bad", not_a_dataset, replace=True)
register_point_kind("test-sum", counting_point, summarise=_exploding_summary, replace=True)

COUNT = {"sweep": {"kind": "test-count", "name": "count"}, "grid": {"x": [0, 1, 2, 3]}}
QUIET = {"progress": False, "log": lambda *a: None}


@pytest.fixture(autouse=True)
def _reset():
    CALLS.clear()
    TRANSIENT.clear()


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    # one small in-process cluster shared by the module (start-up is the slow part)
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def test_in_process_summary_matches_direct_computation(tmp_path):
    spec = {
        "sweep": {"kind": "process", "name": "null"},
        "base": {"n_walkers": 16, "n_steps": 256, "dim": 2},
        "points": [{"model": "bm"}, {"model": "fbm", "H": 0.3}],
        "grid": {"seed": [1, 2]},
    }
    ds = run_sweep(spec, tmp_path, scheduler="none", **QUIET)
    assert ds.attrs["result_type"] == "sweep_summary" and ds.attrs["kind"] == "result"
    assert dict(ds.sizes) == {"point": 2, "seed": 2}
    assert list(ds["model"].values) == ["bm", "fbm"]
    assert np.isnan(ds["H"].values[0]) and ds["H"].values[1] == 0.3
    assert list(ds["seed"].values) == [1, 2]
    assert (ds["status"] == "ok").all() and (ds["error"] == "").all()
    # every number equals the summary of the same process computed directly
    for i, make in enumerate(
        [lambda s: bm(16, 256, 2, seed=s), lambda s: fbm(16, 256, 0.3, 2, seed=s)]
    ):
        for j, seed in enumerate([1, 2]):
            ref = trajectory_summary(make(seed))
            for k, v in ref.items():
                np.testing.assert_equal(ds[k].values[i, j], v)
            traj = fs.load(tmp_path / str(ds["file"].values[i, j]))
            np.testing.assert_array_equal(traj["position"].values, make(seed)["position"].values)
            assert traj.attrs["sweep_point"] == ds["hash"].values[i, j]
    saved = load_summary(tmp_path)
    xr.testing.assert_identical(saved.drop_attrs(), ds.drop_attrs())
    assert json.loads(saved.attrs["swept_keys"]) == ["point", "seed"]
    meta = json.loads((tmp_path / "sweep.json").read_text())
    assert meta["identity"] == load_sweep(spec).identity and meta["shape"] == [2, 2]


def test_failing_point_recorded_others_go_on_then_retry(tmp_path):
    TRANSIENT.add(2)
    ds = run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    assert sorted(CALLS) == [0, 1, 2, 3]
    assert list(ds["status"].values) == ["ok", "ok", "failed", "ok"]
    assert ds["error"].values[2] == "RuntimeError: transient failure at x=2"
    assert np.isnan(ds["final_loss_min"].values[2])
    np.testing.assert_allclose(ds["final_loss_min"].values[[0, 1, 3]], [0.0, 0.1, 0.3])
    assert ds.attrs["n_failed"] == 1
    failures = json.loads((tmp_path / "failures.json").read_text())
    (rec,) = failures.values()
    assert rec["config"]["x"] == 2 and rec["index"] == {"x": 2}
    assert "Traceback" in rec["traceback"] and "transient failure" in rec["traceback"]
    # plain re-run: nothing runs, the failure stays in the summary
    CALLS.clear()
    TRANSIENT.clear()
    ds = run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    assert CALLS == [] and ds["status"].values[2] == "failed"
    # --retry-failed runs only the failed point
    ds = run_sweep(COUNT, tmp_path, scheduler="none", retry_failed=True, **QUIET)
    assert CALLS == [2] and (ds["status"] == "ok").all()
    assert ds["final_loss_min"].values[2] == pytest.approx(0.2)
    assert json.loads((tmp_path / "failures.json").read_text()) == {}


def test_resume_skips_valid_files_and_reruns_missing_or_corrupt(tmp_path):
    run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    files = sorted((tmp_path / "points").glob("p-*.nc"))
    assert len(files) == 4 and sorted(CALLS) == [0, 1, 2, 3]
    stamps = {f.name: f.stat().st_mtime_ns for f in files}
    CALLS.clear()
    run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    assert CALLS == []
    assert {f.name: f.stat().st_mtime_ns for f in files} == stamps
    ds = load_summary(tmp_path)
    gone = tmp_path / str(ds["file"].values[1])
    bad = tmp_path / str(ds["file"].values[3])
    gone.unlink()
    bad.write_bytes(bad.read_bytes()[:500])  # truncated by a crash of some other writer
    ds = run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    assert sorted(CALLS) == [1, 3] and (ds["status"] == "ok").all()
    assert fs.load(bad).attrs["sweep_point"] == ds["hash"].values[3]


def test_changed_summary_options_resummarise_without_rerunning(tmp_path):
    ds = run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    assert np.isnan(ds["success_rate"].values).all()
    CALLS.clear()
    spec = {**COUNT, "summary": {"success_loss": 0.25}}
    ds = run_sweep(spec, tmp_path, scheduler="none", **QUIET)
    assert CALLS == []  # same points (options are not part of the identity), no re-run
    # final losses of point x are x/10 + (0, 0.1, 0.2): fraction <= 0.25
    np.testing.assert_allclose(ds["success_rate"].values, [1.0, 2 / 3, 1 / 3, 0.0])


def test_directory_of_another_sweep_refused_unless_force(tmp_path):
    run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    other = {**COUNT, "grid": {"x": [2, 3, 4]}}
    with pytest.raises(ValueError, match="holds another sweep .'count'") as err:
        run_sweep(other, tmp_path, scheduler="none", **QUIET)
    assert "--force" in str(err.value) and "\n" not in str(err.value)
    CALLS.clear()
    ds = run_sweep(other, tmp_path, scheduler="none", force=True, **QUIET)
    assert CALLS == [4]  # x=2, 3 have the same configuration hash: their files are reused
    assert list(ds["x"].values) == [2, 3, 4]
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="is not empty and holds no sweep.json"):
        run_sweep(COUNT, junk, scheduler="none", **QUIET)
    f = tmp_path / "file"
    f.write_text("")
    with pytest.raises(ValueError, match="not a directory"):
        run_sweep(COUNT, f, scheduler="none", **QUIET)


def test_point_returning_no_dataset_fails_cleanly(tmp_path):
    ds = run_sweep(
        {"sweep": {"kind": "test-bad"}, "grid": {"seed": [0]}}, tmp_path, scheduler="none", **QUIET
    )
    assert ds["error"].values[0] == (
        "TypeError: point kind 'test-bad' returned ndarray, not an xarray.Dataset"
    )


WALKER = {
    "sweep": {"kind": "walker", "name": "toy"},
    "base": {
        "n_walkers": 16,
        "n_steps": 300,
        "lr": 0.02,
        "noise": 0.05,
        "landscape": {"name": "weierstrass", "hurst": 0.5, "n_terms": 12},
    },
    "grid": {"landscape.hurst": [0.3, 0.7], "seed": [0, 1, 2, 3]},
    "summary": {"success_loss": 2.0},
}


def test_local_cluster_gives_the_same_numbers_as_in_process(tmp_path, client):
    a = run_sweep(WALKER, tmp_path / "a", client=client, **QUIET)
    b = run_sweep(WALKER, tmp_path / "b", scheduler="none", **QUIET)
    assert dict(a.sizes) == {"landscape.hurst": 2, "seed": 4} and (a["status"] == "ok").all()
    for k in a.data_vars:
        np.testing.assert_array_equal(a[k].values, b[k].values, err_msg=k)
    assert np.isfinite(a["msd_exponent"]).all() and np.isfinite(a["final_loss_mean"]).all()
    for f in a["file"].values.ravel():
        np.testing.assert_array_equal(
            fs.load(tmp_path / "a" / f)["position"].values,
            fs.load(tmp_path / "b" / f)["position"].values,
        )
    # the trajectories, lazily, in summary order
    o = open_points(tmp_path / "a")
    assert o["position"].dims == ("landscape.hurst", "seed", "walker", "time", "coord")
    assert o["position"].chunks is not None  # dask-backed, nothing read yet
    one = fs.load(tmp_path / "a" / str(a["file"].values[1, 2]))
    np.testing.assert_array_equal(o["position"][1, 2].values, one["position"].values)
    assert list(o["seed"].values) == [0, 1, 2, 3]
    o.close()


def test_failures_on_the_cluster_and_numba_threads(tmp_path, client):
    TRANSIENT.add(1)
    ds = run_sweep(COUNT, tmp_path / "c", client=client, **QUIET)
    assert list(ds["status"].values) == ["ok", "failed", "ok", "ok"]
    assert ds["error"].values[1] == "RuntimeError: transient failure at x=1"
    spec = {"sweep": {"kind": "test-threads"}, "grid": {"seed": [0, 1]}}
    ds = run_sweep(spec, tmp_path / "t", client=client, numba_threads=1, **QUIET)
    assert (ds["numba_threads"] == 1).all()


def test_gpu_for_worker(client):
    assert gpu_for_worker(4) is None  # not inside a worker
    got = set()
    for addr in client.scheduler_info()["workers"]:
        got.add(client.submit(gpu_for_worker, 4, workers=[addr], pure=False).result())
        assert client.submit(gpu_for_worker, 0, workers=[addr], pure=False).result() is None
    assert got == {0, 1}  # LocalCluster workers are named 0 and 1


def test_open_points_needs_every_point(tmp_path):
    TRANSIENT.add(0)
    run_sweep(COUNT, tmp_path, scheduler="none", **QUIET)
    with pytest.raises(ValueError, match=r"point x=0 has no valid file"):
        open_points(tmp_path)
    with pytest.raises(FileNotFoundError, match="not a sweep directory"):
        open_points(tmp_path / "points")


def test_unreachable_scheduler_one_line_after_timeout(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(ValueError) as err:
        run_sweep(COUNT, tmp_path, scheduler="tcp://127.0.0.1:9", connect_timeout=1, **QUIET)
    assert time.perf_counter() - t0 < 15
    msg = str(err.value)
    assert msg.startswith("--scheduler tcp://127.0.0.1:9: no Dask scheduler answered within 1 s")
    assert "\n" not in msg


def test_bad_arguments(tmp_path):
    for kw, msg in [
        ({"workers": 0}, "workers"),
        ({"threads_per_worker": 1.5}, "threads"),
        ({"numba_threads": -1}, "numba_threads"),
        ({"scheduler": 3}, "scheduler"),
    ]:
        with pytest.raises(ValueError, match=msg):
            run_sweep(COUNT, tmp_path, **kw, **QUIET)


def test_failing_summary_keeps_the_run_and_only_resummarises(tmp_path):
    spec = {"sweep": {"kind": "test-sum"}, "grid": {"x": [0, 1]}, "summary": {"explode": True}}
    ds = run_sweep(spec, tmp_path, scheduler="none", **QUIET)
    assert list(ds["status"].values) == ["failed", "failed"]
    assert ds["error"].values[0] == "summary: RuntimeError: summary exploded"
    assert len(list((tmp_path / "points").glob("p-*.nc"))) == 2 and sorted(CALLS) == [0, 1]
    CALLS.clear()
    ds = run_sweep({**spec, "summary": {}}, tmp_path, scheduler="none", **QUIET)
    assert CALLS == [] and (ds["status"] == "ok").all()
    np.testing.assert_array_equal(ds["n_time"].values, [61, 61])


def test_reduce_over_seeds(tmp_path):
    TRANSIENT.add(1)
    spec = {"sweep": {"kind": "test-count"}, "grid": {"x": [0, 1], "seed": [0, 1, 2]}}
    ds = run_sweep(spec, tmp_path, scheduler="none", **QUIET)
    TRANSIENT.clear()
    r = reduce_summary(ds, "seed")
    assert dict(r.sizes) == {"x": 2} and r.attrs["reduced_over"] == "seed"
    e = ds["msd_exponent"].values[0]
    assert r["msd_exponent"].values[0] == pytest.approx(e.mean())
    assert r["msd_exponent_sem"].values[0] == pytest.approx(e.std(ddof=1) / np.sqrt(3))
    assert r["msd_exponent_n"].values.tolist() == [3, 0]  # x=1 failed for every seed
    assert np.isnan(r["msd_exponent"].values[1])
    with pytest.raises(ValueError, match="dim 'lr' is not a dim"):
        reduce_summary(ds, "lr")


def test_module_function_kind(tmp_path):
    # any importable function returning a trajectory is a point kind, keys from its signature
    spec = {
        "sweep": {"kind": "fractalsgd.processes:bm"},
        "base": {"n_walkers": 4, "n_steps": 64},
        "grid": {"seed": [1, 2]},
    }
    ds = run_sweep(spec, tmp_path, scheduler="none", **QUIET)
    assert (ds["status"] == "ok").all()
    ref = trajectory_summary(bm(4, 64, seed=2))
    assert ds["msd_exponent"].values[1] == ref["msd_exponent"]
    p = load_sweep(spec).expand()[0]
    assert p.config == {"n_walkers": 4, "n_steps": 64, "dim": 1, "D": 1.0, "seed": 1}
    with pytest.raises(ValueError, match="unknown configuration key 'H'"):
        load_sweep({**spec, "grid": {"H": [0.5]}}).expand()


def test_in_process_sweep_needs_no_distributed(tmp_path):
    # a fresh interpreter in which importing distributed fails: the package imports and a
    # scheduler="none" sweep runs; a cluster scheduler says in one line what is missing
    code = f"""
import sys
sys.modules["distributed"] = None  # blocks `import distributed`
from fractalsgd._optional import MissingDependencyError
from fractalsgd.sweeps import run_sweep
spec = {{"sweep": {{"kind": "process"}}, "base": {{"model": "bm", "n_walkers": 4,
         "n_steps": 64}}, "grid": {{"seed": [1, 2]}}}}
ds = run_sweep(spec, {str(tmp_path / "a")!r}, scheduler="none", progress=False,
               log=lambda *a: None)
assert (ds["status"] == "ok").all(), ds["error"].values
try:
    run_sweep(spec, {str(tmp_path / "b")!r}, scheduler="local", progress=False,
              log=lambda *a: None)
except MissingDependencyError as exc:
    print("MSG:" + str(exc))
assert "distributed" not in sys.modules or sys.modules["distributed"] is None
"""
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().splitlines()[-1] == (
        "MSG:fractalsgd.sweeps needs distributed: pip install 'fractalsgd[distributed]'"
    )
