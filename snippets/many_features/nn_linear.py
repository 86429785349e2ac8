import torch
from torch import nn

# A synthetic data set whose answer we know (as on the page).
generator = torch.Generator().manual_seed(0)
n, d = 200, 3
w_true = torch.tensor([2.0, -3.4, 1.0])
b_true = 4.2
spread = torch.tensor([1.0, 5.0, 0.5])
centre = torch.tensor([0.0, 3.0, 0.0])
X = torch.randn(n, d, generator=generator) * spread + centre
noise = 0.1 * torch.randn(n, generator=generator)
y = X @ w_true + b_true + noise

# The same model as a layer: nn.Linear(d, 1) holds w (shape (1, d)) and b.
model = nn.Linear(d, 1)
nn.init.zeros_(model.weight)  # start from zero, like the program above
nn.init.zeros_(model.bias)
loss_fn = nn.MSELoss()
Y = y.unsqueeze(1)  # targets shaped (n_samples, 1), like the model's output

# Autograd's gradient at the start equals the vector formula (2/n) X^T (Xw + b - y).
loss_fn(model(X), Y).backward()
error = X @ model.weight.detach().squeeze(0) + model.bias.detach() - y
print(f"autograd: {[round(v, 4) for v in model.weight.grad.squeeze(0).tolist()]}")
print(f"formula:  {[round(v, 4) for v in (2 / n * X.T @ error).tolist()]}")
model.zero_grad()

optimizer = torch.optim.SGD(model.parameters(), lr=0.02)
for epoch in range(1000):
    loss = loss_fn(model(X), Y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

w, b = model.weight.detach().squeeze(0), model.bias.item()
print(f"after 1000 epochs: loss = {loss.item():.6f}")
print(f"learned: w = {[round(v, 3) for v in w.tolist()]}, b = {b:.3f}")
