"""``fractalsgd landscape`` and ``fractalsgd plot`` on a landscape network."""

import json
import subprocess
import sys

import numpy as np

import fractalsgd as fs
from fractalsgd.cli import main
from fractalsgd.energy import LandscapeNetwork, disconnectivity


def test_grid_file_to_network_and_plot(tmp_path, capsys):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(30, 40))
    np.save(tmp_path / "z.npy", z)
    out = tmp_path / "net.nc"
    assert main(["landscape", str(tmp_path / "z.npy"), "--out", str(out)]) == 0
    ref = LandscapeNetwork.from_grid(z)
    net = LandscapeNetwork.load(out)
    np.testing.assert_array_equal(net.energy, ref.energy)
    np.testing.assert_array_equal(net.ts_pair, ref.ts_pair)
    text = capsys.readouterr().out
    assert f"{ref.n_minima} minima, {ref.n_ts} transition states" in text
    png = tmp_path / "dg.png"
    assert main(["plot", str(out), "--out", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000


def test_config_grid_landscape_and_periodic(tmp_path, capsys):
    from fractalsgd.landscapes import from_config

    cfg = {"name": "spectral", "size": 33, "hurst": 0.6, "seed": 2}
    out = tmp_path / "net.nc"
    assert main(["landscape", json.dumps(cfg), "--out", str(out), "--periodic"]) == 0
    land = from_config(cfg)
    ref = LandscapeNetwork.from_grid(np.asarray(land.grid), periodic=True, extent=land.extent)
    net = LandscapeNetwork.load(out)
    np.testing.assert_array_equal(net.energy, ref.energy)
    np.testing.assert_allclose(net.position, ref.position)
    assert net.config["landscape"]["name"] == "spectral"


def test_trajectory_file_is_explored(tmp_path, capsys):
    # two wells of the cosine landscape, visited one after the other
    x = np.concatenate([np.linspace(-0.1, 0.2, 5), np.linspace(0.8, 1.1, 5)])
    pos = np.stack([x, 0.05 * np.ones_like(x)], axis=1)
    traj = fs.trajectory(
        pos, source="walker", config={"landscape": {"name": "cosine", "dim": 2, "amplitude": 0.5}}
    )
    p = fs.save(traj, tmp_path / "t.nc")
    out = tmp_path / "net.nc"
    assert main(["landscape", str(p), "--out", str(out), "--every", "1"]) == 0
    net = LandscapeNetwork.load(out)
    assert net.n_minima == 2 and net.n_ts == 1
    np.testing.assert_allclose(np.sort(net.position[:, 0]), [0.0, 1.0], atol=1e-4)
    # the saddle between neighbouring cosine minima is 2 * amplitude above them
    assert abs(disconnectivity(net).barrier(0, 1) - 1.0) < 1e-8
    assert fs.load(out).attrs["input_source"] == "walker"


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "fractalsgd", *map(str, args)], capture_output=True, text=True
    )


def test_bad_inputs_exit_2_with_one_line(tmp_path):
    np.save(tmp_path / "flat.npy", np.ones((5, 5)))
    z = np.zeros((4, 4))
    z[1, 2] = np.nan
    np.save(tmp_path / "nan.npy", z)
    cases = [
        ((tmp_path / "flat.npy",), "constant grid"),
        ((tmp_path / "nan.npy",), "non-finite value at index (1, 2)"),
        ((tmp_path / "missing.npy",), "no such file"),
        (('{"name": "nope"}',), "unknown landscape"),
        (("not json at all",), "not a .npy grid"),
    ]
    for args, msg in cases:
        r = _cli("landscape", *args, "--out", tmp_path / "o.nc")
        assert r.returncode == 2, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert msg in r.stderr, (msg, r.stderr)
    assert not (tmp_path / "o.nc").exists()
