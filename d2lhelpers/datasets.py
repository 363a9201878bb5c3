"""Fashion-MNIST on disk: where the data root is, reading it, and clear errors.

torchvision's own reader finds, downloads and parses the IDX files; the whole
split is then held in memory as two tensors (47 MB for the training images).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import torch

from .validation import Instance, Integer, check

DATA_DIR_ENV = "D2L_DATA_DIR"

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "t-shirt", "trouser", "pullover", "dress", "coat",
    "sandal", "shirt", "sneaker", "bag", "ankle boot",
)
FASHION_MNIST_FILES: tuple[str, ...] = (
    "train-images-idx3-ubyte", "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
)


class DatasetNotFoundError(FileNotFoundError):
    """The data is not on disk and could not be downloaded."""


class DatasetCorruptError(RuntimeError):
    """A data file on disk exists but cannot be read as what it should be."""


def data_dir() -> Path:
    """The data root: ``$D2L_DATA_DIR`` if set, else a user cache folder.

    The layout under it is torchvision's (``FashionMNIST/raw/...``). A relative
    ``$D2L_DATA_DIR`` is resolved against the folder it was given in (the
    shell's ``$PWD``, which a Jupyter kernel inherits even though it starts in
    the notebook's folder), not against the kernel's working folder. The cache
    folder is ``$XDG_CACHE_HOME/d2l-notes`` (``~/.cache/d2l-notes`` by default).
    Nothing is created here; the folder is made when something is downloaded.
    """
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute():
            given_in = os.environ.get("PWD", "")
            base = Path(given_in) if given_in and Path(given_in).is_absolute() and Path(given_in).is_dir() else Path.cwd()
            path = base / path
        return path.resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache).expanduser() / "d2l-notes"


def book_repository(path: Path) -> Path | None:
    """The book's repository that ``path`` lies in (a folder with ``_config.yml`` and ``d2lhelpers/``)."""
    for folder in [path, *path.parents]:
        if (folder / "_config.yml").is_file() and (folder / "d2lhelpers").is_dir():
            return folder
    return None


def load_fashion_mnist(
    train: bool = True,
    root: str | os.PathLike[str] | None = None,
    download: bool = True,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Read the Fashion-MNIST training or test split into memory.

    Uses ``torchvision.datasets.FashionMNIST`` to find, download (when the
    files are missing and ``download`` is true) and parse the IDX files.

    Returns:
        ``(images, labels)``: a ``uint8`` tensor of shape ``(N, 28, 28)`` and an
        ``int64`` tensor of shape ``(N,)`` with values in ``0..9``.

    Raises:
        DatasetNotFoundError: the files are missing and cannot be downloaded;
            the message says where to put them and how to set ``D2L_DATA_DIR``.
        DatasetCorruptError: a file exists but is truncated or not an IDX file.
        ParameterError: ``train`` or ``download`` is not a bool, or ``root``
            is not a path or ``None``.
    """
    check("train", train, Instance(bool),
          fix="Pass True for the 60,000 training images, False for the 10,000 test images.")
    check("root", root, (Instance(str, os.PathLike, description="a path"), None),
          fix="Pass the data root folder, or None for $D2L_DATA_DIR or the user cache.")
    check("download", download, Instance(bool))
    dataset = open_fashion_mnist(train, root, download)
    return dataset.data, dataset.targets.long()


def open_fashion_mnist(train: bool, root: str | os.PathLike[str] | None, download: bool,
                       transform: object = None):
    """The checked ``torchvision.datasets.FashionMNIST`` split behind :func:`load_fashion_mnist`.

    Parsed once; :func:`load_fashion_mnist` takes its tensors and d2l's loader
    (:func:`d2lhelpers.baseline.d2l_fashion_mnist_loader`) its PIL pipeline.
    """
    from torchvision.datasets import FashionMNIST  # imported on use: keeps import light

    root_path = Path(root).expanduser().resolve() if root is not None else data_dir()
    raw_folder = root_path / "FashionMNIST" / "raw"
    needed = [raw_folder / name for name in FASHION_MNIST_FILES]  # torchvision checks all four
    missing = [path for path in needed if not path.is_file()]
    if missing and not download:
        raise DatasetNotFoundError(_not_found_message(raw_folder, missing, reason="download=False"))
    repository = book_repository(root_path) if missing else None
    if repository is not None:  # never write data into the book's repository
        raise DatasetNotFoundError(_not_found_message(
            raw_folder, missing, reason=f"the data root {root_path} lies inside the book's repository "
            f"{repository}, where nothing is downloaded (a relative {DATA_DIR_ENV} resolved from the "
            "wrong folder?); give an absolute path outside it"))
    try:
        dataset = FashionMNIST(str(root_path), train=train, download=bool(missing),
                               transform=transform)
    except (RuntimeError, OSError) as error:
        if any(not path.is_file() for path in needed):
            raise DatasetNotFoundError(
                _not_found_message(raw_folder, needed, reason=f"the download failed ({_first_line(error)})")
            ) from error
        raise DatasetCorruptError(_corrupt_message(raw_folder, error)) from error
    except (AssertionError, ValueError, KeyError) as error:
        raise DatasetCorruptError(_corrupt_message(raw_folder, error)) from error

    images, labels = dataset.data, dataset.targets
    expected = 60_000 if train else 10_000
    if images.dtype != torch.uint8 or tuple(images.shape) != (expected, 28, 28):
        raise DatasetCorruptError(_corrupt_message(
            raw_folder, f"images have shape {tuple(images.shape)} and dtype {images.dtype}, "
            f"expected ({expected}, 28, 28) uint8"))
    if tuple(labels.shape) != (expected,) or int(labels.min()) < 0 or int(labels.max()) > 9:
        raise DatasetCorruptError(_corrupt_message(
            raw_folder, f"labels have shape {tuple(labels.shape)}, expected ({expected},) in 0..9"))
    return dataset


def _first_line(error: object) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _not_found_message(raw_folder: Path, missing: Sequence[Path], reason: str) -> str:
    names = ", ".join(path.name for path in missing)
    return (
        f"Fashion-MNIST is not on disk ({names} missing in {raw_folder}) and was not "
        f"downloaded: {reason}.\n"
        "To fix it, do one of:\n"
        "  * connect to the internet and run again: torchvision downloads it there;\n"
        f"  * copy the four uncompressed IDX files ({', '.join(FASHION_MNIST_FILES)}) into {raw_folder};\n"
        f"  * set {DATA_DIR_ENV} to a data root that already has FashionMNIST/raw/, "
        f"for example `export {DATA_DIR_ENV}=\"$(cd ../shared/data && pwd)\"` from the book's folder."
    )


def _corrupt_message(raw_folder: Path, error: object) -> str:
    return (
        f"Fashion-MNIST files in {raw_folder} cannot be read: {_first_line(error) or 'invalid IDX file'}.\n"
        f"To fix it, delete {raw_folder} so that torchvision downloads the files again, "
        f"or copy fresh copies of {', '.join(FASHION_MNIST_FILES)} there."
    )


def fashion_mnist_labels(indices: Sequence[int] | torch.Tensor) -> list[str]:
    """The text labels of Fashion-MNIST class indices (``0 -> 't-shirt'``).

    ``indices`` is a sequence of integers (Python or NumPy), a tensor or an
    array of them, or a single integer.

    Raises:
        ParameterError: an index that is not an integer in ``0..9``.
    """
    values = indices.tolist() if hasattr(indices, "tolist") else indices  # tensors, arrays, NumPy ints
    if isinstance(values, (int, str)) or not isinstance(values, Iterable):
        values = [values]
    index = Integer(low=0, high=len(FASHION_MNIST_CLASSES) - 1)
    fix = "Pass class indices, such as the labels y of a batch or logits.argmax(dim=1)."
    return [FASHION_MNIST_CLASSES[check(f"indices[{i}]", value, index, fix=fix)]
            for i, value in enumerate(values)]
