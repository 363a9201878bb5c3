from types import SimpleNamespace

import pytest
import torch

from d2lhelpers import PROFILES, ParameterError, UnknownProfileError, by_profile, current_profile
from d2lhelpers.profiles import check_profile


def test_profiles_are_the_three_of_the_course():
    assert PROFILES == ("smoke", "cpu", "gpu")


def _no_accelerator(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr("d2lhelpers.devices._mps_available", lambda: False)


@pytest.mark.parametrize("name", ["smoke", "cpu", "gpu", " CPU ", "Smoke"])
def test_env_variable_selects_profile(monkeypatch, name):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)  # a GPU, for the gpu profile
    monkeypatch.setenv("D2L_PROFILE", name)
    assert current_profile() == name.strip().lower()


@pytest.mark.parametrize("name", ["gpu", " GPU "])
def test_the_gpu_profile_without_a_gpu_is_a_clear_error(monkeypatch, name):
    _no_accelerator(monkeypatch)
    monkeypatch.setenv("D2L_PROFILE", name)
    with pytest.raises(RuntimeError, match="D2L_PROFILE=gpu, but this machine has no GPU: the gpu profile uses "
                       "d2l's full settings and needs a CUDA or MPS device; use D2L_PROFILE=cpu or unset it"):
        current_profile()


def test_the_gpu_profile_runs_on_apples_mps(monkeypatch):
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 0)
    monkeypatch.setattr("d2lhelpers.devices._mps_available", lambda: True)
    monkeypatch.setenv("D2L_PROFILE", "gpu")
    assert current_profile() == "gpu"


@pytest.mark.parametrize("name", ["smoke", "cpu"])
def test_the_other_profiles_need_no_gpu(monkeypatch, name):
    _no_accelerator(monkeypatch)
    monkeypatch.setenv("D2L_PROFILE", name)
    assert current_profile() == name


def test_default_profile_follows_cuda(monkeypatch):
    monkeypatch.delenv("D2L_PROFILE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert current_profile() == "gpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert current_profile() == "cpu"


def test_empty_env_variable_means_default(monkeypatch):
    monkeypatch.setenv("D2L_PROFILE", "")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert current_profile() == "cpu"


@pytest.mark.parametrize("bad", ["fast", "tpu", "smoke-test"])
def test_unknown_profile_is_a_clear_error(monkeypatch, bad):
    monkeypatch.setenv("D2L_PROFILE", bad)
    with pytest.raises(UnknownProfileError, match="D2L_PROFILE.*smoke, cpu, gpu"):
        current_profile()


def test_check_profile_rejects_non_strings():
    with pytest.raises(UnknownProfileError, match="must be a string"):
        check_profile(3)


def test_by_profile_picks_the_active_profile(monkeypatch):
    monkeypatch.setenv("D2L_PROFILE", "smoke")
    settings = by_profile(smoke=dict(epochs=1, n=10), cpu=dict(epochs=10, n=None),
                          gpu=dict(epochs=10, n=None))
    assert settings == SimpleNamespace(profile="smoke", epochs=1, n=10)
    explicit = by_profile(smoke=dict(epochs=1), cpu=dict(epochs=5), gpu=dict(epochs=10),
                          profile="gpu")
    assert explicit.epochs == 10 and explicit.profile == "gpu"


def test_by_profile_requires_the_same_keys():
    with pytest.raises(ValueError, match="cpu lacks lr"):
        by_profile(smoke=dict(epochs=1, lr=0.1), cpu=dict(epochs=10), gpu=dict(epochs=10, lr=0.1))


@pytest.mark.parametrize("kwargs, match", [
    (dict(smoke=[("epochs", 1)], cpu={}, gpu={}), r"`smoke` must be a dict of settings, got \[\('epochs', 1\)\]"),
    (dict(smoke={}, cpu=None, gpu={}), "`cpu` must be a dict of settings, got None"),
    (dict(smoke={}, cpu={}, gpu="fast"), "`gpu` must be a dict of settings.*gpu=dict"),
])
def test_by_profile_rejects_settings_that_are_not_dicts(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        by_profile(**kwargs)


def test_by_profile_rejects_reserved_and_unknown():
    with pytest.raises(ValueError, match="reserved"):
        by_profile(smoke=dict(profile=1), cpu=dict(profile=1), gpu=dict(profile=1))
    with pytest.raises(UnknownProfileError):
        by_profile(smoke={}, cpu={}, gpu={}, profile="laptop")
