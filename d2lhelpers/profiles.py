"""Profiles: one environment variable, ``D2L_PROFILE``, sizes every notebook.

``smoke`` is for CI and ``pytest`` (tiny subsets, seconds), ``cpu`` produces the
published outputs on a laptop CPU, ``gpu`` uses exactly d2l's hyperparameters.
Without the variable the profile is ``gpu`` when CUDA is available, else ``cpu``.
"""

from __future__ import annotations

import os
from types import SimpleNamespace
from typing import Any, Mapping

import torch

PROFILES: tuple[str, ...] = ("smoke", "cpu", "gpu")
PROFILE_ENV = "D2L_PROFILE"


class UnknownProfileError(ValueError):
    """Raised for a profile name that is not one of :data:`PROFILES`."""


def check_profile(name: str) -> str:
    """Return ``name`` normalized (lower case, stripped) if it is a known profile.

    Raises:
        UnknownProfileError: for any other name, naming the valid ones.
    """
    if not isinstance(name, str):
        raise UnknownProfileError(
            f"A profile name must be a string, got {type(name).__name__}. "
            f"Use one of {', '.join(PROFILES)}."
        )
    normalized = name.strip().lower()
    if normalized not in PROFILES:
        raise UnknownProfileError(
            f"Unknown profile {name!r}. Set {PROFILE_ENV} to one of "
            f"{', '.join(PROFILES)} (or unset it to pick cpu/gpu automatically)."
        )
    return normalized


def current_profile() -> str:
    """The active profile: ``$D2L_PROFILE`` if set, else ``gpu`` with CUDA, else ``cpu``."""
    requested = os.environ.get(PROFILE_ENV, "").strip()
    if requested:
        return check_profile(requested)
    return "gpu" if torch.cuda.is_available() else "cpu"


def by_profile(
    *,
    smoke: Mapping[str, Any],
    cpu: Mapping[str, Any],
    gpu: Mapping[str, Any],
    profile: str | None = None,
) -> SimpleNamespace:
    """Pick a notebook's settings for the active profile, in one readable cell.

    Example::

        settings = by_profile(
            smoke=dict(epochs=1, train_subset=2_000),
            cpu=dict(epochs=10, train_subset=None),
            gpu=dict(epochs=10, train_subset=None),
        )
        settings.epochs

    All three profiles must name the same settings, so that a notebook cannot
    work in one profile and fail with an ``AttributeError`` in another.

    Returns:
        A namespace with the chosen settings plus ``profile`` (its name).
    """
    table = {"smoke": dict(smoke), "cpu": dict(cpu), "gpu": dict(gpu)}
    keys = {name: set(values) for name, values in table.items()}
    if not (keys["smoke"] == keys["cpu"] == keys["gpu"]):
        every = set().union(*keys.values())
        missing = {name: sorted(every - k) for name, k in keys.items() if every - k}
        raise ValueError(
            "Every profile must define the same settings; missing: "
            + "; ".join(f"{name} lacks {', '.join(m)}" for name, m in missing.items())
        )
    if any("profile" in k for k in keys.values()):
        raise ValueError("'profile' is reserved: it is added to the settings automatically.")
    chosen = check_profile(profile) if profile is not None else current_profile()
    return SimpleNamespace(profile=chosen, **table[chosen])
