"""Profiles: one environment variable, ``D2L_PROFILE``, sizes every notebook.

``smoke`` is for CI and ``pytest`` (tiny subsets, seconds), ``cpu`` produces the
published outputs on a laptop CPU, ``gpu`` uses exactly d2l's hyperparameters.
Without the variable the profile is ``gpu`` when CUDA is available, else ``cpu``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import torch

from .devices import best_device
from .validation import Instance, ParameterError, check, invalid

PROFILES: tuple[str, ...] = ("smoke", "cpu", "gpu")
PROFILE_ENV = "D2L_PROFILE"


class UnknownProfileError(ParameterError):
    """Raised for a profile name that is not one of :data:`PROFILES` (a ``ValueError``)."""


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
    """The active profile: ``$D2L_PROFILE`` if set, else ``gpu`` with CUDA, else ``cpu``.

    Raises:
        UnknownProfileError: ``$D2L_PROFILE`` names no profile.
        RuntimeError: ``$D2L_PROFILE`` asks for ``gpu`` on a machine whose best
            device (:func:`~d2lhelpers.best_device`) is the CPU.
    """
    requested = os.environ.get(PROFILE_ENV, "").strip()
    if not requested:
        return "gpu" if torch.cuda.is_available() else "cpu"
    profile = check_profile(requested)
    if profile == "gpu" and best_device().type == "cpu":
        raise RuntimeError(
            f"{PROFILE_ENV}=gpu, but this machine has no GPU: the gpu profile uses d2l's full "
            f"settings and needs a CUDA or MPS device; use {PROFILE_ENV}=cpu or unset it.")
    return profile


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

    Raises:
        ParameterError: a profile's settings are not a mapping, lack a setting
            another profile has, or use the reserved name ``profile``.
        UnknownProfileError: ``profile`` names no profile.
    """
    for name, settings in (("smoke", smoke), ("cpu", cpu), ("gpu", gpu)):
        check(name, settings, Instance(Mapping, description="a dict of settings"),
              fix=f"Pass the settings as a dict, e.g. {name}=dict(epochs=1).")
    table = {"smoke": dict(smoke), "cpu": dict(cpu), "gpu": dict(gpu)}
    keys = {name: set(values) for name, values in table.items()}
    every = set().union(*keys.values())
    missing = {name: sorted(every - k) for name, k in keys.items() if every - k}
    if missing:
        raise invalid(next(iter(missing)), "settings with the same names in every profile",
                      "; ".join(f"{name} lacks {', '.join(m)}" for name, m in missing.items()),
                      fix="Define each setting in all three profiles, so that a notebook cannot work in "
                      "one profile and fail with an AttributeError in another.")
    reserved = [name for name, k in keys.items() if "profile" in k]
    if reserved:
        raise invalid(reserved[0], "settings without one named 'profile'", "a setting 'profile'",
                      fix="'profile' is reserved: by_profile adds the chosen profile's name itself.")
    chosen = check_profile(profile) if profile is not None else current_profile()
    return SimpleNamespace(profile=chosen, **table[chosen])
