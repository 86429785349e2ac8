import copy

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset, random_split

# The data: 200 noisy samples of y = sin(x), x in [-3, 3].
data_generator = torch.Generator().manual_seed(0)
X = torch.rand(200, 1, generator=data_generator) * 6 - 3
y = torch.sin(X) + 0.3 * torch.randn(200, 1, generator=data_generator)
dataset = TensorDataset(X, y)

# 150 samples to train on, 50 held out to validate on, split by a seeded generator.
train_set, val_set = random_split(
    dataset, [150, 50], generator=torch.Generator().manual_seed(0)
)
loader_generator = torch.Generator().manual_seed(0)  # the shuffle order
train_loader = DataLoader(
    train_set, batch_size=25, shuffle=True, generator=loader_generator
)
val_loader = DataLoader(val_set, batch_size=50)  # the order does not matter

torch.manual_seed(0)  # the initial parameters
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)


def train_one_epoch():
    """One pass over the training set; the mean loss of its batches."""
    model.train()
    total = 0.0
    for x_batch, y_batch in train_loader:
        loss = loss_fn(model(x_batch), y_batch)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x_batch)
    return total / len(train_set)


def evaluate():
    """The mean loss on the validation set, parameters unchanged."""
    model.eval()
    total = 0.0
    with torch.inference_mode():
        for x_batch, y_batch in val_loader:
            total += loss_fn(model(x_batch), y_batch).item() * len(x_batch)
    return total / len(val_set)


max_epochs, patience = 100, 10  # the budget, and how long to wait for progress
best_val, best_epoch, best_state = float("inf"), 0, None
history = []  # per epoch: (learning rate, training loss, validation loss)
for epoch in range(1, max_epochs + 1):
    lr = scheduler.get_last_lr()[0]
    train_loss = train_one_epoch()
    val_loss = evaluate()
    scheduler.step()  # once per epoch, after the epoch's steps
    history.append((lr, train_loss, val_loss))
    if val_loss < best_val:
        best_val, best_epoch = val_loss, epoch
        best_state = copy.deepcopy(model.state_dict())  # a copy: see below
    if epoch <= 3 or epoch % 10 == 0 or epoch - best_epoch >= patience:
        print(
            f"epoch {epoch:3d}: lr = {lr:.4f}, train loss = {train_loss:.4f}, "
            f"validation loss = {val_loss:.4f}"
        )
    if epoch - best_epoch >= patience:
        print(f"no improvement for {patience} epochs: stop")
        break
else:
    print(f"budget of {max_epochs} epochs spent: stop")

model.load_state_dict(best_state)  # back to the best epoch's parameters
print(f"best epoch: {best_epoch}, validation loss {best_val:.4f}")
print(f"validation loss after restoring it: {evaluate():.4f}")
