import copy
import tempfile
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# The data and the split of the loop above.
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
val_loader = DataLoader(val_set, batch_size=50)
loss_fn = nn.MSELoss()
max_epochs, patience = 100, 10


def train(until_epoch, checkpoint_path=None):
    """The loop above, from the start or from a checkpoint, until it stops
    early or reaches `until_epoch`. Returns what a checkpoint holds."""
    model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    loader_generator = torch.Generator().manual_seed(0)
    train_loader = DataLoader(
        train_set, batch_size=25, shuffle=True, generator=loader_generator
    )
    epoch, history = 0, []
    best = {"val_loss": float("inf"), "epoch": 0, "model": None}
    if checkpoint_path is not None:
        checkpoint = torch.load(checkpoint_path, weights_only=True)
        model.load_state_dict(checkpoint["model"])
        optimizer.load_state_dict(checkpoint["optimizer"])
        scheduler.load_state_dict(checkpoint["scheduler"])
        torch.set_rng_state(checkpoint["torch_rng"])
        loader_generator.set_state(checkpoint["loader_rng"])
        epoch, history, best = (
            checkpoint["epoch"],
            checkpoint["history"],
            checkpoint["best"],
        )

    while epoch < until_epoch and epoch - best["epoch"] < patience:
        epoch += 1
        lr = scheduler.get_last_lr()[0]
        model.train()
        train_total = 0.0
        for x_batch, y_batch in train_loader:
            loss = loss_fn(model(x_batch), y_batch)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            train_total += loss.item() * len(x_batch)
        model.eval()
        val_total = 0.0
        with torch.inference_mode():
            for x_batch, y_batch in val_loader:
                val_total += loss_fn(model(x_batch), y_batch).item() * len(x_batch)
        scheduler.step()
        val_loss = val_total / len(val_set)
        history.append((lr, train_total / len(train_set), val_loss))
        if val_loss < best["val_loss"]:
            best = {
                "val_loss": val_loss,
                "epoch": epoch,
                "model": copy.deepcopy(model.state_dict()),
            }

    return {
        "epoch": epoch,
        "model": model.state_dict(),
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "torch_rng": torch.get_rng_state(),
        "loader_rng": loader_generator.get_state(),
        "history": history,
        "best": best,
    }


torch.manual_seed(0)
straight = train(max_epochs)
print(f"straight through: stopped after epoch {straight['epoch']}")

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "checkpoint.pt"
    torch.manual_seed(0)
    torch.save(train(until_epoch=20), path)  # the run stops here: a crash, a quota
    print("stopped after epoch 20, checkpoint saved")
    torch.manual_seed(12345)  # a new process: another initialisation, overwritten
    resumed = train(max_epochs, checkpoint_path=path)
print(f"resumed from epoch 20: stopped after epoch {resumed['epoch']}")


def identical(a, b):
    """Every tensor equal to the last bit, and everything else equal."""
    if isinstance(a, torch.Tensor):
        return torch.equal(a, b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(identical(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(map(identical, a, b))
    return a == b


for name in straight:
    print(f"{name:10s} identical: {identical(straight[name], resumed[name])}")
