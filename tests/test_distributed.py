"""d2lhelpers.distributed: worker processes started with the elastic launcher."""

import multiprocessing

import pytest
import torch

from d2lhelpers import ParameterError
from d2lhelpers import distributed as D


def test_launch_rejects_a_function_defined_here_naming_worker():
    def local_worker():
        return 0

    with pytest.raises(ParameterError, match="`worker`.*module"):
        D.launch(local_worker, 2)
    with pytest.raises(ParameterError, match="`worker`"):
        D.launch("not a function", 2)


@pytest.mark.parametrize("kwargs, name", [
    (dict(nprocs=0), "nprocs"), (dict(nprocs=2.5), "nprocs"), (dict(nprocs=2, backend="mpi"), "backend"),
    (dict(nprocs=2, timeout_s=0), "timeout_s"),
])
def test_launch_bad_arguments_name_the_argument(kwargs, name):
    nprocs = kwargs.pop("nprocs")
    with pytest.raises(ParameterError, match=f"`{name}`"):
        D.launch(D.failing_worker, nprocs, 0, "unused", **kwargs)


def test_default_backend_is_gloo_without_a_gpu_per_worker():
    if not torch.cuda.is_available():
        assert D.default_backend(2) == "gloo"
    assert D.default_backend(torch.cuda.device_count() + 1) == "gloo"


def test_mlp_layers():
    net = D.mlp((4, 8, 1))
    assert [type(m).__name__ for m in net] == ["Linear", "ReLU", "Linear"]


def test_a_failing_worker_raises_with_its_rank_and_cause_and_leaves_no_process():
    before = {p.pid for p in multiprocessing.active_children()}
    with pytest.raises(D.WorkerFailedError, match=r"rank 1 of 2.*ValueError: the cause, named"):
        D.launch(D.failing_worker, 2, 1, "the cause, named")
    assert {p.pid for p in multiprocessing.active_children()} <= before


def test_ddp_matches_one_process_training():
    torch.manual_seed(0)
    sizes = (6, 8, 1)
    net = D.mlp(sizes)
    state = {k: v.clone() for k, v in net.state_dict().items()}
    X, y = torch.randn(32, 6), torch.randn(32, 1)
    results = D.launch(D.ddp_train_worker, 2, sizes, state, X, y, 8, 0.1, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    for i in range(0, 32, 8):
        loss = ((net(X[i:i + 8]) - y[i:i + 8]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    for rank in range(2):
        for k, v in net.state_dict().items():
            assert torch.allclose(results[rank]["state"][k], v, atol=1e-6)
