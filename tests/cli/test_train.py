import json
import os
import signal
import subprocess
import sys
import time

import xarray as xr

from fractalsgd import load
from fractalsgd.dnn.train import _RESUME_FREE

ARGS = ["--model", "fc", "--dataset", "digits", "--image-size", "8", "--channels", "1",
        "--batch-size", "32", "--window", "40", "--sketch-dim", "32", "--probe-size", "64",
        "--probe-every", "10", "--grad-samples", "50", "--increment-samples", "50",
        "--threads", "1", "--quiet"]  # fmt: skip


def _cmd(*args):
    return [sys.executable, "-m", "fractalsgd", "train", *map(str, args)]


def _cli(*args):
    return subprocess.run(_cmd(*args), capture_output=True, text=True)


def _one_line(r, code):
    assert r.returncode == code, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_kill_and_resume_equals_uninterrupted_run(tmp_path):
    steps = 400
    ref, out, ckpt = tmp_path / "ref.nc", tmp_path / "run.nc", tmp_path / "run.ckpt"
    r = _cli(*ARGS, "--steps", steps, "--out", ref)
    assert r.returncode == 0, r.stderr
    proc = subprocess.Popen(
        _cmd(*ARGS, "--steps", steps, "--out", out, "--checkpoint", ckpt,
             "--checkpoint-every", 30),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (ckpt.exists() and out.exists()) and time.monotonic() < deadline:
        assert proc.poll() is None, "run ended before it could be killed"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL  # really killed mid-run
    partial = load(out)
    assert partial.attrs["status"] == "running" and partial.attrs["last_step"] < steps
    r = _cli(*ARGS, "--steps", steps, "--out", out, "--checkpoint", ckpt,
             "--checkpoint-every", 30, "--resume")  # fmt: skip
    assert r.returncode == 0, r.stderr
    a, b = load(ref), load(out)
    xr.testing.assert_identical(a.drop_attrs(), b.drop_attrs())  # bit-identical data
    ca, cb = json.loads(a.attrs["config"]), json.loads(b.attrs["config"])
    assert {k: v for k, v in ca.items() if k not in _RESUME_FREE} == {
        k: v for k, v in cb.items() if k not in _RESUME_FREE
    }
    assert b.attrs["status"] == "completed" and b.attrs["last_step"] == steps
    # resuming with another configuration is refused with one line
    r = _cli(*ARGS, "--steps", steps, "--lr", 0.3, "--out", out, "--checkpoint", ckpt,
             "--resume")  # fmt: skip
    _one_line(r, 2)
    assert "another configuration" in r.stderr


def test_bad_configuration_one_line(tmp_path):
    out = tmp_path / "x.nc"
    for extra, msg in (
        (["--steps", 5, "--window", 10], "window 10 is larger than the run"),
        (["--steps", 5, "--window", 2, "--dataset", "cifar10", "--data-dir", tmp_path],
         "pass --download"),
    ):  # fmt: skip
        r = _cli(*ARGS, *extra, "--out", out)
        _one_line(r, 2)
        assert msg in r.stderr
    assert not out.exists()
    # (unknown model, batch too large, ...: same path, tested in-process in tests/dnn)


def test_divergence_exits_nonzero_with_one_line(tmp_path):
    out = tmp_path / "d.nc"
    r = _cli(*ARGS, "--steps", 60, "--lr", 1e4, "--out", out)
    _one_line(r, 3)
    assert "diverged at step" in r.stderr
    assert load(out).attrs["status"] == "diverged"
