import subprocess
import sys


def test_import_does_not_import_torch():
    code = "import fractalsgd, fractalsgd.cli, sys; assert 'torch' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_missing_extra_message():
    from fractalsgd._optional import MissingDependencyError, require

    try:
        require("surely_not_a_module_xyz", "dnn", "fractalsgd.dnn")
    except MissingDependencyError as exc:
        assert (
            str(exc)
            == "fractalsgd.dnn needs surely_not_a_module_xyz: pip install 'fractalsgd[dnn]'"
        )
    else:
        raise AssertionError("no error raised")
