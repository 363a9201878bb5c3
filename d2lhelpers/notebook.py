"""What every chapter notebook's setup cell calls."""

from __future__ import annotations

import torch

from . import __version__
from .devices import best_device
from .plotting import BOOK_RC, in_jupyter
from .profiles import current_profile
from .reproducibility import SEED, SEED_FIX, seed_everything
from .validation import Instance, check


class VersionMismatchError(RuntimeError):
    """The installed helpers are not the release a notebook was written for."""


def check_version(expected: str) -> None:
    """Fail clearly when the installed ``d2lhelpers`` is not version ``expected``."""
    check("expected", expected, Instance(str), fix='Pass the version as a string, e.g. "0.1.0".')
    if expected != __version__:
        raise VersionMismatchError(
            f"This notebook was executed with d2lhelpers {expected}, but {__version__} is "
            "installed. From the book's repository run `pip install -e .`; on Colab, "
            "run the setup cell again (Runtime > Restart session first).")


def setup_notebook(seed: int = 0) -> str:
    """Seed everything, show figures inline, give them a white background, pick the profile.

    Returns:
        The active profile name (``smoke``, ``cpu`` or ``gpu``).
    """
    import matplotlib

    seed = check("seed", seed, SEED, fix=SEED_FIX)
    profile = current_profile()
    seed_everything(seed)
    if in_jupyter():  # figures made without pyplot (new_figure) display as PNG images
        from IPython import get_ipython
        get_ipython().run_line_magic("matplotlib", "inline")
    matplotlib.rcParams.update(BOOK_RC)
    print(f"profile {profile} | device {best_device()} | torch {torch.__version__} "
          f"| d2lhelpers {__version__} | seed {seed}")
    return profile
