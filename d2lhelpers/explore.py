"""Explore without a kernel: a precomputed sweep of a plain function behind a slider.

The static website has no Python behind it, so a live ``slider_panel`` there
shows its controls but recomputes nothing. :func:`static_sweep` calls the
chapter's function for every value of one or two of its parameters while the
notebook is executed, keeps each figure as a small PNG, and shows them behind
HTML range sliders driven by a few lines of inline JavaScript: it works on the
static page (also opened from ``file://``), in Jupyter and on Colab, and loads
nothing from outside. The first frame shown is the function's defaults, which
are also the live panel's initial values, so the two always agree.

The function may return a figure, or ``(figure, outcome)``: the outcomes are
kept in :attr:`Sweep.outcomes`, so that the chapter can state and assert what
the sweep shows.
"""

from __future__ import annotations

import base64
import hashlib
import html
import inspect
import io
import itertools
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .validation import Integer, check, invalid

MAX_VALUES = 25
MAX_FRAMES = 200


@dataclass
class Sweep:
    """A precomputed sweep: its parameter values, one PNG per combination, the outcomes."""

    name: str
    values: dict[str, list[Any]]
    frames: list[bytes] = field(repr=False)
    outcomes: dict[tuple, Any] = field(default_factory=dict)
    start: tuple[int, ...] = ()
    alt: str = ""

    @property
    def size_bytes(self) -> int:
        """Bytes of PNG data the page carries for this sweep."""
        return sum(len(frame) for frame in self.frames)

    def outcome(self, **chosen: Any) -> Any:
        """The outcome the function returned for one combination of values."""
        key = tuple(chosen[name] for name in self.values)
        return self.outcomes[key]

    def _element_id(self) -> str:
        digest = hashlib.sha256(self.name.encode())
        for frame in self.frames:
            digest.update(frame)
        return f"d2l-sweep-{digest.hexdigest()[:12]}"

    def _repr_html_(self) -> str:
        element = self._element_id()
        sources = [f"data:image/png;base64,{base64.b64encode(frame).decode()}" for frame in self.frames]
        names = list(self.values)
        sizes = [len(v) for v in self.values.values()]
        labels = [[_label(value) for value in values] for values in self.values.values()]
        first = _flat_index(self.start, sizes)
        controls = "".join(
            f'<label style="display:block;margin:2px 0">{html.escape(name)} = '
            f'<b class="d2l-sweep-value">{html.escape(labels[i][self.start[i]])}</b><br>'
            f'<input type="range" min="0" max="{sizes[i] - 1}" step="1" value="{self.start[i]}" '
            f'aria-label="{html.escape(name)}" style="width:320px"></label>'
            for i, name in enumerate(names))
        script = (
            "(function(){"
            f"var root=document.getElementById({json.dumps(element)});"
            f"var frames={json.dumps(sources)};var sizes={json.dumps(sizes)};"
            f"var labels={json.dumps(labels)};"
            "var inputs=root.querySelectorAll('input');var shown=root.querySelectorAll('.d2l-sweep-value');"
            "var img=root.querySelector('img');"
            "function show(){var k=0;for(var i=0;i<inputs.length;i++){var v=+inputs[i].value;"
            "k=k*sizes[i]+v;shown[i].textContent=labels[i][v];}img.src=frames[k];img.dataset.frame=k;}"
            "for(var i=0;i<inputs.length;i++){inputs[i].addEventListener('input',show);}"
            "})();")
        return (
            f'<div class="d2l-sweep" id="{element}" style="background:white;color:black;padding:4px">'
            f'<img src="{sources[first]}" data-frame="{first}" alt="{html.escape(self.alt)}" '
            f'style="max-width:100%">{controls}'
            f'<script>{script}</script></div>')

    def __repr__(self) -> str:
        shape = " x ".join(f"{name} ({len(values)} values)" for name, values in self.values.items())
        return f"<static sweep of {self.name} over {shape}: {len(self.frames)} frames, {self.size_bytes:,} bytes>"


def _label(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _flat_index(index: Sequence[int], sizes: Sequence[int]) -> int:
    flat = 0
    for i, size in zip(index, sizes):
        flat = flat * size + i
    return flat


def _png(figure: Any, dpi: int) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", metadata={"Software": None})
    return buffer.getvalue()


def static_sweep(function: Callable[..., Any], /, *, dpi: int = 60, alt: str = "",
                 **grid: Sequence[Any]) -> Sweep:
    """Call ``function`` for every combination of one or two parameters' values.

    Args:
        function: a plain function of the chapter's hyperparameters returning a
            matplotlib figure, or ``(figure, outcome)``. Every swept parameter
            needs a default, and the default must be one of its values: it is
            the frame the page opens on and the live panel's initial value.
        dpi: resolution of the stored frames (small keeps the page light).
        alt: the frames' alt text (what the figure shows).
        **grid: parameter name -> the values to sweep (2 to 25 each; one or two
            parameters, at most 200 frames).

    Returns:
        A :class:`Sweep`; make it the last expression of a cell to show the slider.

    Raises:
        ParameterError: a parameter that ``function`` does not have, has no
            default, or whose default is not among its values; too many values.
    """
    if not callable(function):
        raise invalid("function", "a function returning a figure", type(function).__name__)
    dpi = check("dpi", dpi, Integer(low=20, high=200), fix="Use 50-80 for frames that keep the page light.")
    if not 1 <= len(grid) <= 2:
        raise invalid("grid", "one or two parameters to sweep", f"{len(grid)}",
                      fix="Sweep at most two parameters, e.g. static_sweep(f, lr=[...], batch_size=[...]).")
    parameters = inspect.signature(function).parameters
    values: dict[str, list[Any]] = {}
    start = []
    for name, given in grid.items():
        if name not in parameters:
            raise invalid(name, f"a parameter of {function.__name__}()", "a name it does not have",
                          fix=f"Its parameters are {', '.join(parameters)}.")
        swept = list(given)
        if not 2 <= len(swept) <= MAX_VALUES:
            raise invalid(name, f"a sequence of 2 to {MAX_VALUES} values", f"{len(swept)} values")
        default = parameters[name].default
        if default is inspect.Parameter.empty:
            raise invalid(name, "a parameter with a default", "none",
                          fix="The default is the frame the page opens on and the live panel's start.")
        if default not in swept:
            raise invalid(name, f"a list of values that includes its default {default!r}", repr(swept),
                          fix="Add the default, so that the page opens on the figure the live panel starts from.")
        values[name] = swept
        start.append(swept.index(default))
    combinations = list(itertools.product(*values.values()))
    if len(combinations) > MAX_FRAMES:
        raise invalid("grid", f"at most {MAX_FRAMES} combinations", f"{len(combinations)}",
                      fix="Use fewer values: each frame adds to the page's weight.")
    frames, outcomes = [], {}
    for combination in combinations:
        result = function(**dict(zip(values, combination)))
        figure, outcome = result if isinstance(result, tuple) else (result, None)
        if not hasattr(figure, "savefig"):
            raise invalid("function", "a function returning a matplotlib figure or (figure, outcome)",
                          type(figure).__name__)
        frames.append(_png(figure, dpi))
        outcomes[combination] = outcome
    return Sweep(function.__name__, values, frames, outcomes, tuple(start), alt)
