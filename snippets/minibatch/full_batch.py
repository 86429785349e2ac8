import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# Training data: four points on the line y = 2x, as in Part 3.
X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)

# A Dataset pairs each input with its target; a DataLoader cuts it into batches.
dataset = TensorDataset(X, y)
generator = torch.Generator().manual_seed(0)  # the shuffle order is seeded
loader = DataLoader(dataset, batch_size=len(dataset), shuffle=True, generator=generator)

w = torch.tensor(0.0, requires_grad=True)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD([w], lr=0.01)

n_epochs = 50
n_steps = 0
history = []  # per epoch: (w after its step, loss before it), as in Part 3
for epoch in range(1, n_epochs + 1):
    for x_batch, y_batch in loader:  # one epoch: every sample, once
        loss = loss_fn(w * x_batch, y_batch)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        n_steps += 1
        if epoch == 1:
            print(f"epoch 1 sees the batch x = {x_batch.tolist()}")
    history.append((w.item(), loss.item()))
    if epoch <= 3 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}: w = {w.item():.3f}, loss = {loss.item():.8f}")

print(f"batch size {loader.batch_size}: {len(loader)} step per epoch")
print(f"{n_epochs} epochs = {n_steps} steps")
