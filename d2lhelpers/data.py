"""Data: Fashion-MNIST held in memory as uint8 tensors, fast batches, synthetic data.

d2l's loader decodes every image through PIL with ``ToTensor`` on 4 worker
processes, every epoch. Here the whole data set is read once, by torchvision's
own reading code, into two tensors (47 MB for the training images); a batch is
one fancy-indexing operation plus a division by 255.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F

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

    The layout under it is torchvision's (``FashionMNIST/raw/...``). The cache
    folder is ``$XDG_CACHE_HOME/d2l-notes`` (``~/.cache/d2l-notes`` by default).
    Nothing is created here; the folder is made when something is downloaded.
    """
    configured = os.environ.get(DATA_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache).expanduser() / "d2l-notes"


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
    """
    from torchvision.datasets import FashionMNIST  # imported on use: keeps import light

    root_path = Path(root).expanduser().resolve() if root is not None else data_dir()
    raw_folder = root_path / "FashionMNIST" / "raw"
    needed = [raw_folder / name for name in FASHION_MNIST_FILES]  # torchvision checks all four
    missing = [path for path in needed if not path.is_file()]
    if missing and not download:
        raise DatasetNotFoundError(_not_found_message(raw_folder, missing, reason="download=False"))
    try:
        dataset = FashionMNIST(str(root_path), train=train, download=bool(missing))
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
    return images, labels.long()


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
        f"for example `export {DATA_DIR_ENV}=../shared/data`."
    )


def _corrupt_message(raw_folder: Path, error: object) -> str:
    return (
        f"Fashion-MNIST files in {raw_folder} cannot be read: {_first_line(error) or 'invalid IDX file'}.\n"
        f"To fix it, delete {raw_folder} so that torchvision downloads the files again, "
        f"or copy fresh copies of {', '.join(FASHION_MNIST_FILES)} there."
    )


def fashion_mnist_labels(indices: Sequence[int] | torch.Tensor) -> list[str]:
    """The text labels of Fashion-MNIST class indices (``0 -> 't-shirt'``)."""
    values = indices.tolist() if isinstance(indices, torch.Tensor) else list(indices)
    if isinstance(values, int):
        values = [values]
    bad = [v for v in values if not isinstance(v, int) or not 0 <= v < len(FASHION_MNIST_CLASSES)]
    if bad:
        raise ValueError(f"Fashion-MNIST class indices are integers in 0..9, got {bad[:5]}.")
    return [FASHION_MNIST_CLASSES[v] for v in values]


class ImageBatches:
    """Minibatches of an in-memory image tensor, by indexing.

    Args:
        images: ``uint8`` ``(N, H, W)`` or ``(N, C, H, W)``, or float in ``[0, 1]``.
        labels: ``(N,)`` integer class labels.
        batch_size: examples per batch (the last batch may be smaller).
        shuffle: draw a new random order every epoch from a generator seeded
            with ``seed``, so that the sequence of epochs is reproducible.
        resize: side length to resize every batch to (bilinear), or ``None``.
        device: where the batches go; the data is moved there once, up front.

    Each batch is ``(X, y)`` with ``X`` float32 ``(B, C, H, W)`` in ``[0, 1]``.
    """

    def __init__(
        self,
        images: torch.Tensor,
        labels: torch.Tensor,
        batch_size: int,
        *,
        shuffle: bool = False,
        seed: int = 0,
        resize: int | None = None,
        device: torch.device | str | None = None,
    ) -> None:
        if images.ndim not in (3, 4):
            raise ValueError(
                f"images must have shape (N, H, W) or (N, C, H, W), got {tuple(images.shape)}.")
        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(
                f"labels must have shape ({images.shape[0]},) to match the images, "
                f"got {tuple(labels.shape)}.")
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
        if resize is not None and (not isinstance(resize, int) or resize < 1):
            raise ValueError(f"resize must be a positive int side length or None, got {resize!r}.")
        self.device = torch.device(device) if device is not None else images.device
        self.images = (images if images.ndim == 4 else images.unsqueeze(1)).to(self.device)
        self.labels = labels.to(self.device)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.resize = resize
        self._generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return -(-self.num_examples // self.batch_size)

    @property
    def num_examples(self) -> int:
        return int(self.images.shape[0])

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = self.num_examples
        order = torch.randperm(n, generator=self._generator) if self.shuffle else torch.arange(n)
        order = order.to(self.device)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            yield self._to_float(self.images[index]), self.labels[index]

    def _to_float(self, batch: torch.Tensor) -> torch.Tensor:
        batch = batch.float().div_(255) if batch.dtype == torch.uint8 else batch.float()
        if self.resize is not None and batch.shape[-1] != self.resize:
            batch = F.interpolate(batch, size=(self.resize, self.resize), mode="bilinear",
                                  align_corners=False, antialias=batch.shape[-1] > self.resize)
        return batch


def random_subset(
    images: torch.Tensor, labels: torch.Tensor, size: int | None, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random subset of ``size`` examples (all of them for ``None``)."""
    n = images.shape[0]
    if labels.shape[0] != n:
        raise ValueError(f"images and labels differ in length: {n} vs {labels.shape[0]}.")
    if size is None or size == n:
        return images, labels
    if isinstance(size, bool) or not isinstance(size, int) or not 0 < size <= n:
        raise ValueError(f"subset size must be an int in 1..{n} or None, got {size!r}.")
    index = torch.randperm(n, generator=torch.Generator().manual_seed(seed))[:size]
    return images[index], labels[index]


def fashion_mnist_batches(
    batch_size: int,
    *,
    resize: int | None = None,
    train_subset: int | None = None,
    test_subset: int | None = None,
    device: torch.device | str | None = None,
    seed: int = 0,
    root: str | os.PathLike[str] | None = None,
) -> tuple[ImageBatches, ImageBatches]:
    """Shuffled training batches and ordered test batches of Fashion-MNIST.

    The replacement for d2l's ``load_data_fashion_mnist``: same images, same
    ``[0, 1]`` scaling, optional resizing, but batches come from memory.
    ``train_subset`` / ``test_subset`` take a seeded random subset (for the
    ``smoke`` profile).
    """
    train_images, train_labels = random_subset(*load_fashion_mnist(True, root), train_subset, seed)
    test_images, test_labels = random_subset(*load_fashion_mnist(False, root), test_subset, seed)
    train = ImageBatches(train_images, train_labels, batch_size, shuffle=True, seed=seed,
                         resize=resize, device=device)
    test = ImageBatches(test_images, test_labels, batch_size, resize=resize, device=device)
    return train, test


def polynomial_features(x: torch.Tensor, num_features: int) -> torch.Tensor:
    """Columns ``x^i / i!`` for ``i = 0 .. num_features - 1`` (d2l's polynomial regression).

    ``num_features`` counts the constant column, so the highest power is
    ``num_features - 1`` (d2l's ``max_degree = 20`` means 20 features, up to
    ``x^19``). Dividing by ``i!`` keeps high powers from producing huge values
    and gradients.

    Returns:
        A float tensor of shape ``(len(x), num_features)``.
    """
    x = torch.as_tensor(x, dtype=torch.float32)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(f"x must be a vector of shape (n,) or (n, 1), got {tuple(x.shape)}.")
    if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features < 1:
        raise ValueError(f"num_features must be a positive int, got {num_features!r}.")
    powers = torch.arange(num_features, dtype=torch.float32)
    return x.unsqueeze(1) ** powers / torch.exp(torch.lgamma(powers + 1))


def d2l_fashion_mnist_loader(
    train: bool,
    batch_size: int,
    *,
    num_workers: int = 4,
    resize: int | None = None,
    root: str | os.PathLike[str] | None = None,
):
    """The loader d2l builds, for comparisons: torchvision dataset, PIL, ``ToTensor``, workers.

    Every image goes through PIL and ``transforms.ToTensor()`` in ``num_workers``
    processes, every epoch (d2l's ``load_data_fashion_mnist``). The helpers of
    this course use :class:`ImageBatches` instead; this exists to measure the
    difference.
    """
    from torch.utils.data import DataLoader
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

    load_fashion_mnist(train, root)  # same checks and messages, and downloads when needed
    steps = ([transforms.Resize(resize)] if resize else []) + [transforms.ToTensor()]
    root_path = Path(root).expanduser().resolve() if root is not None else data_dir()
    dataset = FashionMNIST(str(root_path), train=train, transform=transforms.Compose(steps))
    return DataLoader(dataset, batch_size, shuffle=train, num_workers=num_workers)


def synthetic_regression_data(
    w: torch.Tensor,
    b: float,
    num_examples: int,
    noise: float = 0.01,
    generator: torch.Generator | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Examples of ``y = X w + b + noise`` with ``X ~ N(0, 1)``, ``noise ~ N(0, noise^2)``.

    Returns:
        ``X`` of shape ``(num_examples, len(w))`` and ``y`` of shape ``(num_examples, 1)``.
    """
    w = torch.as_tensor(w, dtype=torch.float32)
    if w.ndim != 1:
        raise ValueError(f"w must be a 1-d weight vector, got shape {tuple(w.shape)}.")
    if isinstance(num_examples, bool) or not isinstance(num_examples, int) or num_examples < 1:
        raise ValueError(f"num_examples must be a positive int, got {num_examples!r}.")
    if noise < 0:
        raise ValueError(f"noise is a standard deviation and must be >= 0, got {noise}.")
    X = torch.normal(0.0, 1.0, (num_examples, len(w)), generator=generator)
    y = X @ w + b
    y += torch.normal(0.0, noise, y.shape, generator=generator) if noise > 0 else 0.0
    return X, y.reshape(-1, 1)
