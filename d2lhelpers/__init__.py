"""Helpers for the Interactive Deep Learning Notes.

Modules by concern: :mod:`~d2lhelpers.profiles`, :mod:`~d2lhelpers.datasets`,
:mod:`~d2lhelpers.batches`, :mod:`~d2lhelpers.synthetic`,
:mod:`~d2lhelpers.training`, :mod:`~d2lhelpers.plotting`,
:mod:`~d2lhelpers.devices`, :mod:`~d2lhelpers.widgets`,
:mod:`~d2lhelpers.reproducibility`, :mod:`~d2lhelpers.record`,
:mod:`~d2lhelpers.scratch` (from-scratch pieces chapters reuse),
:mod:`~d2lhelpers.models` (models shared across chapters),
:mod:`~d2lhelpers.counting` (parameters and FLOPs, per layer),
:mod:`~d2lhelpers.validation` (argument checks and :class:`ParameterError`),
:mod:`~d2lhelpers.baseline` (d2l's training loop, to measure against),
:mod:`~d2lhelpers.distributed` (worker processes: DDP, model parallelism),
:mod:`~d2lhelpers.checkpoints` (pretrained weights shipped as package data), and the
notebook pipeline in :mod:`~d2lhelpers.pipeline`. Importing does no work
beyond importing PyTorch.
"""

__version__ = "0.2.0"

from .datasets import (  # noqa: E402
    FASHION_MNIST_CLASSES,
    DatasetCorruptError,
    DatasetNotFoundError,
    data_dir,
    fashion_mnist_labels,
    load_fashion_mnist,
)
from .batches import ImageBatches, fashion_mnist_batches, random_subset  # noqa: E402
from .synthetic import polynomial_features, synthetic_regression_data  # noqa: E402
from .baseline import Accumulator, compare_training_loops, d2l_fashion_mnist_loader, train_ch6_style  # noqa: E402
from .counting import LayerRow, LayerTable, flop_count, layer_table, multiply_adds, param_count  # noqa: E402
from .devices import all_devices, best_device, device_of  # noqa: E402
from .models import init_he, init_xavier, lenet  # noqa: E402
from .notebook import VersionMismatchError, check_version, setup_notebook  # noqa: E402
from .plotting import LiveCurve, new_figure, plot_history, show_images  # noqa: E402
from .profiles import PROFILES, UnknownProfileError, by_profile, current_profile  # noqa: E402
from .record import record  # noqa: E402
from .reproducibility import Timer, seed_everything  # noqa: E402
from .scratch import corr2d, sgd, squared_loss  # noqa: E402
from .training import History, accuracy, evaluate_accuracy, fit, model_device  # noqa: E402
from .validation import ParameterError  # noqa: E402
from .widgets import slider_panel  # noqa: E402
from .explore import Sweep, static_sweep  # noqa: E402
from .distributed import WorkerFailedError, launch  # noqa: E402
from .checkpoints import CheckpointError, checkpoint_info, checkpoint_names, load_checkpoint, pretrained_lenet  # noqa: E402

__all__ = [
    "Accumulator", "FASHION_MNIST_CLASSES", "PROFILES", "DatasetCorruptError", "DatasetNotFoundError",
    "History", "ImageBatches", "LayerRow", "LayerTable", "LiveCurve", "ParameterError", "Timer", "UnknownProfileError",
    "VersionMismatchError", "accuracy", "all_devices", "best_device", "by_profile",
    "check_version", "compare_training_loops", "corr2d", "current_profile", "d2l_fashion_mnist_loader", "data_dir", "device_of", "evaluate_accuracy",
    "fashion_mnist_batches", "fashion_mnist_labels", "fit", "flop_count", "init_he", "init_xavier", "layer_table", "lenet",
    "load_fashion_mnist",
    "model_device", "multiply_adds", "new_figure", "param_count", "plot_history", "polynomial_features", "random_subset", "record",
    "seed_everything", "setup_notebook", "sgd", "show_images", "slider_panel", "static_sweep", "Sweep",
    "squared_loss", "synthetic_regression_data", "train_ch6_style", "WorkerFailedError", "launch",
    "CheckpointError", "checkpoint_info", "checkpoint_names", "load_checkpoint", "pretrained_lenet",
]
