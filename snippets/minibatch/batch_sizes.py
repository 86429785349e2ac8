import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
dataset = TensorDataset(X, y)
loss_fn = nn.MSELoss()

# Each sample's gradient is a noisy estimate of the full-batch gradient:
# at w = 0 they differ wildly, but their mean is exactly the full gradient.
w = torch.tensor(0.0, requires_grad=True)
per_sample = []
for x_i, y_i in dataset:
    loss_fn(w * x_i, y_i).backward()
    per_sample.append(w.grad.item())
    w.grad = None
loss_fn(w * X, y).backward()
print(f"gradients of single samples at w = 0: {per_sample}")
print(f"their mean: {sum(per_sample) / len(per_sample):.3f}")
print(f"full-batch gradient at w = 0: {w.grad.item():.3f}")


def train(batch_size, n_epochs, lr=0.01):
    """Mini-batch gradient descent; returns the loss and w after every step."""
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(
        dataset, batch_size=batch_size, shuffle=True, generator=generator
    )
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    batch_losses, ws = [], []
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(w * x_batch, y_batch)  # the loss of this batch only
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            batch_losses.append(loss.item())
            ws.append(w.item())
    return len(loader), batch_losses, ws


n_epochs = 20
results = {}
print()
print(f"after {n_epochs} epochs (lr = 0.01):")
print("batch size  steps/epoch  steps  w         loss on all data")
for batch_size in [4, 2, 1]:
    steps_per_epoch, batch_losses, ws = train(batch_size, n_epochs)
    results[batch_size] = (steps_per_epoch, batch_losses, ws)
    full_loss = loss_fn(ws[-1] * X, y).item()
    print(
        f"{batch_size:10d}  {steps_per_epoch:11d}  {len(ws):5d}  {ws[-1]:.6f}  "
        f"{full_loss:.2e}"
    )

print()
print("batch size 1, first epoch: the loss of each one-sample batch")
steps_per_epoch, batch_losses, ws = results[1]
for step in range(steps_per_epoch):
    print(
        f"step {step + 1}: batch loss = {batch_losses[step]:8.4f}, w = {ws[step]:.4f}"
    )
