"""Minibatches from memory: one fancy-indexing operation per batch, no PIL, no workers.

d2l's loader decodes every image through PIL with ``ToTensor`` on 4 worker
processes, every epoch. Here a batch is an index into a uint8 tensor plus a
division by 255.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import torch
import torch.nn.functional as F

from .datasets import load_fashion_mnist

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
