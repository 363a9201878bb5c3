"""Pretrained checkpoints shipped with the package, checked by SHA-256 before loading.

The fine-tuning chapter starts from a network pretrained on Fashion-MNIST. Its
weights are made by ``scripts/pretrain_source.py`` (same arguments and seed,
same bytes) and stored in float16 as package data under
``d2lhelpers/pretrained/``, next to ``checkpoints.json``, which gives each
checkpoint's file, SHA-256, architecture and the command that made it. So a
``pip install`` (on Colab too) brings them, with no download.

:func:`load_checkpoint` refuses a file whose SHA-256 differs from the recorded
one, and reads it with ``torch.load(..., weights_only=True)``, which unpickles
tensors and plain containers only, never arbitrary Python objects.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
from torch import nn

from .models import lenet
from .validation import Instance, Options, check

__all__ = ["CHECKPOINT_DIR", "CheckpointError", "checkpoint_info", "checkpoint_names", "load_checkpoint",
           "pretrained_lenet"]

CHECKPOINT_DIR = Path(__file__).resolve().parent / "pretrained"
_INDEX = "checkpoints.json"


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, or its bytes are not the recorded ones (SHA-256)."""


@lru_cache(maxsize=1)
def _index() -> dict[str, dict[str, Any]]:
    return json.loads((CHECKPOINT_DIR / _INDEX).read_text(encoding="utf-8"))


def checkpoint_names() -> list[str]:
    """The names of the shipped checkpoints, e.g. ``["fashion_lenet", "fashion_lenet_weak"]``."""
    return sorted(_index())


def _check_name(name: str) -> str:
    return check("name", name, Options(*checkpoint_names()),
                 fix=f"Use one of the shipped checkpoints: {', '.join(checkpoint_names())}.")


def checkpoint_info(name: str) -> dict[str, Any]:
    """What ``checkpoints.json`` records for checkpoint ``name``.

    Keys: ``file``, ``sha256``, ``architecture`` (the code that builds the
    network), ``command`` (the line of ``scripts/pretrain_source.py`` that made
    it) and ``fashion_mnist_test_acc`` (its accuracy on the 10,000 test images).

    Raises:
        ParameterError: ``name`` is not one of :func:`checkpoint_names`.
    """
    return dict(_index()[_check_name(name)])


def load_checkpoint(name: str, *, directory: str | os.PathLike[str] | None = None) -> dict[str, torch.Tensor]:
    """The state dict of checkpoint ``name``, verified by SHA-256, as float32 tensors.

    Args:
        name: one of :func:`checkpoint_names`.
        directory: the folder that holds the checkpoint file; ``None`` (the
            default) for the package's own ``d2lhelpers/pretrained/``.

    The file is read once, its SHA-256 compared with the one in
    ``checkpoints.json``, and only then deserialized, with
    ``torch.load(..., weights_only=True)``. The float16 weights are returned
    as float32, ready for ``model.load_state_dict``.

    Raises:
        ParameterError: an unknown ``name``, or a ``directory`` that is not a path.
        CheckpointError: the file is missing, or its SHA-256 is not the recorded
            one (a truncated download, a changed file); the message names the
            file and how to restore it.
    """
    info = checkpoint_info(name)
    check("directory", directory, (Instance(str, os.PathLike, description="a path"), None),
          fix="Pass the folder that holds the checkpoint files, or None for the package's own.")
    path = (Path(directory) if directory is not None else CHECKPOINT_DIR) / info["file"]
    restore = ("Reinstall d2lhelpers (pip install --force-reinstall ...), or remake the file with "
               f"`{info['command']}` from the book's repository.")
    if not path.is_file():
        raise CheckpointError(f"Checkpoint {name!r}: the file {path} does not exist. {restore}")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != info["sha256"]:
        raise CheckpointError(f"Checkpoint {name!r}: the SHA-256 of {path} is {digest}, but checkpoints.json "
                              f"records {info['sha256']}: the file is corrupted or was changed. {restore}")
    state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    return {key: value.float() if value.is_floating_point() else value for key, value in state.items()}


def pretrained_lenet(name: str = "fashion_lenet") -> nn.Sequential:
    """The source network of checkpoint ``name``: ``lenet(nn.ReLU, nn.MaxPool2d)`` with its weights.

    A LeNet with ReLU and max pooling (chapter 16's modern variant), 10 outputs,
    for ``1 x 28 x 28`` inputs in ``[0, 1]``, loaded with :func:`load_checkpoint`.

    Raises:
        ParameterError: an unknown ``name``.
        CheckpointError: see :func:`load_checkpoint`.
    """
    state = load_checkpoint(name)
    net = lenet(nn.ReLU, nn.MaxPool2d)
    net.load_state_dict(state)
    return net
