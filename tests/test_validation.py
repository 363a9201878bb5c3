import doctest
from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

import d2lhelpers
from d2lhelpers import ParameterError, validation
from d2lhelpers.validation import Instance, Integer, Options, Real, Subclass, Tensor, check, describe, invalid


def test_parameter_error_is_both_a_value_and_a_type_error():
    assert issubclass(ParameterError, ValueError) and issubclass(ParameterError, TypeError)
    assert d2lhelpers.ParameterError is validation.ParameterError and "ParameterError" in d2lhelpers.__all__


def test_the_message_names_the_argument_the_rule_the_value_and_the_fix():
    with pytest.raises(ParameterError) as error:
        check("batch_size", 0, Integer(low=1), fix="Pass the number of examples per batch.")
    assert str(error.value) == ("`batch_size` must be an integer >= 1, got 0. "
                                "Pass the number of examples per batch.")
    assert str(invalid("labels", "of shape (4,)", "shape (3,)")) == "`labels` must be of shape (4,), got shape (3,)."


@pytest.mark.parametrize("value, constraint, expected", [
    (np.int64(3), Integer(low=1), 3),
    (torch.tensor(4), Integer(0, 9), 4),
    (np.float32(0.5), Real(low=0, high=1), 0.5),
    (2, Real(low=0, low_open=True), 2.0),
    (torch.tensor(0.25, dtype=torch.float64), Real(), 0.25),
    ("cpu", Options("cpu", "gpu"), "cpu"),
    (None, (Integer(low=1), None), None),
    (7, (Integer(low=1), None), 7),
    (nn.ReLU, Subclass(nn.Module), nn.ReLU),
])
def test_check_returns_the_normalized_value(value, constraint, expected):
    result = check("arg", value, constraint)
    assert result == expected and type(result) is type(expected)


def test_tensor_constraint_converts_arrays_only_when_asked():
    array = np.arange(6, dtype=np.uint8).reshape(2, 3)
    tensor = check("images", array, Tensor(ndim=2, convert=True))
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.uint8
    assert np.shares_memory(tensor.numpy(), array), "as_tensor shares the array's memory"
    with pytest.raises(ParameterError, match=r"^`images` must be a 2-d tensor, got a NumPy array of shape \(2, 3\)"):
        check("images", array, Tensor(ndim=2))


@pytest.mark.parametrize("value, constraint, message", [
    (0, Integer(low=1), "`n` must be an integer >= 1, got 0."),
    (1.5, Integer(), "`n` must be an integer, got 1.5."),
    (2.0, Integer(), "`n` must be an integer, got 2.0."),
    (True, Integer(), "`n` must be an integer, got True (a bool)."),
    (np.bool_(True), Integer(), "`n` must be an integer, got np.True_ (a bool)."),
    ("3", Integer(), "`n` must be an integer, got '3'."),
    (10, Integer(0, 9), "`n` must be an integer in 0..9, got 10."),
    (torch.tensor(1.0), Integer(), "`n` must be an integer, got tensor(1.0) of dtype float32."),
    (float("nan"), Real(), "`n` must be a finite real number, got nan, which is not finite."),
    (float("inf"), Real(low=0), "`n` must be a finite real number >= 0, got inf, which is not finite."),
    (0.0, Real(low=0, low_open=True), "`n` must be a finite real number > 0, got 0.0."),
    (1.0, Real(0, 1, high_open=True), "`n` must be a finite real number in [0, 1), got 1.0."),
    (False, Real(), "`n` must be a finite real number, got False (a bool)."),
    ("0.1", Real(), "`n` must be a finite real number, got '0.1'."),
    ("tpu", Options("cpu", "gpu"), "`n` must be one of 'cpu', 'gpu', got 'tpu'."),
    (1, Options(True, False), "`n` must be one of True, False, got 1."),
    ("x", (Integer(low=1), None), "`n` must be an integer >= 1 or None, got 'x'."),
    (nn.ReLU(), Subclass(nn.Module),
     "`n` must be a subclass of torch.nn.Module (the class itself, not an instance), got ReLU()."),
    (3, Instance(torch.optim.Optimizer), "`n` must be a torch.optim.Optimizer, got 3."),
    (torch.zeros(3, 1), Tensor(ndim=1), "`n` must be a 1-d tensor, got a tensor of shape (3, 1) and dtype float32."),
    (torch.zeros(3), Tensor(dtype="integer"), "`n` must be an integer tensor, got a tensor of shape (3,) and dtype float32."),
    (torch.tensor([1.0, float("nan")]), Tensor(finite=True),
     "`n` must be a tensor of finite values, got a tensor of shape (2,) and dtype float32 with NaN or infinite values."),
    ([1, 2], Tensor(), "`n` must be a tensor, got [1, 2]."),
    ("abc", Tensor(convert=True), "`n` must be a tensor (or an array that converts to one), got 'abc'."),
])
def test_bad_values_are_described(value, constraint, message):
    with pytest.raises(ParameterError) as error:
        check("n", value, constraint)
    assert str(error.value) == message


def test_describe_is_short_and_says_the_type():
    class Thing:
        def __repr__(self):
            return "<a thing>"

    assert describe(Thing()) == "<a thing> (Thing)"
    assert len(describe(list(range(1000)))) == 80
    assert describe(Path("a")) == "PosixPath('a')"
    assert describe(np.zeros((2, 2))) == "a NumPy array of shape (2, 2) and dtype float64"


@pytest.mark.parametrize("make", [lambda: Options(), lambda: Tensor(dtype="complex")])
def test_malformed_constraints_are_programming_errors(make):
    with pytest.raises(ValueError, match="Options needs|dtype must be"):
        make()


def test_module_examples_run():
    results = doctest.testmod(validation)
    assert results.attempted >= 2 and results.failed == 0


def test_accepts_says_whether_a_value_meets_the_rule():
    assert Integer(low=0).accepts(np.int32(3)) and not Integer(low=0).accepts(-1)
    assert Real().accepts(0.5) and not Real().accepts(float("nan")) and not Real().accepts(True)


def test_unknown_profile_error_is_a_parameter_error():
    from d2lhelpers import UnknownProfileError
    assert issubclass(UnknownProfileError, ParameterError) and issubclass(UnknownProfileError, ValueError)
