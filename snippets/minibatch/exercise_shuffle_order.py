import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
dataset = TensorDataset(X, y)
loss_fn = nn.MSELoss()


def train(seed, n_epochs=5, lr=0.01):
    """Batch size 1, shuffled by a generator seeded with seed: the order of
    the samples in the first epoch, w after every step, w after every epoch."""
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(dataset, batch_size=1, shuffle=True, generator=generator)
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    order, steps, epochs = [], [], []
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(w * x_batch, y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            if epoch == 0:
                order.append(x_batch.item())
            steps.append(w.item())
        epochs.append(w.item())
    return order, steps, epochs


for seed in [0, 1]:
    order, steps, epochs = train(seed)
    print(f"seed {seed}: first epoch's order x = {order}")
    print("  w after each step of epoch 1:", ", ".join(f"{w:.6f}" for w in steps[:4]))
    print("  w after each epoch:          ", ", ".join(f"{w:.6f}" for w in epochs))

# One sample's step multiplies the error w - 2 by 1 - 2 lr x^2 (its curvature is
# 2 x^2); an epoch applies the four factors once each, in some order.
factors = [1 - 2 * 0.01 * x**2 for x in X.tolist()]
product = factors[0] * factors[1] * factors[2] * factors[3]
print(f"factors per sample: {[round(f, 2) for f in factors]}, per epoch: {product:.6f}")
