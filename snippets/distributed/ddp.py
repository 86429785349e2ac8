# Data-parallel gradient descent: every process trains a copy of the model on
# its own shard of the data, and DDP averages the gradients. Start it with
# torchrun, PyTorch's launcher, which starts the processes and tells each one
# who it is (RANK, WORLD_SIZE, LOCAL_RANK, ... in its environment):
#
#     torchrun --standalone --nproc-per-node=2 ddp.py
#
# Started with plain `python ddp.py`, it runs as a group of one process.
import datetime
import os

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n_steps = 5
lr = 0.01


def train_single_process():
    """Plain full-batch gradient descent, without torch.distributed: the reference."""
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = []
    for step in range(n_steps):
        loss = nn.functional.mse_loss(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        # w and b after the step; the loss before it, which the step came from.
        history.append((model.weight.item(), model.bias.item(), loss.item()))
    return history


def train_on_shard(rank, world_size, device):
    """n_steps of DDP on this process's shard; returns the shard and the log."""
    # Every process holds its own shard: process r gets rows r*k to (r+1)*k-1.
    X_local = X.chunk(world_size)[rank].to(device)
    y_local = y.chunk(world_size)[rank].to(device)
    torch.manual_seed(0)  # the same starting model in every process
    model = nn.Linear(1, 1).to(device)
    model = DistributedDataParallel(model)
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


def main():
    # torchrun sets these for every process; plain `python` sets none of them.
    rank = int(os.environ.get("RANK", 0))  # this process, 0 to world_size - 1
    world_size = int(os.environ.get("WORLD_SIZE", 1))  # processes in the group
    local_rank = int(os.environ.get("LOCAL_RANK", 0))  # its number on this machine
    on_this_machine = int(os.environ.get("LOCAL_WORLD_SIZE", 1))

    # The device, chosen once: a GPU of its own for every process where there
    # are enough of them (NCCL moves the gradients between GPUs), else the CPU
    # (gloo moves them between processes).
    if torch.cuda.device_count() >= on_this_machine:
        device, backend = torch.device("cuda", local_rank), "nccl"
        torch.cuda.set_device(device)
    else:
        device, backend = torch.device("cpu"), "gloo"

    # A process that does not join within a minute, or a peer that stops
    # answering, is an error instead of a wait without end.
    timeout = datetime.timedelta(seconds=60)
    if "RANK" in os.environ:  # torchrun told every process where to meet
        dist.init_process_group(backend, timeout=timeout)
    else:  # plain `python`: a group of one, which needs no network
        store = dist.HashStore()
        dist.init_process_group(backend, store=store, rank=0, world_size=1)
    try:
        shard, history = train_on_shard(rank, world_size, device)
        # Every process sends its shard and its log to every other one.
        reports = [None] * world_size
        dist.all_gather_object(reports, (shard, history))
        dist.barrier()  # every process has its copy before any of them leaves
    finally:
        dist.destroy_process_group()  # leave the group, even after an error

    if rank != 0:
        return  # one process reports for all of them
    print(f"{world_size} process(es), backend {backend}, device {device.type}")
    for r, (shard, _) in enumerate(reports):
        print(f"rank {r} holds x = {shard}")
    # DDP keeps the copies in step: every process holds the same parameters.
    histories = [history for shard, history in reports]
    assert all(h == histories[0] for h in histories), "the copies drifted apart"

    reference = train_single_process()
    print()
    print(f"step   {f'DDP, {world_size} process(es)':39}one process, all the data")
    for step in range(n_steps):
        w1, b1, loss1 = history[step]
        w2, b2, loss2 = reference[step]
        print(
            f"{step + 1:4d}   w={w1:.6f} b={b1:.6f} loss={loss1:9.6f}   "
            f"w={w2:.6f} b={b2:.6f} loss={loss2:9.6f}"
        )
    # Float32 sums added up in another order differ in their last bits (one
    # float32 step is about 2e-6 near a loss of 25): compare to 1e-5.
    largest = max(
        abs(a - b)
        for mine, theirs in zip(history, reference, strict=True)
        for a, b in zip(mine, theirs, strict=True)
    )
    assert largest < 1e-5, largest
    print(f"largest difference from plain gradient descent: {largest:.1e}")


if __name__ == "__main__":
    main()
