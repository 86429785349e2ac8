import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
loss_fn = nn.MSELoss()


def train(batches, n_epochs=50):
    """w after each epoch of SGD at lr = 0.01 from w = 0; every epoch goes
    through `batches` (a list, or a DataLoader) once."""
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=0.01)
    ws = []
    for epoch in range(n_epochs):
        for x_batch, y_batch in batches:
            loss_fn(w * x_batch, y_batch).backward()
            optimizer.step()
            optimizer.zero_grad()
        ws.append(w.item())
    return ws


def float32_steps(a, b):
    """How many float32 numbers apart a and b are (0: the same number)."""
    bits = np.array([a, b], dtype=np.float32).view(np.int32).astype(np.int64)
    return abs(int(bits[0] - bits[1]))


# Part 3: all four points in their own order, at every epoch.
part3 = train([(X, y)])

# One batch of all four points, shuffled by a generator seeded with 0 to 9.
print("seed   epochs whose w differs from Part 3's   largest difference")
trajectories = {}  # seed -> w after each epoch
differences = {}  # seed -> per epoch, how many float32 steps from Part 3's w
for seed in range(10):
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(
        TensorDataset(X, y), batch_size=len(X), shuffle=True, generator=generator
    )
    trajectories[seed] = train(loader)
    differences[seed] = [
        float32_steps(a, b) for a, b in zip(trajectories[seed], part3, strict=True)
    ]
    differing = sum(steps > 0 for steps in differences[seed])
    print(f"{seed:4d}   {differing:36d}   {max(differences[seed])} float32 steps")
print()

# Why: the gradient is a sum of four float32 terms, added in the batch's order.
w = torch.tensor(part3[1], requires_grad=True)  # Part 3's w after epoch 2
print(f"at w = {w.item():.7f}, the gradient of the batch")
for order in ([0, 1, 2, 3], [0, 1, 3, 2]):
    loss_fn(w * X[order], y[order]).backward()
    print(f"  x = {X[order].tolist()}: {w.grad.item():.6f}")
    w.grad = None
