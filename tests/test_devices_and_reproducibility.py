import random
import time

import numpy as np
import pytest
import torch

from d2lhelpers import ParameterError, Timer, all_devices, best_device, device_of, seed_everything


def test_cpu_is_always_the_last_device():
    devices = all_devices()
    assert devices[-1] == torch.device("cpu")
    assert best_device() == devices[0]


def test_cuda_devices_come_first(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert all_devices() == [torch.device("cuda:0"), torch.device("cuda:1"), torch.device("cpu")]
    assert best_device() == torch.device("cuda:0")
    assert device_of(1) == torch.device("cuda:1")
    assert device_of(5) == torch.device("cpu")


def test_mps_is_used_without_cuda(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr("d2lhelpers.devices._mps_available", lambda: True)
    assert all_devices() == [torch.device("mps"), torch.device("cpu")]


def test_cpu_fallback(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr("d2lhelpers.devices._mps_available", lambda: False)
    assert best_device() == torch.device("cpu")
    assert device_of(0) == torch.device("cpu")


@pytest.mark.parametrize("index, match", [
    (-1, "`index` must be an integer >= 0, got -1. Accelerators count from 0"),
    (1.0, "`index` must be an integer >= 0, got 1.0"),
    (True, r"`index` must be an integer >= 0, got True \(a bool\)"),
    ("cuda:0", "`index` must be an integer >= 0, got 'cuda:0'"),
])
def test_device_of_rejects_bad_indices(index, match):
    with pytest.raises(ParameterError, match=match):
        device_of(index)


def test_device_of_accepts_numpy_integers(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    assert device_of(np.int64(1)) == torch.device("cuda:1")


def test_seed_everything_reproduces_every_generator():
    def draw():
        return random.random(), np.random.rand(), torch.rand(3)

    generator = seed_everything(7)
    first = draw(), torch.rand(2, generator=generator)
    generator = seed_everything(7)
    second = draw(), torch.rand(2, generator=generator)
    assert first[0][:2] == second[0][:2]
    assert torch.equal(first[0][2], second[0][2]) and torch.equal(first[1], second[1])
    seed_everything(8)
    assert not torch.equal(torch.rand(3), first[0][2])


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True, 2**64, None])
def test_seed_everything_rejects_bad_seeds(bad):
    with pytest.raises(ParameterError, match=r"`seed` must be an integer in 0..18446744073709551615, got .*"
                       "Pass a non-negative integer, such as 0."):
        seed_everything(bad)


def test_seed_everything_accepts_numpy_integers():
    first = torch.rand(3, generator=seed_everything(np.int64(5)))
    assert torch.equal(torch.rand(3, generator=seed_everything(5)), first)
    seed_everything(2**64 - 1)  # the largest seed torch takes


def test_timer_measures_laps():
    timer = Timer()
    with timer:
        time.sleep(0.02)
    timer.start()
    time.sleep(0.01)
    lap = timer.stop()
    assert len(timer.laps) == 2 and 0.005 < lap < 1.0
    assert timer.elapsed == pytest.approx(sum(timer.laps))
    assert timer.mean() == pytest.approx(timer.elapsed / 2)


def test_timer_misuse_is_an_error():
    with pytest.raises(RuntimeError, match="before Timer.start"):
        Timer().stop()
    with pytest.raises(RuntimeError, match="at least one"):
        Timer().mean()
