import os
import signal
import subprocess
import sys
import time

import numpy as np

import fractalsgd as fs
from fractalsgd.cli import main
from fractalsgd.sweeps import run_sweep

WALKERS = """
[sweep]
name = "kill-test"
kind = "walker"
[base]
n_walkers = {n_walkers}
n_steps = {n_steps}
lr = 0.02
noise = 0.05
record = "log"
landscape = {{ name = "weierstrass", hurst = 0.5, n_terms = 12 }}
[grid]
"landscape.hurst" = [0.3, 0.7]
seed = [0, 1, 2, 3]
"""


def _cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "fractalsgd", *map(str, args)],
        capture_output=True,
        text=True,
        **kw,
    )


def _one_line_exit2(capsys, argv):
    try:
        rc = main(argv)
    except SystemExit as exc:  # argparse errors exit from the parser
        rc = exc.code
    err = capsys.readouterr().err
    assert rc == 2, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_kill_half_way_then_resume_runs_only_the_missing_points(tmp_path):
    # 8 walker points on a LocalCluster of 2 worker processes, killed (SIGKILL to the
    # whole process group: client, scheduler, nannies, workers) once 2 points are written
    spec = tmp_path / "s.toml"
    spec.write_text(WALKERS.format(n_walkers=128, n_steps=8000))
    out = tmp_path / "out"
    points = out / "points"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "fractalsgd",
            "sweep",
            spec,
            "--out",
            out,
            "--workers",
            "2",
            "--no-progress",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        t0 = time.monotonic()
        while time.monotonic() - t0 < 120 and proc.poll() is None:
            if points.exists() and len(list(points.glob("p-*.nc"))) >= 2:
                break
            time.sleep(0.05)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
    first = {f.name: f.stat().st_mtime_ns for f in points.glob("p-*.nc")}
    assert 2 <= len(first) < 8, f"not killed half-way: {len(first)} points written"
    assert not (out / "summary.nc").exists()
    r = _cli("sweep", spec, "--out", out, "--workers", "2", "--no-progress")
    assert r.returncode == 0, r.stderr
    n = len(first)
    assert f"8 points, {n} done before, {8 - n} to run" in r.stdout
    assert "dask dashboard: http" in r.stdout
    # the points written before the kill were not touched, the others were added
    assert {f: (points / f).stat().st_mtime_ns for f in first} == first
    assert len(list(points.glob("p-*.nc"))) == 8
    ds = fs.load(out / "summary.nc")
    assert dict(ds.sizes) == {"landscape.hurst": 2, "seed": 4}
    assert (ds["status"] == "ok").all() and np.isfinite(ds["msd_exponent"]).all()
    # a third run has nothing to do
    r = _cli("sweep", spec, "--out", out, "--scheduler", "none", "--no-progress")
    assert r.returncode == 0 and "8 done before, 0 to run" in r.stdout
    # the same sweep in-process (--scheduler none, all Numba threads) gives the same numbers
    ref = run_sweep(spec, tmp_path / "ref", scheduler="none", progress=False, log=print)
    for k in ds.data_vars:
        np.testing.assert_array_equal(ds[k].values, ref[k].values, err_msg=k)


def test_failed_points_exit_1_and_bad_input_exit_2(tmp_path, capsys):
    spec = tmp_path / "f.toml"
    spec.write_text(
        '[sweep]\nkind = "process"\n[base]\nmodel = "fbm"\nn_walkers = 2\nn_steps = 32\n'
        "[grid]\nH = [0.5, 1.5]\n"
    )
    out = tmp_path / "o"
    rc = main(["sweep", str(spec), "--out", str(out), "--scheduler", "none", "--no-progress"])
    cap = capsys.readouterr()
    assert rc == 1
    assert "1 of 2 points failed" in cap.err and "--retry-failed" in cap.err
    ds = fs.load(out / "summary.nc")
    assert list(ds["status"].values) == ["ok", "failed"]
    assert ds["error"].values[1] == "ValueError: H must lie in (0, 1), got 1.5"

    bad = tmp_path / "b.toml"
    bad.write_text('[sweep]\nkind = "process"\n[base]\nmodel = "bm"\n[grid]\nsed = [1]\n')
    err = _one_line_exit2(capsys, ["sweep", str(bad), "--out", str(tmp_path / "x")])
    assert "unknown configuration key 'sed' for process 'bm'" in err
    assert not (tmp_path / "x").exists()  # nothing written for a bad sweep
    bad.write_text('[sweep]\nkind = "process"\n[base]\nmodel = "bm"\n[grid]\nseed = []\n')
    err = _one_line_exit2(capsys, ["sweep", str(bad), "--out", str(tmp_path / "x")])
    assert "grid: 'seed' is empty" in err
    other = tmp_path / "other.toml"
    other.write_text(spec.read_text().replace("0.5, 1.5", "0.25"))
    err = _one_line_exit2(capsys, ["sweep", str(other), "--out", str(out), "--scheduler", "none"])
    assert "holds another sweep" in err and "--force" in err
    err = _one_line_exit2(
        capsys,
        [
            "sweep",
            str(spec),
            "--out",
            str(tmp_path / "new"),
            "--scheduler",
            "tcp://127.0.0.1:9",
            "--connect-timeout",
            "1",
        ],
    )
    assert "no Dask scheduler answered within 1 s" in err
    err = _one_line_exit2(capsys, ["sweep", str(spec), "--out", str(out), "--workers", "0"])
    assert "positive integer" in err
    err = _one_line_exit2(capsys, ["sweep", str(tmp_path / "no.toml"), "--out", str(out)])
    assert "no such sweep file" in err


def test_retry_failed_and_force_from_the_command_line(tmp_path, capsys):
    spec = tmp_path / "f.toml"
    spec.write_text(
        '[sweep]\nkind = "process"\n[base]\nmodel = "fbm"\nn_walkers = 2\nn_steps = 32\n'
        "[grid]\nH = [0.5, 0.75]\n"
    )
    out = tmp_path / "o"
    out.mkdir()
    (out / "mine.txt").write_text("x")
    _one_line_exit2(capsys, ["sweep", str(spec), "--out", str(out), "--scheduler", "none"])
    argv = ["sweep", str(spec), "--out", str(out), "--scheduler", "none", "--no-progress"]
    assert main([*argv, "--force"]) == 0
    assert main([*argv, "--retry-failed"]) == 0
    assert "2 done before, 0 to run" in capsys.readouterr().out


def test_without_dask_one_line(tmp_path):
    code = (
        "import sys; sys.modules['dask'] = None\n"
        "from fractalsgd.cli import main\n"
        f"sys.exit(main(['sweep', 'x.toml', '--out', {str(tmp_path)!r}]))"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == (
        "fractalsgd sweep: error: fractalsgd.sweeps needs dask: "
        "pip install 'fractalsgd[distributed]'"
    )
    code = "import fractalsgd.sweeps, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
