"""Training deep networks with a streaming trajectory recorder; the only package that imports torch."""

from .._optional import require

require("torch", "dnn", "fractalsgd.dnn")
