"""Where the data root is: relative paths resolve where they were given; no data inside the repository."""

from pathlib import Path

import pytest

from d2lhelpers import DatasetNotFoundError, data_dir, load_fashion_mnist

REPO = Path(__file__).resolve().parents[1]


def test_a_relative_data_dir_resolves_against_the_folder_it_was_given_in(monkeypatch, tmp_path):
    given_in, kernel_folder = tmp_path / "book", tmp_path / "book" / "chapters"
    kernel_folder.mkdir(parents=True)
    monkeypatch.setenv("D2L_DATA_DIR", "../shared/data")
    monkeypatch.setenv("PWD", str(given_in))   # the shell's folder, inherited by the kernel
    monkeypatch.chdir(kernel_folder)          # where a Jupyter kernel starts
    assert data_dir() == (tmp_path / "shared" / "data").resolve()
    monkeypatch.delenv("PWD")
    assert data_dir() == (tmp_path / "book" / "shared" / "data").resolve(), "no $PWD: the working folder"


def test_nothing_is_downloaded_into_the_repository(monkeypatch):
    inside = REPO / "shared" / "data"
    assert not inside.exists()
    monkeypatch.setenv("D2L_DATA_DIR", str(inside))
    with pytest.raises(DatasetNotFoundError, match="inside the book's repository"):
        load_fashion_mnist(train=False)
    assert not inside.exists() and not (REPO / "shared").exists()
