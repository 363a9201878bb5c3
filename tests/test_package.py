"""d2lhelpers as a package: importing is cheap and side-effect free; it installs from git."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import d2lhelpers

ROOT = Path(__file__).resolve().parents[1]


def test_import_has_no_side_effects(tmp_path):
    probe = (
        "import os, sys, matplotlib\n"
        "keys = ['figure.facecolor', 'axes.facecolor', 'savefig.facecolor', 'figure.dpi', 'axes.grid']\n"
        "before = [matplotlib.rcParams[k] for k in keys]\n"
        "import d2lhelpers\n"
        "assert [matplotlib.rcParams[k] for k in keys] == before, 'rcParams changed at import'\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported at import'\n"
        "assert 'torchvision' not in sys.modules, 'torchvision imported at import'\n"
        "assert os.listdir('.') == [], 'files written at import'\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "MPLCONFIGDIR": str(tmp_path / "mpl")}
    workdir = tmp_path / "work"
    workdir.mkdir()
    subprocess.run([sys.executable, "-c", probe], cwd=workdir, env=env, check=True)
    assert not (tmp_path / "cache").exists()


def test_public_api_is_documented():
    for name in d2lhelpers.__all__:
        obj = getattr(d2lhelpers, name)
        if callable(obj):
            assert obj.__doc__ and obj.__doc__.strip(), f"{name} has no docstring"


def test_version_is_single_sourced():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'version = { attr = "d2lhelpers.__version__" }' in text
    assert d2lhelpers.__version__.count(".") == 2


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_installs_with_pip_from_a_git_url(tmp_path):
    """What Colab does, with a local git+file:// URL of this repository's HEAD."""
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True)
    if head.returncode != 0:
        pytest.skip("the repository has no commit yet")
    target = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), f"git+file://{ROOT}@{head.stdout.strip()}"],
        capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (target / "d2lhelpers" / "pipeline" / "cli.py").is_file()
    assert (target / "d2lhelpers" / "pipeline" / "course.json").is_file(), "course data ships as package data"
    version = subprocess.run(
        [sys.executable, "-c", "import d2lhelpers; print(d2lhelpers.__version__)"],
        cwd=tmp_path, env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True)
    assert version.stdout.strip() == d2lhelpers.__version__, version.stderr
    assert list((target).glob("d2lhelpers-*.dist-info/entry_points.txt"))


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_colab_installs_the_helpers_of_the_branch_it_opened(tmp_path):
    """The setup cell's install line, run against a local clone: it gets that branch's helpers."""
    from d2lhelpers.pipeline import canonical_setup_source, repository_branch

    branch = repository_branch(ROOT)
    clone = tmp_path / "clone"
    git = lambda *args: subprocess.run(["git", "-C", str(clone), *args], check=True,
                                       capture_output=True, text=True)
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    git("checkout", "--quiet", "-B", branch)
    marker = "# a helper change made on the branch after the last release"
    training = clone / "d2lhelpers" / "training.py"
    training.write_text(training.read_text() + f"\n{marker}\n")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-am", "change a helper")
    url = f"file://{clone}"
    setup = canonical_setup_source(ROOT).replace(f"git+{_config_url()}@{branch}", f"git+{url}@{branch}")
    line = next(line for line in setup.splitlines() if "git+" in line)
    requirement = line.split('"')[1]
    assert requirement == f"git+{url}@{branch}"
    target = tmp_path / "site"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--target", str(target), requirement], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert marker in (target / "d2lhelpers" / "training.py").read_text()


def _config_url() -> str:
    from d2lhelpers.pipeline import repository_url
    return repository_url(ROOT)
