"""Devices: CUDA GPUs, Apple's MPS, and the CPU fallback."""

from __future__ import annotations

import torch

from .validation import Integer, check


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def all_devices() -> list[torch.device]:
    """Every device that can run tensors here, accelerators first, the CPU last."""
    devices = [torch.device(f"cuda:{i}") for i in range(torch.cuda.device_count())]
    if not devices and _mps_available():
        devices.append(torch.device("mps"))
    devices.append(torch.device("cpu"))
    return devices


def best_device() -> torch.device:
    """The first CUDA GPU, else Apple's MPS, else the CPU."""
    return all_devices()[0]


def device_of(index: int) -> torch.device:
    """The ``index``-th accelerator if it exists, else the CPU (d2l's ``try_gpu(i)``).

    Raises:
        ParameterError: for an index that is not an integer >= 0.
    """
    index = check("index", index, Integer(low=0), fix="Accelerators count from 0: device_of(0) is the first.")
    accelerators = all_devices()[:-1]
    return accelerators[index] if index < len(accelerators) else torch.device("cpu")
