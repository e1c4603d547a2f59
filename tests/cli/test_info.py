import subprocess
import sys

import numpy as np
import xarray as xr

import fractalsgd as fs


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "fractalsgd", *map(str, args)], capture_output=True, text=True
    )


def test_info_on_trajectory(tmp_path):
    ds = fs.trajectory(
        np.zeros((2, 7, 3)),
        step=[0, 1, 2, 4, 8, 16, 32],
        source="walker",
        config={"lr": 0.02, "landscape": "diamond_square"},
        seed=11,
    )
    p = fs.save(ds, tmp_path / "t.nc")
    r = _cli("info", p)
    assert r.returncode == 0, r.stderr
    assert "walker=2, time=7, coord=3" in r.stdout
    assert "seed: 11" in r.stdout and "source: walker" in r.stdout
    assert "steps:    0 .. 32 (7 snapshots)" in r.stdout
    assert "lr=0.02" in r.stdout


def _one_line_exit2(r):
    assert r.returncode == 2
    assert r.stdout == ""
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_info_bad_files(tmp_path):
    txt = tmp_path / "a.nc"
    txt.write_text("not netcdf")
    r = _cli("info", txt)
    _one_line_exit2(r)
    assert "not a NetCDF file" in r.stderr
    good = fs.save(fs.trajectory(np.zeros((1, 5000, 2))), tmp_path / "g.nc")
    trunc = tmp_path / "trunc.nc"
    trunc.write_bytes(good.read_bytes()[:3000])
    r = _cli("info", trunc)
    _one_line_exit2(r)
    assert "truncated or corrupt" in r.stderr
    foreign = tmp_path / "foreign.nc"
    xr.Dataset({"t": ("x", np.arange(3.0))}).to_netcdf(foreign)
    r = _cli("info", foreign)
    _one_line_exit2(r)
    assert "missing provenance" in r.stderr
    r = _cli("info", tmp_path / "nope.nc")
    _one_line_exit2(r)
    assert "no such file" in r.stderr


def test_bad_option_and_debug(tmp_path):
    r = _cli("info", "--frobnicate", "x")
    _one_line_exit2(r)
    r = _cli("--debug", "info", tmp_path / "nope.nc")
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = _cli("--version")
    assert r.returncode == 0 and r.stdout.startswith("fractalsgd ")
