"""Widgets: a slider panel with a Run button around a plain function.

The function stays an ordinary function: the notebook calls it once with its
defaults (so the static page has a figure), and the panel calls it again only
when the reader presses Run, not on every tick of a slider.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def slider_panel(function: Callable[..., Any], /, **controls: Any):
    """Sliders for some parameters of ``function`` and a Run button.

    Each keyword names a parameter of ``function`` and gives its control in
    ipywidgets' ``interact`` notation: ``(min, max, step)`` for a slider, a
    list for a dropdown, a bool for a checkbox, or a widget. Initial values
    are the function's defaults. Parameters not named keep their defaults.

    Returns:
        An ``ipywidgets.interactive`` box (controls, Run button, output area);
        display it by making it the last expression of a cell.

    Raises:
        TypeError: ``function`` is not callable.
        ValueError: a control names no parameter of ``function``, or a named
            parameter has no default value.
    """
    if not callable(function):
        raise TypeError(f"slider_panel needs a function, got {type(function).__name__}.")
    if not controls:
        raise ValueError("slider_panel needs at least one control, e.g. lr=(0.01, 1.0, 0.01).")
    parameters = inspect.signature(function).parameters
    unknown = [name for name in controls if name not in parameters]
    if unknown:
        raise ValueError(
            f"{function.__name__}() has no parameter {', '.join(unknown)}; "
            f"its parameters are {', '.join(parameters)}.")
    no_default = [name for name in controls if parameters[name].default is inspect.Parameter.empty]
    if no_default:
        raise ValueError(
            f"Give {function.__name__}() a default for {', '.join(no_default)}: the default is "
            "the slider's initial value and what the page shows before anyone runs it.")
    import ipywidgets

    widgets: dict[str, Any] = {}
    for name, parameter in parameters.items():
        if name not in controls:
            if parameter.default is not inspect.Parameter.empty:
                widgets[name] = ipywidgets.fixed(parameter.default)  # no control: keep the default
            continue
        control = controls[name]
        if not isinstance(control, ipywidgets.Widget):  # interact's notation, from the default
            control = ipywidgets.interactive.widget_from_abbrev(control, parameter.default)
            control.description = name
        if hasattr(control, "continuous_update"):
            control.continuous_update = False
        widgets[name] = control
    return ipywidgets.interactive(function, {"manual": True, "manual_name": "Run"}, **widgets)
