"""Widgets: a slider panel with a Run button around a plain function.

The function stays an ordinary function: :func:`~d2lhelpers.static_sweep`
calls it for the static page, and the panel calls it again only when the
reader presses Run, not on every tick of a slider. A function that returns
``(figure, outcome)`` shows its figure in the panel.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from .validation import Instance, Integer, Real, check, invalid


def slider_panel(function: Callable[..., Any], /, **controls: Any):
    """Sliders for some parameters of ``function`` and a Run button.

    Each keyword names a parameter of ``function`` and gives its control in
    ipywidgets' ``interact`` notation: ``(min, max)`` or ``(min, max, step)``
    for a slider, a list (or dict) of options for a dropdown, a bool for a
    checkbox, a string for a text box, or a widget. Initial values are the
    function's defaults, so the range of a slider must hold its default, and
    the options of a dropdown must include it. Parameters not named keep their
    defaults.

    Returns:
        An ``ipywidgets.interactive`` box (controls, Run button, output area);
        display it by making it the last expression of a cell.

    Raises:
        ParameterError: ``function`` is not callable; a control names no
            parameter of ``function``, or a parameter without a default; a
            control is malformed or disagrees with the default (a default
            outside its slider's range, or missing from its dropdown).
    """
    check("function", function, Instance(Callable, description="a function"),
          fix="Pass the function first, then its controls: slider_panel(f, lr=(0.01, 1.0, 0.01)).")
    if not controls:
        raise invalid("controls", "at least one keyword control", "none",
                      fix="Name a parameter and its control, e.g. slider_panel(f, lr=(0.01, 1.0, 0.01)).")
    title = f"{getattr(function, '__name__', 'the function')}()"
    parameters = inspect.signature(function).parameters
    for name, control in controls.items():
        if name not in parameters:
            raise invalid(name, f"a parameter of {title}", "a name it does not have",
                          fix=f"Its parameters are {', '.join(parameters) or 'none'}.")
        default = parameters[name].default
        if default is inspect.Parameter.empty:
            raise invalid(name, f"a parameter of {title} with a default", "one without",
                          fix=f"Give {name} a default: it is the control's initial value and what the page "
                          "shows before anyone runs it.")
        _check_control(name, control, default, title)
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
    # auto_display: ipywidgets' interactive() does not show the returned figure otherwise.
    options = {"manual": True, "manual_name": "Run", "auto_display": True}
    return ipywidgets.interactive(_figure_of(function), options, **widgets)


def _figure_of(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function``, showing only the figure when it returns ``(figure, outcome)``.

    The explore functions return their outcome beside the figure for
    :func:`~d2lhelpers.static_sweep`; the live panel shows what the page shows.
    """
    import functools

    @functools.wraps(function)
    def shown(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return result[0] if isinstance(result, tuple) and result and hasattr(result[0], "savefig") else result
    return shown


_NOTATION = ("Write (min, max) or (min, max, step) for a slider, a list of options for a dropdown, "
             "a bool for a checkbox, a string for a text box, or pass an ipywidgets widget.")


def _check_control(name: str, control: Any, default: Any, title: str) -> None:
    """A well-formed control whose initial value is ``default`` (ipywidgets would change it silently)."""
    import ipywidgets

    if isinstance(control, ipywidgets.Widget):
        return
    if isinstance(control, (bool, str)):
        if type(control) is not type(default) or control != default:
            raise invalid(name, f"a {'checkbox' if isinstance(control, bool) else 'text box'} that starts at "
                          f"{title}'s default {default!r}", repr(control),
                          fix=f"Write {name}={default!r}, or change the default.")
        return
    if isinstance(control, tuple):
        _check_slider(name, control, default, title)
        return
    if isinstance(control, (list, dict)):
        values = list(control.values()) if isinstance(control, dict) else [
            option[1] if isinstance(option, tuple) and len(option) == 2 else option for option in control]
        if not any(_equal(value, default) for value in values):
            raise invalid(name, f"dropdown options that include {title}'s default {default!r}",
                          repr(control) if values else "no options",
                          fix="Add the default to the options, or change the default.")
        return
    raise invalid(name, "a control", repr(control), fix=_NOTATION)


def _check_slider(name: str, control: tuple, default: Any, title: str) -> None:
    number, integer = Real(), Integer()
    if len(control) not in (2, 3) or not all(number.accepts(v) for v in control):
        raise invalid(name, "a slider (min, max) or (min, max, step) of numbers", repr(control), fix=_NOTATION)
    low, high, *step = control
    if not low < high or (step and not step[0] > 0):
        raise invalid(name, "a slider (min, max, step) with min < max and step > 0", repr(control))
    if not number.accepts(default) or not low <= default <= high:
        raise invalid(name, f"a slider whose range holds {title}'s default {default!r}", f"the range {low}..{high}",
                      fix="Widen the range or change the default: a slider clamps its start into its range, "
                      "and the page's figure was drawn with the default.")
    if all(integer.accepts(v) for v in control) and not integer.accepts(default):
        raise invalid(name, f"a float slider for {title}'s default {default!r}", f"the integer slider {control!r}",
                      fix=f"Write the bounds as floats, e.g. ({float(low)}, {float(high)}).")


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):  # arrays and tensors compare elementwise
        return a is b
