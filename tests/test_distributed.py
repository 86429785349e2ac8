"""Several processes: DDP over gloo equals single-process gradient descent."""

import datetime
import os
import re
import subprocess
import sys
import threading

import pytest
import torch
import torch.distributed as dist

from snippet import ROOT, run

PATH = ROOT / "snippets/distributed/ddp.py"
ROW_RE = re.compile(
    r"^ +(\d+) +w=(\S+) b=(\S+) loss= *(\S+) +w=(\S+) b=(\S+) loss= *(\S+)$",
    re.MULTILINE,
)


@pytest.fixture(scope="module")
def ddp():
    return run("distributed/ddp.py")


def table(output: str) -> list[tuple[float, ...]]:
    return [tuple(float(v) for v in row[1:]) for row in ROW_RE.findall(output)]


def test_standalone_program_prints_matching_steps_for_1_and_2_processes():
    process = subprocess.run(
        [sys.executable, str(PATH)], capture_output=True, text=True, timeout=120
    )
    assert process.returncode == 0, process.stderr
    rows = table(process.stdout)
    assert len(rows) == 5
    for one_w, one_b, one_loss, two_w, two_b, two_loss in rows:
        assert (one_w, one_b) == (two_w, two_b)  # equal to the 6 printed decimals
        assert two_loss == pytest.approx(one_loss, rel=1e-6, abs=1e-6)
    assert "largest difference from plain gradient descent" in process.stdout


def test_each_process_holds_half_the_data(ddp):
    runs = ddp[0]["runs"]
    assert runs[1][0][0] == [1.0, 2.0, 3.0, 4.0]
    assert runs[2][0][0] == [1.0, 2.0] and runs[2][1][0] == [3.0, 4.0]


def test_every_step_equals_single_process_full_batch_gradient_descent(ddp):
    namespace, _ = ddp
    reference = namespace["reference"]
    assert len(reference) == namespace["n_steps"] == 5
    for world_size in (1, 2):
        for rank, (_, history) in namespace["runs"][world_size].items():
            for got, expected in zip(history, reference, strict=True):
                assert got == pytest.approx(expected, rel=1e-6, abs=1e-6), rank
    # Both processes of the group hold the same parameters at every step.
    assert namespace["runs"][2][0][1] == namespace["runs"][2][1][1]
    # Five steps from a seeded start: the parameters moved.
    assert reference[-1][0] > reference[0][0] + 0.5


def no_ddp_worker(rank, world_size, port, results):
    """The snippet's worker without DistributedDataParallel: no all-reduce."""
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"
    dist.init_process_group(
        "gloo", rank=rank, world_size=world_size, timeout=datetime.timedelta(seconds=30)
    )
    try:
        X = torch.tensor([[1.0], [2.0], [3.0], [4.0]]).chunk(world_size)[rank]
        torch.manual_seed(0)
        model = torch.nn.Linear(1, 1)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        history = []
        for _ in range(5):
            loss = torch.nn.functional.mse_loss(model(X), 2 * X)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            history.append((model.weight.item(), model.bias.item(), 0.0))
        results.put((rank, X.flatten().tolist(), history))
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_without_the_all_reduce_the_processes_drift_apart(ddp):
    launch, reference = ddp[0]["launch"], ddp[0]["reference"]
    reports = launch(2, target=no_ddp_worker)
    (_, first), (_, second) = reports[0], reports[1]
    assert first[-1][:2] != pytest.approx(second[-1][:2], abs=1e-3)
    assert first[-1][:2] != pytest.approx(reference[-1][:2], abs=1e-3)


def stuck_worker(rank, world_size, port, results):
    threading.Event().wait()  # never returns


def failing_worker(rank, world_size, port, results):
    if rank == 1:
        raise ValueError("worker 1 broke")
    threading.Event().wait()


def test_a_stuck_worker_becomes_a_clear_error(ddp):
    with pytest.raises(RuntimeError, match="still running after 2 s"):
        ddp[0]["launch"](2, target=stuck_worker, timeout_s=2)


def test_a_failing_worker_stops_the_others_and_raises_its_error(ddp):
    with pytest.raises(Exception, match="worker 1 broke"):
        ddp[0]["launch"](2, target=failing_worker, timeout_s=60)


def test_runs_when_executed_like_markdown_exec_does():
    """markdown-exec runs the code with exec() and a module name, not __main__."""
    source = PATH.read_text(encoding="utf-8")
    printed = []
    namespace = {
        "__name__": "_code_block_id_distributed_ddp",
        "print": lambda *args: printed.append(" ".join(map(str, args))),
    }
    exec(compile(source, "<code block: id distributed-ddp>", "exec"), namespace)
    assert namespace["largest"] < 1e-5
    assert any("largest difference" in line for line in printed)
    assert not dist.is_initialized()  # this process never joined a group


def test_equal_shards_average_to_the_full_gradient_and_unequal_ones_do_not():
    namespace, output = run("distributed/uneven_shards.py")
    gradient, X, y, full = (namespace[k] for k in ["gradient", "X", "y", "full"])

    def averaged(sizes):
        parts = zip(X.split(sizes), y.split(sizes), strict=True)
        return torch.stack([gradient(a, b) for a, b in parts]).mean(dim=0)

    assert torch.allclose(averaged((2, 2)), full, rtol=1e-6)
    assert not torch.allclose(averaged((3, 1)), full, rtol=0.1)
    lines = output.splitlines()
    assert len(lines) == 3 and lines[0].split("dL")[1:] == lines[1].split("dL")[1:]
    assert lines[2].split("dL")[1:] != lines[0].split("dL")[1:]
