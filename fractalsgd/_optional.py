"""Optional dependencies: import them with one clear line when an extra is missing."""

from __future__ import annotations

import importlib


class MissingDependencyError(ImportError):
    """An optional dependency of fractalsgd is not installed."""


def require(module: str, extra: str, feature: str):
    """Import ``module`` or raise MissingDependencyError naming the extra to install.

    >>> require("numpy", "core", "fractalsgd").__name__
    'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingDependencyError(
            f"{feature} needs {module.split('.')[0]}: pip install 'fractalsgd[{extra}]'"
        ) from None
