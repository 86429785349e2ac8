# The plot: a program of its own, from its imports to plt.show(), which opens
# a window (where there is a display). The site shows this part.
# --8<-- [start:plot]
import matplotlib.pyplot as plt
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# The loop above, logging the same three numbers per epoch.
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
loader_generator = torch.Generator().manual_seed(0)
train_loader = DataLoader(
    train_set, batch_size=25, shuffle=True, generator=loader_generator
)
x_val, y_val = dataset[val_set.indices]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)

max_epochs, patience = 100, 10
best_val, best_epoch = float("inf"), 0
history = []  # per epoch: (learning rate, training loss, validation loss)
for epoch in range(1, max_epochs + 1):
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
    with torch.inference_mode():
        val_loss = loss_fn(model(x_val), y_val).item()
    scheduler.step()
    history.append((lr, train_total / len(train_set), val_loss))
    if val_loss < best_val:
        best_val, best_epoch = val_loss, epoch
    if epoch - best_epoch >= patience:
        break
noise_loss = torch.mean((torch.sin(x_val) - y_val) ** 2).item()

epochs = range(1, len(history) + 1)
lrs, train_losses, val_losses = zip(*history, strict=True)
fig, (lr_axes, loss_axes) = plt.subplots(
    2, 1, sharex=True, figsize=(7, 5), height_ratios=[1, 2]
)
lr_axes.step(epochs, lrs, where="mid", color="#59a14f")
lr_axes.set_ylabel("learning rate")
lr_axes.set_ylim(0, 0.055)
loss_axes.plot(epochs, train_losses, "-o", markersize=3, label="training loss")
loss_axes.plot(epochs, val_losses, "-o", markersize=3, label="validation loss")
loss_axes.axhline(noise_loss, color="black", linewidth=0.8, linestyle="--")
loss_axes.annotate(
    "the true curve sin(x) on the validation set",
    (1, noise_loss),
    textcoords="offset points",
    xytext=(0, -12),
    fontsize="small",
)
for axes in (lr_axes, loss_axes):
    axes.axvline(best_epoch, color="gray", linewidth=0.8, linestyle=":")
loss_axes.annotate(
    f"best epoch ({best_epoch})",
    (best_epoch, 0.3),
    textcoords="offset points",
    xytext=(-4, 0),
    ha="right",
    fontsize="small",
)
loss_axes.set_ylim(0.08, 0.32)
loss_axes.set_xlabel("epoch")
loss_axes.set_ylabel("loss (mean squared error)")
loss_axes.legend(frameon=False)
plt.show()
# --8<-- [end:plot]

# What the figure shows, for readers who cannot see it, and its caption: the
# site draws the figure with them (tools/figures.py in the site's repository).
description = (
    f"Two panels over the {len(history)} epochs the loop ran. Top: the learning "
    "rate, a staircase that starts at 0.05 and halves every 10 epochs. Bottom: "
    "the training and validation losses per epoch, with a dashed line at the "
    "true curve's loss on the validation set. Both losses fall quickly in the "
    "first ten epochs (the first validation loss lies above the panel). Then the "
    "training loss creeps down to just below the dashed line, while the "
    "validation loss levels off above it. A dotted line marks the best epoch, "
    f"{best_epoch}; the loop stopped {patience} epochs later."
)
caption = (
    "The loop's learning rate (StepLR) and its losses per epoch, up to the early stop."
)
