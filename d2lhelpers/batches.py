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
from .reproducibility import SEED, SEED_FIX
from .validation import Instance, Integer, Tensor, check, describe, invalid


class ImageBatches:
    """Minibatches of an in-memory image tensor, by indexing.

    Args:
        images: ``uint8`` ``(N, H, W)`` or ``(N, C, H, W)``, or float in ``[0, 1]``;
            a NumPy array is converted with ``torch.as_tensor``.
        labels: ``(N,)`` integer class labels.
        batch_size: examples per batch (the last batch may be smaller).
        shuffle: draw a new random order every epoch (see below).
        seed: seeds the random orders.
        resize: side length to resize every batch to (bilinear), or ``None``.
        device: where the batches go; the data is moved there once, up front.

    Each batch is ``(X, y)`` with ``X`` float32 ``(B, C, H, W)`` in ``[0, 1]``.

    Epochs work as in ``torch.utils.data.DistributedSampler``: the order of a
    pass is a function of ``(seed, epoch)`` only, never of how often the
    batches were iterated before. :attr:`epoch` (0 at first) says which order
    the next pass uses; :meth:`set_epoch` chooses it, and each full pass
    advances it by one, so a plain loop ``for X, y in batches`` gets a new
    order every epoch. :func:`~d2lhelpers.fit` calls ``set_epoch(0)``,
    ``set_epoch(1)``... so two fits over the same batches see the same
    sequence of batches. The order of epoch ``e`` is the ``e``-th permutation
    (from 0) drawn from a ``torch.Generator`` seeded with ``seed``: epoch after
    epoch this is the same stream as a single generator gives, and two seeds
    never share an order.

    Raises:
        ParameterError: for images that are not uint8 or float in ``[0, 1]``,
            that look like ``(N, H, W, C)``, or labels that do not match them.
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
        images = check("images", images, Tensor(ndim=(3, 4), finite=True, convert=True),
                       fix="Pass (N, H, W) or (N, C, H, W) images.")
        _check_image_values(images)
        labels = check("labels", labels, Tensor(ndim=1, dtype="integer", convert=True),
                       fix="Pass one integer class per image (labels.long() converts float labels).")
        if labels.shape[0] != images.shape[0]:
            raise invalid("labels", f"of shape ({images.shape[0]},), one label per image",
                          describe(labels))
        self.batch_size = check("batch_size", batch_size, Integer(low=1),
                                fix="Pass the number of examples per batch.")
        self.shuffle = check("shuffle", shuffle, Instance(bool))
        self.seed = check("seed", seed, SEED, fix=SEED_FIX)
        self.resize = check("resize", resize, (Integer(low=1), None),
                            fix="Pass the side length in pixels, or None to keep the size.")
        self.device = torch.device(device) if device is not None else images.device
        self.images = (images if images.ndim == 4 else images.unsqueeze(1)).to(self.device)
        self.labels = labels.to(self.device)
        self.epoch = 0
        self._generator, self._drawn = torch.Generator().manual_seed(self.seed), 0

    def __len__(self) -> int:
        return -(-self.num_examples // self.batch_size)

    @property
    def num_examples(self) -> int:
        return int(self.images.shape[0])

    def set_epoch(self, epoch: int) -> None:
        """Use the order of ``epoch`` (from 0) for the next pass."""
        self.epoch = check("epoch", epoch, Integer(low=0), fix="Epochs count from 0.")

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = self.num_examples
        order = self._order(self.epoch).to(self.device)
        for start in range(0, n, self.batch_size):
            index = order[start:start + self.batch_size]
            yield self._to_float(self.images[index]), self.labels[index]
        self.epoch += 1

    def _order(self, epoch: int) -> torch.Tensor:
        """The order of ``epoch``: the ``epoch``-th permutation of the seeded stream."""
        n = self.num_examples
        if not self.shuffle:
            return torch.arange(n)
        if self._drawn > epoch:  # an earlier epoch: replay the stream from the seed
            self._generator, self._drawn = torch.Generator().manual_seed(self.seed), 0
        for _ in range(epoch - self._drawn):  # skip the epochs in between
            torch.randperm(n, generator=self._generator)
        self._drawn = epoch + 1
        return torch.randperm(n, generator=self._generator)

    def _to_float(self, batch: torch.Tensor) -> torch.Tensor:
        batch = batch.float().div_(255) if batch.dtype == torch.uint8 else batch.float()
        if self.resize is not None and batch.shape[-1] != self.resize:
            batch = F.interpolate(batch, size=(self.resize, self.resize), mode="bilinear",
                                  align_corners=False, antialias=batch.shape[-1] > self.resize)
        return batch


def _check_image_values(images: torch.Tensor) -> None:
    """Images of at least one pixel, channels second, uint8 or float in ``[0, 1]``."""
    if images.numel() == 0:
        raise invalid("images", "at least one image of at least one pixel", describe(images))
    if images.ndim == 4 and images.shape[3] in (1, 3) and min(images.shape[1:3]) > images.shape[3]:
        raise invalid("images", "(N, C, H, W) images, channels second",
                      f"{describe(images)}, which looks like (N, H, W, C)",
                      fix="Move the channels with images.permute(0, 3, 1, 2).")
    if images.dtype == torch.uint8:
        return
    if not images.is_floating_point():
        raise invalid("images", "uint8 (values 0..255) or floating point in [0, 1]", describe(images),
                      fix="Convert 0..255 integers with images.to(torch.uint8).")
    low, high = (value.item() for value in torch.aminmax(images))
    if low < 0 or high > 1:
        fix = ("Divide them by 255 (images / 255), or pass the uint8 images." if 0 <= low and high <= 255
               else "Rescale them to [0, 1].")
        raise invalid("images", "floating point in [0, 1] (or uint8)",
                      f"float values in [{low:g}, {high:g}]", fix=fix)


def random_subset(
    images: torch.Tensor, labels: torch.Tensor, size: int | None, seed: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """A seeded random subset of ``size`` examples (all of them for ``None``).

    Raises:
        ParameterError: ``labels`` differ in length from ``images``, ``size`` is
            not an integer in ``1..len(images)`` or ``None``, or ``seed`` is bad.
    """
    n = images.shape[0]
    if labels.shape[0] != n:
        raise invalid("labels", f"one label per image ({n})", describe(labels),
                      fix="Pass images and labels of the same examples.")
    size = check("size", size, (Integer(low=1, high=n), None),
                 fix="Pass the number of examples to keep, or None for all of them.")
    seed = check("seed", seed, SEED, fix=SEED_FIX)
    if size is None or size == n:
        return images, labels
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

    Raises:
        ParameterError: for a bad argument, before any file is read.
    """
    batch_size = check("batch_size", batch_size, Integer(low=1), fix="Pass the number of examples per batch.")
    resize = check("resize", resize, (Integer(low=1), None),
                   fix="Pass the side length in pixels, or None to keep 28 x 28.")
    train_subset = check("train_subset", train_subset, (Integer(low=1, high=60_000), None),
                         fix="Pass the number of training images to keep, or None for all 60,000.")
    test_subset = check("test_subset", test_subset, (Integer(low=1, high=10_000), None),
                        fix="Pass the number of test images to keep, or None for all 10,000.")
    seed = check("seed", seed, SEED, fix=SEED_FIX)
    train_images, train_labels = random_subset(*load_fashion_mnist(True, root), train_subset, seed)
    test_images, test_labels = random_subset(*load_fashion_mnist(False, root), test_subset, seed)
    train = ImageBatches(train_images, train_labels, batch_size, shuffle=True, seed=seed,
                         resize=resize, device=device)
    test = ImageBatches(test_images, test_labels, batch_size, resize=resize, device=device)
    return train, test
