"""pytest runs the unit tests and, through nbval, every chapter in the smoke profile."""

import os

# Set before any kernel starts: nbval's kernels inherit this environment.
os.environ.setdefault("D2L_PROFILE", "smoke")
os.environ.setdefault("TQDM_DISABLE", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
