import torch
from torch import nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
loss_fn = nn.MSELoss()

for name in ("SGD", "Adam"):
    w = torch.tensor(0.0, requires_grad=True)
    if name == "SGD":
        optimizer = torch.optim.SGD([w], lr=0.01)
    else:
        optimizer = torch.optim.Adam([w], lr=0.01)  # the only line that changes
    ws, gradients = [], []
    for epoch in range(50):
        loss = loss_fn(w * X, y)
        loss.backward()
        gradients.append(w.grad.item())
        optimizer.step()
        optimizer.zero_grad()
        ws.append(w.item())
    print(
        f"{name:4}: w after epochs 1, 2, 3: {ws[0]:.3f}, {ws[1]:.3f}, {ws[2]:.3f}",
        end="",
    )
    print(f"; after 50: {ws[-1]:.3f}")

# Adam's first and last step (from w = 0), and the gradients it took them with.
print(f"Adam's step:  epoch 1: {ws[0]:.4f}, epoch 50: {ws[-1] - ws[-2]:.4f}")
print(f"its gradient: epoch 1: {gradients[0]:.1f}, epoch 50: {gradients[-1]:.1f}")
