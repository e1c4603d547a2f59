"""Deep networks trained with a streaming trajectory recorder; the only torch importer.

* :func:`build_model` - the paper's networks (:mod:`.models`);
* :func:`get_dataset` - in-memory image data with seedable augmentation (:mod:`.data`);
* :func:`save_checkpoint`, :func:`load_checkpoint` - code-free checkpoints
  (:mod:`.checkpoint`);
* :class:`TrajectoryRecorder` - the streaming, exact recorder, a callback for any torch
  loop (:mod:`.recorder`); :func:`window_tamsd`; :class:`SRHTSketch` (:mod:`.sketch`);
* :func:`train`, :class:`TrainConfig` - resumable SGD training with the recorder
  (:mod:`.train`; the ``fractalsgd train`` command).
"""

from .._optional import require

require("torch", "dnn", "fractalsgd.dnn")

from .checkpoint import load_checkpoint, save_checkpoint  # noqa: E402
from .data import DATASETS, ImageData, get_dataset  # noqa: E402
from .models import MODEL_NAMES, build_model, count_parameters  # noqa: E402
from .recorder import TrajectoryRecorder, window_tamsd  # noqa: E402
from .sketch import SRHTSketch  # noqa: E402
from .train import Diverged, TrainConfig, train  # noqa: E402

__all__ = [
    "build_model",
    "count_parameters",
    "MODEL_NAMES",
    "get_dataset",
    "ImageData",
    "DATASETS",
    "save_checkpoint",
    "load_checkpoint",
    "TrajectoryRecorder",
    "window_tamsd",
    "SRHTSketch",
    "train",
    "TrainConfig",
    "Diverged",
]
