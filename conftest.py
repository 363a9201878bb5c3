"""pytest runs the unit tests and, through nbval, every chapter in the smoke profile."""

import os

from d2lhelpers.pipeline import absolute_data_dir

# Set before any kernel starts: nbval's kernels inherit this environment.
os.environ.setdefault("D2L_PROFILE", "smoke")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")

# Kernels start in chapters/: a relative data root is resolved here, where it was given.
_data_dir = absolute_data_dir()
if _data_dir is not None:
    os.environ["D2L_DATA_DIR"] = _data_dir

# `pytest -n 2` runs two notebook kernels at once on a 2-core machine: one thread
# each, or PyTorch's two threads per kernel fight over the cores.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
