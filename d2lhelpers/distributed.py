"""Several worker processes started from a notebook: DDP and model parallelism.

A function defined in a notebook cannot be started in a child process (the
child imports ``__main__`` and does not find it), so the workers of chapter 23
live here. :func:`launch` starts them with ``torch.distributed``'s elastic
launcher: a free port is picked for the rendezvous (``localhost:0``, as
``torchrun --standalone`` does), each rank's return value comes back to the
caller, and when a worker fails the others are stopped and a
:class:`WorkerFailedError` says which rank failed and why. No worker outlives
the call.

Workers use gloo on CPUs and nccl when there is one GPU per worker. They call
``dist.barrier()`` before ``destroy_process_group()``: gloo workers that skip
it sometimes abort at exit.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from .validation import Instance, Integer, Options, check, invalid

__all__ = ["WorkerFailedError", "launch", "mlp", "ddp_train_worker", "pipeline_worker", "failing_worker",
           "default_backend"]


class WorkerFailedError(RuntimeError):
    """A worker process raised or died; the message names its rank and the cause."""


def default_backend(nprocs: int) -> str:
    """``"nccl"`` when there is a CUDA GPU for every worker, else ``"gloo"`` (CPU processes)."""
    return "nccl" if torch.cuda.is_available() and torch.cuda.device_count() >= nprocs else "gloo"


def mlp(sizes: tuple[int, ...]) -> nn.Sequential:
    """Linear layers of ``sizes`` (e.g. ``(20, 32, 1)``) with ReLU between them."""
    layers: list[nn.Module] = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def launch(worker: Callable[..., Any], nprocs: int, *args: Any, backend: str | None = None,
           timeout_s: int = 120) -> list[Any]:
    """Run ``worker(*args)`` in ``nprocs`` new processes; return their results, by rank.

    Each worker finds its rank in ``$RANK`` and the number of workers in
    ``$WORLD_SIZE``, and calls ``init_process_group`` with ``backend`` itself
    (the workers of this module do; ``backend`` is passed to them as
    ``$D2L_DIST_BACKEND``).

    Raises:
        ParameterError: ``worker`` is not a function importable from a module
            (one defined in a notebook is not), ``nprocs`` is not an integer in
            1..16, ``backend`` is not ``"gloo"``, ``"nccl"`` or ``None``, or
            ``timeout_s`` is not an integer >= 1.
        WorkerFailedError: a worker raised or died; the message names the
            rank and gives its error.
    """
    check("worker", worker, Instance(Callable, description="a function"),
          fix="Pass a function defined in a module, e.g. d2lhelpers.distributed.ddp_train_worker.")
    module = getattr(worker, "__module__", None)
    if module in (None, "__main__") or "<locals>" in getattr(worker, "__qualname__", "<locals>"):
        raise invalid("worker", "a function importable from a module", f"{getattr(worker, '__qualname__', worker)!r} "
                      f"from {module or 'nowhere'}",
                      fix="Functions defined in a notebook cannot be started in a child process: put the worker "
                      "in a module (a .py file) and import it.")
    nprocs = check("nprocs", nprocs, Integer(low=1, high=16), fix="Start 1 to 16 workers, e.g. nprocs=2.")
    backend = check("backend", backend, (Options("gloo", "nccl"), None),
                    fix="Use gloo for CPU processes, nccl for one GPU per process, or None to choose.")
    timeout_s = check("timeout_s", timeout_s, Integer(low=1), fix="Give the workers some seconds, e.g. 120.")
    backend = backend or default_backend(nprocs)
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.launcher.api import LaunchConfig, elastic_launch

    config = LaunchConfig(min_nodes=1, max_nodes=1, nproc_per_node=nprocs, rdzv_backend="c10d",
                          rdzv_endpoint="localhost:0", max_restarts=0, monitor_interval=0.1,
                          rdzv_timeout=timeout_s, run_id=f"d2l-{os.getpid()}-{time.monotonic_ns()}")
    previous = os.environ.get("D2L_DIST_BACKEND")
    os.environ["D2L_DIST_BACKEND"] = backend
    loggers = [logging.getLogger(name) for name in ("torch.distributed.elastic", "torch.multiprocessing.spawn")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)  # the cause comes back in WorkerFailedError instead
    try:
        results = elastic_launch(config, worker)(*args)
    except ChildFailedError as error:
        rank, failure = error.get_first_failure()
        cause = failure.message
        if isinstance(cause, dict):
            cause = cause.get("message", cause)
            if isinstance(cause, dict):
                cause = cause.get("message", str(cause))
        raise WorkerFailedError(f"worker rank {rank} of {nprocs} failed (exit code {failure.exitcode}): "
                                f"{str(cause).strip()}") from None
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)
        if previous is None:
            os.environ.pop("D2L_DIST_BACKEND", None)
        else:
            os.environ["D2L_DIST_BACKEND"] = previous
    return [results[rank] for rank in range(nprocs)]


def _init() -> tuple[int, int, torch.device]:
    import torch.distributed as dist

    torch.set_num_threads(1)
    backend = os.environ.get("D2L_DIST_BACKEND", "gloo")
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    device = torch.device("cpu")
    if backend == "nccl":
        device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', rank))}")
        torch.cuda.set_device(device)
    dist.init_process_group(backend)
    return rank, world, device


def _finish() -> None:
    import torch.distributed as dist

    dist.barrier()
    dist.destroy_process_group()


def _record(function: Callable[..., Any]) -> Callable[..., Any]:
    from torch.distributed.elastic.multiprocessing.errors import record

    return record(function)


@_record
def ddp_train_worker(sizes: tuple[int, ...], state: dict[str, torch.Tensor], X: torch.Tensor, y: torch.Tensor,
                     batch_size: int, lr: float, epochs: int) -> dict[str, Any]:
    """One rank of DistributedDataParallel training of ``mlp(sizes)`` with squared loss.

    Every rank starts from the same ``state``, goes through the same sequence
    of batches (in order, no shuffling) and takes its own slice of each batch:
    rank ``r`` of ``w`` the examples ``r, r + w, r + 2w, ...``. DDP averages
    the gradients over the ranks, so with equal slices the update is the one
    of a single process on the whole batch.

    Returns:
        ``{"state": final parameters (CPU), "losses": this rank's losses, "seconds": training time}``.
    """
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel

    rank, world, device = _init()
    model = mlp(sizes)
    model.load_state_dict(state)
    model.to(device)
    ddp = DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = torch.optim.SGD(ddp.parameters(), lr=lr)
    losses = []
    dist.barrier()
    start = time.perf_counter()
    for _ in range(epochs):
        for i in range(0, len(X), batch_size):
            Xb, yb = X[i:i + batch_size][rank::world].to(device), y[i:i + batch_size][rank::world].to(device)
            loss = ((ddp(Xb) - yb) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()  # DDP all-reduces (averages) the gradients during backward
            optimizer.step()
            losses.append(loss.item())
    seconds = time.perf_counter() - start
    result = {"state": {k: v.detach().cpu() for k, v in model.state_dict().items()}, "losses": losses,
              "seconds": seconds}
    _finish()
    return result


@_record
def pipeline_worker(sizes: tuple[int, ...], split: int, state: dict[str, torch.Tensor], X: torch.Tensor,
                    y: torch.Tensor, batch_size: int, lr: float, epochs: int) -> dict[str, Any]:
    """One of two ranks of model parallelism: ``mlp(sizes)`` cut before layer ``split``.

    Rank 0 holds layers ``[:split]``: it computes their output for a batch and
    sends it to rank 1 (``dist.send``). Rank 1 holds the rest: it receives the
    activations, computes the squared loss, back-propagates, and sends the
    gradient of the loss with respect to the activations back to rank 0, which
    finishes the backward pass. Both then update their own layers.

    Returns:
        ``{"losses": per step (rank 1; empty on rank 0), "events": [(kind, start, end), ...]}``
        with times in seconds from a common start; ``kind`` is ``"forward"`` or ``"backward"``.
    """
    import torch.distributed as dist

    rank, world, _ = _init()
    if world != 2:
        raise ValueError(f"pipeline_worker needs exactly 2 workers, got {world}")
    full = mlp(sizes)
    full.load_state_dict(state)
    part = full[:split] if rank == 0 else full[split:]
    optimizer = torch.optim.SGD(part.parameters(), lr=lr)
    width = full[split - 1].out_features if isinstance(full[split - 1], nn.Linear) else full[split - 2].out_features
    losses, events = [], []
    dist.barrier()
    start = time.perf_counter()

    def now() -> float:
        return time.perf_counter() - start

    for _ in range(epochs):
        for i in range(0, len(X), batch_size):
            Xb, yb = X[i:i + batch_size], y[i:i + batch_size]
            optimizer.zero_grad()
            if rank == 0:
                t0 = now()
                H = part(Xb)
                events.append(("forward", t0, now()))
                dist.send(H.detach().contiguous(), dst=1)
                grad = torch.empty_like(H)
                dist.recv(grad, src=1)
                t0 = now()
                H.backward(grad)
                optimizer.step()
                events.append(("backward", t0, now()))
            else:
                H = torch.empty(len(Xb), width)
                dist.recv(H, src=0)
                H.requires_grad_(True)
                t0 = now()
                loss = ((part(H) - yb) ** 2).mean()
                events.append(("forward", t0, now()))
                t0 = now()
                loss.backward()
                events.append(("backward", t0, now()))
                dist.send(H.grad.contiguous(), dst=0)
                optimizer.step()
                losses.append(loss.item())
    _finish()
    return {"losses": losses, "events": events}


@_record
def failing_worker(bad_rank: int, message: str) -> int:
    """A worker that raises ``ValueError(message)`` on rank ``bad_rank`` (to show and test the error)."""
    import torch.distributed as dist

    rank, _, _ = _init()
    if rank == bad_rank:
        raise ValueError(message)
    dist.barrier()  # the other ranks wait here until the launcher stops them
    _finish()
    return rank
