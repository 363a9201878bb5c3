"""Recording a notebook's headline numbers for the pipeline and the results page."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

RECORD_ENV = "D2L_RECORD_FILE"


def record(**numbers: float) -> dict[str, float]:
    """Record headline numbers, e.g. ``record(test_acc=0.84, train_epoch_s=3.2)``.

    Prints them, so that the page shows them. When the notebook pipeline runs
    the notebook it sets ``$D2L_RECORD_FILE``; the numbers are then merged into
    that JSON file and end up in the notebook's metadata.

    Raises:
        ValueError: no numbers, or a value that is not a finite real number.
    """
    if not numbers:
        raise ValueError("record() needs at least one name=value pair, e.g. record(test_acc=0.84).")
    clean: dict[str, float] = {}
    for name, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise ValueError(f"record({name}=...) needs a real number, got {type(value).__name__}.")
        number = float(value)
        if not math.isfinite(number):
            raise ValueError(f"record({name}=...) got {number}, which is not finite.")
        clean[name] = number
    print("Recorded: " + ", ".join(f"{name} = {value:.4g}" for name, value in clean.items()))
    target = os.environ.get(RECORD_ENV, "").strip()
    if target:
        path = Path(target)
        recorded = json.loads(path.read_text()) if path.is_file() and path.stat().st_size else {}
        recorded.update(clean)
        path.write_text(json.dumps(recorded, indent=1, sort_keys=True))
    return clean
