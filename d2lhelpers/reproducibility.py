"""Seeding and timing, so that published numbers reproduce and times are honest."""

from __future__ import annotations

import random
import time

import numpy as np
import torch

from .validation import Integer, check

SEED = Integer(low=0, high=2**64 - 1)
"""The seeds every helper accepts: what ``torch.Generator.manual_seed`` takes, from 0."""
SEED_FIX = "Pass a non-negative integer, such as 0."


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's, NumPy's and PyTorch's random generators (CPU and CUDA).

    Returns:
        A fresh ``torch.Generator`` seeded with ``seed``, for code that wants its
        own stream of random numbers (for example a data iterator).

    Raises:
        ParameterError: for a seed that is not an integer in ``0..2**64 - 1``.
    """
    seed = check("seed", seed, SEED, fix=SEED_FIX)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device
    return torch.Generator().manual_seed(seed)


class Timer:
    """Wall-clock stopwatch that keeps every lap.

    Use it as a context manager (``with Timer() as t: ...; t.elapsed``) or
    call :meth:`start` and :meth:`stop` around each lap.
    """

    def __init__(self) -> None:
        self.laps: list[float] = []
        self._started_at: float | None = None

    def start(self) -> "Timer":
        self._started_at = time.perf_counter()
        return self

    def stop(self) -> float:
        """End the current lap and return its length in seconds."""
        if self._started_at is None:
            raise RuntimeError("Timer.stop() called before Timer.start().")
        lap = time.perf_counter() - self._started_at
        self.laps.append(lap)
        self._started_at = None
        return lap

    @property
    def elapsed(self) -> float:
        """Total seconds of all finished laps."""
        return float(sum(self.laps))

    def mean(self) -> float:
        """Mean lap length in seconds."""
        if not self.laps:
            raise RuntimeError("Timer.mean() needs at least one finished lap.")
        return self.elapsed / len(self.laps)

    def __enter__(self) -> "Timer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
