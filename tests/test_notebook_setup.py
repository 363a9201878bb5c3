import matplotlib
import pytest

import d2lhelpers
from d2lhelpers import VersionMismatchError, check_version, setup_notebook


def test_check_version_accepts_the_installed_release():
    check_version(d2lhelpers.__version__)


def test_check_version_names_the_fix():
    with pytest.raises(VersionMismatchError, match="pip install -e ."):
        check_version("0.0.0-other")


def test_setup_notebook_seeds_styles_and_returns_the_profile(monkeypatch, capsys):
    import torch
    monkeypatch.setenv("D2L_PROFILE", "smoke")
    with matplotlib.rc_context():
        assert setup_notebook(seed=3) == "smoke"
        first = torch.rand(2)
        assert matplotlib.rcParams["figure.facecolor"] == "white"
        setup_notebook(seed=3)
        assert torch.equal(torch.rand(2), first)
    assert "profile smoke" in capsys.readouterr().out


def test_setup_notebook_rejects_an_unknown_profile(monkeypatch):
    monkeypatch.setenv("D2L_PROFILE", "turbo")
    with pytest.raises(d2lhelpers.UnknownProfileError):
        setup_notebook()


@pytest.mark.parametrize("seed", [-1, 0.5, "0"])
def test_setup_notebook_rejects_a_bad_seed(monkeypatch, seed, capsys):
    monkeypatch.setenv("D2L_PROFILE", "smoke")
    with pytest.raises(d2lhelpers.ParameterError, match="`seed` must be an integer in 0.."):
        setup_notebook(seed=seed)
    assert capsys.readouterr().out == ""


def test_check_version_rejects_a_number():
    with pytest.raises(d2lhelpers.ParameterError, match='`expected` must be a str, got 0.1. Pass the version as a string'):
        check_version(0.1)
