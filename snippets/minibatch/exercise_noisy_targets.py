import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# The four inputs, with targets off the line by a little noise.
X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
noise = torch.tensor([0.3, -0.2, 0.1, -0.4])
y = 2 * X + noise
dataset = TensorDataset(X, y)
loss_fn = nn.MSELoss()
w_star = (X @ y / (X @ X)).item()  # the least-squares answer, X^T y / X^T X
print(f"best w for these targets: w* = {w_star:.6f}")
print("each sample's own best w:  ", [round(v, 4) for v in (y / X).tolist()])


def train(batch_size, n_epochs=300, lr=0.01):
    """Mini-batch gradient descent from w = 0; w after every step."""
    generator = torch.Generator().manual_seed(0)
    loader = DataLoader(
        dataset, batch_size=batch_size, shuffle=True, generator=generator
    )
    w = torch.tensor(0.0, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr)
    ws = []
    for epoch in range(n_epochs):
        for x_batch, y_batch in loader:
            loss = loss_fn(w * x_batch, y_batch)
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            ws.append(w.item())
    return ws


last_epochs = {}
for batch_size, lr in [(4, 0.01), (1, 0.01), (1, 0.001)]:
    ws = train(batch_size, lr=lr)
    last_epochs[batch_size, lr] = ws[-(4 // batch_size) :]  # the steps of epoch 300
    print(f"batch size {batch_size}, lr = {lr:5}, epoch 300, w after each step:")
    print("  " + ", ".join(f"{w:.6f}" for w in last_epochs[batch_size, lr]))
