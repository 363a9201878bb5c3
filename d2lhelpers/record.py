"""Recording a notebook's headline numbers for the pipeline and the results page."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .validation import Real, check, invalid

RECORD_ENV = "D2L_RECORD_FILE"


def record(**numbers: float) -> dict[str, float]:
    """Record headline numbers, e.g. ``record(test_acc=0.84, train_epoch_s=3.2)``.

    Prints them, so that the page shows them. When the notebook pipeline runs
    the notebook it sets ``$D2L_RECORD_FILE``; the numbers are then merged into
    that JSON file and end up in the notebook's metadata. A notebook records
    each name once: recording a name the file already holds is an error, not
    an overwrite.

    Raises:
        ParameterError: no numbers, a value that is not a finite real number
            (Python, NumPy or a 0-d tensor), or a name already recorded.
    """
    if not numbers:
        raise invalid("numbers", "at least one name=value pair", "none", fix="For example record(test_acc=0.84).")
    clean = {name: check(name, value, Real(), fix=f"Record a number, e.g. {name}=float(value).")
             for name, value in numbers.items()}
    target = os.environ.get(RECORD_ENV, "").strip()
    path = Path(target) if target else None
    recorded = json.loads(path.read_text()) if path and path.is_file() and path.stat().st_size else {}
    for name, value in clean.items():
        if name in recorded:
            raise invalid(name, "recorded once per notebook",
                          f"a second value {value:.4g} ({path} already holds {name} = {recorded[name]:.4g})",
                          fix="Give each headline number its own name, and record it in one place.")
    print("Recorded: " + ", ".join(f"{name} = {value:.4g}" for name, value in clean.items()))
    if path is not None:
        recorded.update(clean)
        path.write_text(json.dumps(recorded, indent=1, sort_keys=True))
    return clean
