import subprocess
import sys

import numpy as np
import pytest

import fractalsgd as fs
from fractalsgd.cli import main
from fractalsgd.cli.simulate import parse_params
from fractalsgd.landscapes import Weierstrass
from fractalsgd.schema import config_of


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "fractalsgd", *map(str, args)], capture_output=True, text=True
    )


def test_simulate_cli_matches_api_and_plots(tmp_path):
    out = tmp_path / "w.nc"
    r = _cli(
        "simulate",
        "--landscape",
        "weierstrass",
        "--param",
        "dim=3",
        "--param",
        "n_terms=6",
        "--param",
        "rotate=true",
        "--walkers",
        5,
        "--steps",
        40,
        "--lr",
        0.01,
        "--noise",
        0.05,
        "--seed",
        4,
        "--record",
        "log",
        "--boundary",
        "reflect",
        "--box",
        -2,
        2,
        "--momentum",
        0.3,
        "--out",
        out,
        "--no-progress",
    )
    assert r.returncode == 0, r.stderr
    assert "5 walkers" in r.stdout and "completed" in r.stdout
    ds = fs.load(out)
    ref = fs.simulate(
        Weierstrass(3, n_terms=6, rotate=True),
        5,
        40,
        0.01,
        0.05,
        seed=4,
        record="log",
        boundary="reflect",
        box=(-2.0, 2.0),
        momentum=0.3,
        progress=False,
    )
    np.testing.assert_array_equal(ds["position"].values, ref["position"].values)
    cfg = config_of(ds)
    assert cfg["landscape"]["rotate"] is True and cfg["box"] == [[-2, -2, -2], [2, 2, 2]]
    png = tmp_path / "w.png"
    r = _cli("plot", out, "--out", png)
    assert r.returncode == 0, r.stderr
    assert png.stat().st_size > 10_000


def test_simulate_start_file_and_grid_plot(tmp_path):
    np.save(tmp_path / "s.npy", np.array([0.2, -0.3]))
    out = tmp_path / "g.nc"
    code = main(
        [
            "simulate",
            "--landscape",
            "diamond_square",
            "--param",
            "levels=5",
            "--walkers",
            "3",
            "--steps",
            "20",
            "--lr",
            "0.02",
            "--noise",
            "0.01",
            "--boundary",
            "redraw",
            "--start",
            str(tmp_path / "s.npy"),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0
    ds = fs.load(out)
    assert np.array_equal(ds["position"].values[:, 0], np.tile([0.2, -0.3], (3, 1)))
    assert main(["plot", str(out), "--out", str(tmp_path / "g.png")]) == 0


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--landscape", "nope"], "unknown landscape"),
        (["--landscape", "weierstrass", "--param", "hurst=2"], "hurst"),
        (["--landscape", "flat", "--param", "dim"], "KEY=VALUE"),
        (["--landscape", "flat", "--walkers", "0"], "n_walkers"),
        (["--landscape", "flat", "--record", "sometimes"], "--record"),
        (["--landscape", "weierstrass", "--boundary", "redraw"], "needs a box"),
        (["--landscape", "flat", "--lr", "abc"], "invalid float"),
    ],
)
def test_simulate_cli_bad_input_exits_2(tmp_path, capsys, extra, words):
    base = [
        "--walkers",
        "2",
        "--steps",
        "3",
        "--lr",
        "0.1",
        "--noise",
        "0.1",
        "--out",
        str(tmp_path / "x.nc"),
        "--no-progress",
    ]
    args = ["simulate", *base, *extra]
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(main(args))
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and words in err
    assert not (tmp_path / "x.nc").exists()


def test_parse_params():
    assert parse_params(["k=1", "rotate=true", "w=null", "s=abc", "x=1e-3"]) == {
        "k": 1,
        "rotate": True,
        "w": None,
        "s": "abc",
        "x": 1e-3,
    }


def test_ctrl_c_saves_what_was_recorded(tmp_path):
    import signal
    import time

    out = tmp_path / "i.nc"
    err = open(tmp_path / "err.txt", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "fractalsgd", "simulate", "--landscape", "weierstrass",
         "--param", "dim=50", "--walkers", "200", "--steps", "1000000", "--lr", "0.001",
         "--noise", "0.01", "--record", "log", "--out", str(out)],
        stdout=subprocess.PIPE, stderr=err, text=True,
    )  # fmt: skip
    try:
        deadline = time.time() + 60
        # the progress bar appears after 2 s of simulation: the run is under way
        while "simulate" not in (tmp_path / "err.txt").read_text() and time.time() < deadline:
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        stdout, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        err.close()
    assert proc.returncode == 130, (tmp_path / "err.txt").read_text()[-500:]
    assert "interrupted" in stdout
    ds = fs.load(out)
    assert ds.attrs["status"] == "interrupted"
    done = ds.attrs["steps_done"]
    assert 0 < done < 1_000_000 and ds["step"].values[-1] <= done
    assert np.all(np.isfinite(ds["position"].values))
