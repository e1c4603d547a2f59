"""Deep networks trained with a streaming trajectory recorder; the only torch importer."""

from .._optional import require

require("torch", "dnn", "fractalsgd.dnn")
