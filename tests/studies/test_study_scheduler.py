"""The sweep studies take a scheduler: fractalsgd.studies.run and ``fractalsgd study``
pass it through to fractalsgd.sweeps.run_sweep; the other studies refuse it in one line."""

import pytest

import fractalsgd as fs
from fractalsgd import studies
from fractalsgd.cli import main


def test_sweep_studies_are_the_three_grids():
    assert studies.sweep_studies() == ["dnn_batch_lr", "dnn_controls", "toy_phase_diagram"]


def test_in_process_study_refuses_a_scheduler(tmp_path):
    with pytest.raises(ValueError, match=r"^study 'quickstart' runs in-process only; "):
        studies.run("quickstart", "smoke", tmp_path, scheduler="local")
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        studies.run("toy_phase_diagram", "smoke", tmp_path, workers=0)
    assert not any(tmp_path.iterdir())  # refused before anything ran


def test_cli_passes_scheduler_and_workers_through(tmp_path, monkeypatch, capsys):
    seen = {}

    def fake_run(scale, out, *, progress, scheduler, workers):
        seen.update(scale=scale, scheduler=scheduler, workers=workers, progress=progress)
        return [out / "summary.nc"]

    monkeypatch.setattr(studies.get("toy_phase_diagram"), "run", fake_run)
    rc = main(["study", "toy_phase_diagram", "--scale", "smoke", "--out-dir", str(tmp_path),
               "--scheduler", "tcp://10.0.0.1:8786", "--workers", "3", "--quiet"])  # fmt: skip
    assert rc == 0
    assert seen == {
        "scale": "smoke",
        "progress": False,
        "scheduler": "tcp://10.0.0.1:8786",
        "workers": 3,
    }
    # a study without a sweep: exit 2 with one line
    assert main(["study", "quickstart", "--scheduler", "local"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "runs in-process only" in err[0]


@pytest.mark.slow  # ~8 s; the sweeps' own LocalCluster test and the pass-through above cover it
def test_toy_phase_diagram_on_a_local_cluster_gives_the_same_numbers(tmp_path):
    from fractalsgd.studies._common import same_numbers

    studies.run("toy_phase_diagram", "smoke", tmp_path / "a", progress=False)
    studies.run("toy_phase_diagram", "smoke", tmp_path / "b", progress=False,
                scheduler="local", workers=2)  # fmt: skip
    a, b = fs.load(tmp_path / "a" / "summary.nc"), fs.load(tmp_path / "b" / "summary.nc")
    assert same_numbers(a, b, rtol=0, atol=0) == []
