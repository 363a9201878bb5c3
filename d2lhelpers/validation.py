"""Checking the arguments of the public helpers, with errors that say how to fix them.

In the spirit of scikit-learn's parameter validation: a helper states the
constraint of each argument once, at its boundary, and gets the value back
normalized (a NumPy integer becomes an ``int``, an array a tensor)::

    batch_size = check("batch_size", batch_size, Integer(low=1),
                       fix="Pass the number of examples per batch.")

A value that breaks its constraint raises :class:`ParameterError`, whose
message always has the same four parts: the argument, what it must be, what
it got, and the fix::

    `batch_size` must be an integer >= 1, got 0. Pass the number of examples per batch.

A tuple of constraints accepts a value that meets any of them, and ``None`` in
it accepts ``None``: ``check("resize", resize, (Integer(low=1), None))``.
Checks that relate several arguments (two lengths that must agree) raise
``invalid(...)``, which builds the same message.
"""

from __future__ import annotations

import math
import numbers
import sys
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import torch

__all__ = [
    "Constraint", "Instance", "Integer", "Options", "ParameterError", "Real", "Subclass", "Tensor",
    "check", "describe", "invalid",
]


class ParameterError(ValueError, TypeError):
    """An argument of a public helper is invalid.

    Both a ``ValueError`` and a ``TypeError`` (like scikit-learn's
    ``InvalidParameterError``), so ``except ValueError`` and ``except TypeError``
    both catch it, whichever the mistake. The message names the argument, what
    it must be, what it got, and how to fix it.
    """


def invalid(name: str, must: str, got: str, *, fix: str = "") -> ParameterError:
    """The :class:`ParameterError` for argument ``name``: ``raise invalid(...)``.

    Args:
        name: the argument, as the caller wrote it (``"batch_size"``, ``"labels"``).
        must: what it must be, completing "must be ..." (``"an integer >= 1"``).
        got: what it is, completing "got ..." (see :func:`describe`).
        fix: one sentence on how to fix it.
    """
    message = f"`{name}` must be {must}, got {got}."
    return ParameterError(f"{message} {fix}" if fix else message)


def describe(value: Any) -> str:
    """A short description of ``value`` for an error message.

    Tensors and arrays by shape and dtype, a bool or an object as its ``repr``
    followed by its type, anything else as a (shortened) ``repr``.
    """
    if isinstance(value, torch.Tensor):
        if value.ndim == 0:
            return f"tensor({value.item()!r}) of dtype {_dtype_name(value.dtype)}"
        return f"a tensor of shape {tuple(value.shape)} and dtype {_dtype_name(value.dtype)}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (bool, np.bool_)):
        return f"{value!r} (a bool)"
    if isinstance(value, (tuple, list)) and any(isinstance(v, (torch.Tensor, np.ndarray)) for v in value):
        parts = ", ".join(describe(part) for part in value[:3]) + (", ..." if len(value) > 3 else "")
        return f"a {type(value).__name__} of {len(value)} ({parts})"
    text = " ".join(repr(value).split())
    if len(text) > 80:
        text = text[:77] + "..."
    plain = value is None or isinstance(value, (int, float, str, list, tuple, dict, np.generic))
    return text if plain or type(value).__name__ in text else f"{text} ({type(value).__name__})"


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


class _Mismatch(Exception):
    """Raised by a constraint for a value it rejects; ``got`` replaces :func:`describe`."""

    def __init__(self, got: str | None = None) -> None:
        super().__init__(got)
        self.got = got


class Constraint:
    """A rule for one argument: :attr:`description` and :meth:`convert`."""

    description: str = "valid"

    def convert(self, value: Any) -> Any:
        """Return ``value`` normalized, or raise ``_Mismatch`` if it breaks the rule."""
        raise NotImplementedError

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` meets the rule (for checks that word their own message)."""
        try:
            self.convert(value)
        except _Mismatch:
            return False
        return True


def _bounds(low: float | None, high: float | None, low_open: bool, high_open: bool,
            integer: bool) -> str:
    if low is not None and high is not None:
        if integer:
            return f" in {low}..{high}"
        return f" in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
    if low is not None:
        return f" {'>' if low_open else '>='} {low}"
    if high is not None:
        return f" {'<' if high_open else '<='} {high}"
    return ""


def _in_bounds(value: float, low: float | None, high: float | None, low_open: bool,
               high_open: bool) -> bool:
    above = low is None or (value > low if low_open else value >= low)
    below = high is None or (value < high if high_open else value <= high)
    return above and below


def _scalar(value: Any) -> Any:
    """The Python number inside a 0-d tensor or a 0-d array; anything else as it is."""
    if isinstance(value, (torch.Tensor, np.ndarray)) and value.ndim == 0 and value.dtype not in (
            torch.bool, np.bool_):
        return value.item()
    return value


class Integer(Constraint):
    """An integer in ``low..high`` (both included; ``None``: unbounded).

    Accepts Python and NumPy integers and 0-d integer tensors; returns an
    ``int``. Rejects bools and floats, even whole ones (``2.0``).
    """

    def __init__(self, low: int | None = None, high: int | None = None) -> None:
        self.low, self.high = low, high
        self.description = "an integer" + _bounds(low, high, False, False, integer=True)

    def convert(self, value: Any) -> int:
        number = _scalar(value)
        if isinstance(number, (bool, np.bool_)) or not isinstance(number, numbers.Integral):
            raise _Mismatch()
        if not _in_bounds(int(number), self.low, self.high, False, False):
            raise _Mismatch()
        return int(number)


class Real(Constraint):
    """A finite real number between ``low`` and ``high`` (``None``: unbounded).

    The bounds are included unless ``low_open`` / ``high_open``. Accepts Python
    and NumPy numbers and 0-d tensors; returns a ``float``. Rejects bools, NaN
    and infinities.
    """

    def __init__(self, low: float | None = None, high: float | None = None, *,
                 low_open: bool = False, high_open: bool = False) -> None:
        self.low, self.high, self.low_open, self.high_open = low, high, low_open, high_open
        self.description = "a finite real number" + _bounds(low, high, low_open, high_open,
                                                            integer=False)

    def convert(self, value: Any) -> float:
        number = _scalar(value)
        if isinstance(number, (bool, np.bool_)) or not isinstance(number, numbers.Real):
            raise _Mismatch()
        number = float(number)
        if not math.isfinite(number):
            raise _Mismatch(f"{number}, which is not finite")
        if not _in_bounds(number, self.low, self.high, self.low_open, self.high_open):
            raise _Mismatch()
        return number


class Options(Constraint):
    """One of the given values (compared by type and value, so ``1`` is not ``True``)."""

    def __init__(self, *allowed: Any) -> None:
        if not allowed:
            raise ValueError("Options needs at least one allowed value.")
        self.allowed = allowed
        self.description = "one of " + ", ".join(repr(option) for option in allowed)

    def convert(self, value: Any) -> Any:
        for option in self.allowed:
            if type(option) is type(value) and option == value:
                return option
        raise _Mismatch()


class Instance(Constraint):
    """An instance of one of ``types``, described as ``description`` (default: the type names)."""

    def __init__(self, *types: type, description: str | None = None) -> None:
        self.types = types
        self.description = description or " or ".join(
            f"a {_type_name(kind)}" for kind in types)

    def convert(self, value: Any) -> Any:
        if isinstance(value, self.types) and not (isinstance(value, bool) and bool not in self.types):
            return value
        raise _Mismatch()


class Subclass(Constraint):
    """A class (not an instance) derived from ``base``, such as ``nn.ReLU`` for ``nn.Module``."""

    def __init__(self, base: type) -> None:
        self.base = base
        self.description = f"a subclass of {_type_name(base)} (the class itself, not an instance)"

    def convert(self, value: Any) -> type:
        if isinstance(value, type) and issubclass(value, self.base):
            return value
        raise _Mismatch()


def _type_name(kind: type) -> str:
    """``kind``'s shortest public name: ``torch.nn.Module``, not ``torch.nn.modules.module.Module``."""
    if kind.__module__ == "builtins":
        return kind.__qualname__
    parts = kind.__module__.split(".")
    for end in range(1, len(parts) + 1):
        module = ".".join(parts[:end])
        if getattr(sys.modules.get(module), kind.__qualname__, None) is kind:
            return f"{module}.{kind.__qualname__}"
    return f"{kind.__module__}.{kind.__qualname__}"


def _is_integer(tensor: torch.Tensor) -> bool:
    return not tensor.is_floating_point() and not tensor.is_complex() and tensor.dtype != torch.bool


_DTYPE_KINDS = {
    "floating": (torch.Tensor.is_floating_point, "floating-point"),
    "integer": (_is_integer, "integer"),
}


class Tensor(Constraint):
    """A tensor with ``ndim`` dimensions (an int or a tuple of allowed ones) and a dtype kind.

    Args:
        ndim: allowed numbers of dimensions, or ``None`` for any.
        dtype: ``"floating"``, ``"integer"`` (bool excluded) or ``None`` for any.
        finite: require every value to be finite (no NaN, no infinity).
        convert: also accept NumPy arrays and nested lists, converted with
            ``torch.as_tensor`` (which shares a NumPy array's memory).
    """

    def __init__(self, ndim: int | Sequence[int] | None = None, *, dtype: str | None = None,
                 finite: bool = False, convert: bool = False) -> None:
        self.ndim = (ndim,) if isinstance(ndim, int) else tuple(ndim) if ndim is not None else None
        if dtype is not None and dtype not in _DTYPE_KINDS:
            raise ValueError(f"dtype must be one of {', '.join(_DTYPE_KINDS)} or None, got {dtype!r}.")
        self.dtype, self.finite, self.convert_arrays = dtype, finite, convert
        dims = "" if self.ndim is None else " or ".join(f"{n}-d" for n in self.ndim) + " "
        kind = "" if dtype is None else _DTYPE_KINDS[dtype][1] + " "
        words = f"{dims}{kind}tensor"
        self.description = (f"{'an' if words[0] in 'aeiou' else 'a'} {words}" + (" of finite values" if finite else "")
                            + (" (or an array that converts to one)" if convert else ""))

    def convert(self, value: Any) -> torch.Tensor:
        if not isinstance(value, torch.Tensor):
            if not self.convert_arrays or isinstance(value, (str, bytes)) or value is None:
                raise _Mismatch()
            try:
                value = torch.as_tensor(value)
            except (TypeError, ValueError, RuntimeError):
                raise _Mismatch() from None
        if self.ndim is not None and value.ndim not in self.ndim:
            raise _Mismatch()
        if self.dtype is not None and not _DTYPE_KINDS[self.dtype][0](value):
            raise _Mismatch()
        if self.finite and value.is_floating_point() and not bool(torch.isfinite(value).all()):
            raise _Mismatch(f"{describe(value)} with NaN or infinite values")
        return value


ConstraintLike = Union[Constraint, None, tuple]


def check(name: str, value: Any, constraint: ConstraintLike, *, fix: str = "") -> Any:
    """Return ``value`` normalized if it meets ``constraint``, else raise :class:`ParameterError`.

    Args:
        name: the argument's name, used in the message.
        value: what the caller passed.
        constraint: a :class:`Constraint`, ``None`` (accepts only ``None``), or a
            tuple of these (accepts a value that meets any of them).
        fix: one sentence on how to fix a bad value, appended to the message.

    Example::

        >>> check("epochs", np.int64(3), Integer(low=1))
        3
        >>> check("epochs", 0, Integer(low=1), fix="Train for at least one epoch.")
        Traceback (most recent call last):
        ...
        d2lhelpers.validation.ParameterError: `epochs` must be an integer >= 1, got 0. Train for at least one epoch.
    """
    options = constraint if isinstance(constraint, tuple) else (constraint,)
    got = None
    for option in options:
        if option is None:
            if value is None:
                return None
            continue
        try:
            return option.convert(value)
        except _Mismatch as mismatch:
            got = got or mismatch.got
    must = " or ".join("None" if option is None else option.description for option in options)
    raise invalid(name, must, got or describe(value), fix=fix)
