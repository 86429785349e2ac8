import torch
from torch import nn

# Pick the device once; everything below is written against `device`: the
# accelerator this PyTorch was built for (an NVIDIA GPU, "cuda", an Apple GPU,
# "mps", ...) if one is there, else the CPU.
if torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator().type
else:
    device = "cpu"
print(f"device: {device}")

# Data: created on the CPU, moved to the device once, before training.
X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32).to(device)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32).to(device)

# Model: created (and seeded) on the CPU, so its starting values are the same
# on every machine, then moved to the device once.
torch.manual_seed(0)
model = nn.Linear(1, 1).to(device)
print(f"data on {X.device}, parameters on {model.weight.device}")

loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
for epoch in range(200):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

# .item() copies one number back to the CPU, wherever the tensor lives.
w, b = model.weight.item(), model.bias.item()
print(f"after 200 epochs: w = {w:.6f}, b = {b:.6f}, loss = {loss.item():.6e}")
