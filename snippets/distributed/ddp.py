import datetime
import os
import socket

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n_steps = 5
lr = 0.01


def train_single_process():
    """Plain full-batch gradient descent: the reference."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for step in range(n_steps):
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        history.append((model.weight.item(), model.bias.item(), loss.item()))
    return history


def train_on_shard(rank, world_size):
    """Five steps of DDP on this process's shard; returns the shard and the log."""
    # Every process holds its own shard: process r gets rows r*k to (r+1)*k-1.
    X_local = X.chunk(world_size)[rank]
    y_local = y.chunk(world_size)[rank]
    torch.manual_seed(0)  # the same starting model in every process
    model = DistributedDataParallel(nn.Linear(1, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for step in range(n_steps):
        loss = nn.functional.mse_loss(model(X_local), y_local)
        loss.backward()  # DDP all-reduces the gradients: their average
        optimizer.step()
        optimizer.zero_grad()
        # For the log only: the loss on all the data is the mean of the
        # shards' losses (the shards have equal sizes).
        total = loss.detach().clone()
        dist.all_reduce(total)
        w, b = model.module.weight.item(), model.module.bias.item()
        history.append((w, b, total.item() / world_size))
    return X_local.flatten().tolist(), history


def worker(rank, world_size, port, results):
    """One process of the group: joins it, trains, reports, leaves."""
    os.environ["MASTER_ADDR"] = "127.0.0.1"  # where rank 0 waits for the others
    os.environ["MASTER_PORT"] = str(port)
    os.environ["GLOO_SOCKET_IFNAME"] = "lo"  # talk over loopback only
    dist.init_process_group(
        "gloo",
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=30),  # a missing peer is an error
    )
    try:
        shard, history = train_on_shard(rank, world_size)
        results.put((rank, shard, history))
        dist.barrier()  # leave together: no one quits while another still talks
    finally:
        dist.destroy_process_group()


def free_port():
    """Ask the operating system for a free port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch(world_size, target=worker, timeout_s=60):
    """Start world_size processes; return what each one reported, by rank."""
    # "fork" copies this process, functions and data included: nothing has to
    # be pickled or imported again (Linux and macOS; Windows only has "spawn").
    results = mp.get_context("fork").Queue()
    context = mp.start_processes(
        target,  # called as target(rank, *args) in each process
        args=(world_size, free_port(), results),
        nprocs=world_size,
        join=False,
        start_method="fork",
    )
    running = world_size
    # join() returns True once all have exited cleanly, and raises with the
    # worker's traceback if one of them failed (the others are stopped).
    while not context.join(timeout=timeout_s):
        still_running = sum(process.is_alive() for process in context.processes)
        if still_running == running:  # no process finished for timeout_s seconds
            for process in context.processes:
                process.kill()
            raise RuntimeError(f"a worker was still running after {timeout_s} s")
        running = still_running
    reports = {}
    for _ in range(world_size):
        rank, shard, history = results.get(timeout=timeout_s)
        reports[rank] = (shard, history)
    return reports


# The workers are forked before this process runs autograd itself: on a machine
# with a GPU, a child forked after the parent's first backward() cannot use
# autograd ("Unable to handle autograd's threading in combination with fork").
runs = {world_size: launch(world_size) for world_size in (1, 2)}
reference = train_single_process()

for world_size, reports in runs.items():
    for rank, (shard, history) in sorted(reports.items()):
        print(f"{world_size} process(es), rank {rank} holds x = {shard}")
    # DDP keeps the copies in step: every process holds the same parameters.
    histories = [history for shard, history in reports.values()]
    assert all(history == histories[0] for history in histories)

print()
print("step   1 process                          2 processes")
for step in range(n_steps):
    w1, b1, loss1 = runs[1][0][1][step]
    w2, b2, loss2 = runs[2][0][1][step]
    print(
        f"{step + 1:4d}   w={w1:.6f} b={b1:.6f} loss={loss1:9.6f}   "
        f"w={w2:.6f} b={b2:.6f} loss={loss2:9.6f}"
    )

# Every step of both runs against plain gradient descent in one process.
largest = 0.0
for world_size in (1, 2):
    history = runs[world_size][0][1]
    for step in range(n_steps):
        for a, b in zip(reference[step], history[step], strict=True):
            largest = max(largest, abs(a - b))
assert largest < 1e-5, largest
print(f"largest difference from plain gradient descent: {largest:.1e}")
