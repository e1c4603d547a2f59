import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import fractalsgd as fs


def _example(n_walker=3, n_time=50, n_coord=4, seed=0):
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.standard_normal((n_walker, n_time, n_coord)), axis=1)
    step = np.unique(np.geomspace(1, 10 * n_time, n_time).astype(np.int64))
    step = np.concatenate([step, step[-1] + 1 + np.arange(n_time - step.size)])
    ds = fs.trajectory(
        x.astype(np.float32),
        step=step,
        loss=rng.random((n_walker, n_time)),
        source="process",
        config={"kind": "bm", "D": 0.5},
        seed=seed,
        coord_names=[f"x{i}" for i in range(n_coord)],
        status="complete",
    )
    ds["diverged"] = ("walker", np.array([False, True, False][:n_walker]))
    ds["step_length"] = ("iteration", rng.random(20))
    return ds.assign_coords(iteration=np.arange(20, dtype=np.int64))


def test_round_trip_identical(tmp_path):
    ds = _example(n_time=3000)  # large enough for compression
    p = fs.save(ds, tmp_path / "sub" / "a.nc")
    back = fs.load(p)
    assert back.identical(ds)
    for name in ds.variables:
        assert back[name].dtype == ds[name].dtype, name
    assert back.attrs == ds.attrs
    assert os.listdir(tmp_path / "sub") == ["a.nc"]  # no temp files left behind


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        fs.load(tmp_path / "missing.nc")
    txt = tmp_path / "x.nc"
    txt.write_text("hello")
    with pytest.raises(fs.SchemaError, match="not a NetCDF file"):
        fs.load(txt)
    good = fs.save(_example(n_time=3000), tmp_path / "good.nc")
    data = good.read_bytes()
    trunc = tmp_path / "trunc.nc"
    trunc.write_bytes(data[: len(data) // 2])
    with pytest.raises(fs.SchemaError, match="truncated or corrupt"):
        fs.load(trunc)
    foreign = tmp_path / "foreign.nc"
    import xarray as xr

    xr.Dataset({"t": ("x", np.arange(3.0))}).to_netcdf(foreign)
    with pytest.raises(fs.SchemaError, match="not a fractalsgd dataset: missing provenance"):
        fs.load(foreign)


_WRITER = textwrap.dedent(
    """
    import sys, numpy as np, fractalsgd as fs
    rng = np.random.default_rng(1)
    big = fs.trajectory(rng.standard_normal((8, 20000, 30)), source="process")
    print("ready", flush=True)
    fs.save(big, sys.argv[1], complevel=6)
    """
)


def _kill_during_write(tmp_path, sig):
    target = tmp_path / "run.nc"
    old = _example()
    fs.save(old, target)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.time() + 60
    while time.time() < deadline:  # wait until a temporary file is being written
        if any(".tmp-" in n for n in os.listdir(tmp_path)):
            break
        time.sleep(0.002)
    else:
        proc.kill()
        pytest.fail("writer never started writing")
    time.sleep(0.05)
    proc.send_signal(sig)
    try:
        proc.wait(timeout=120)
    finally:
        proc.kill()  # never leave a hung writer behind
    return target, old, proc.returncode


def test_sigkill_mid_write_leaves_old_file(tmp_path):
    target, old, _ = _kill_during_write(tmp_path, signal.SIGKILL)
    back = fs.load(target)
    assert back.identical(old) or back.sizes["time"] == 20000  # old, or a complete new file
    assert back.sizes["time"] in (50, 20000)


def test_ctrl_c_mid_write_cleans_up(tmp_path):
    # Ctrl-C is held until the file is complete, then raised: the new data are kept
    target, old, rc = _kill_during_write(tmp_path, signal.SIGINT)
    assert rc != 0
    assert fs.load(target).sizes["time"] == 20000
    assert [n for n in os.listdir(tmp_path) if ".tmp-" in n] == []
