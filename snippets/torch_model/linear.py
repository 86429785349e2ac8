import torch
from torch import nn

torch.manual_seed(0)  # nn.Linear starts from random values: fix them

# Training data shaped (n_samples, n_features): 4 samples of 1 feature.
X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n_samples, n_features = X.shape
print(f"X.shape = {tuple(X.shape)}, y.shape = {tuple(y.shape)}")

# 1. Design the model: y_hat = w x + b, with w and b inside nn.Linear.
model = nn.Linear(in_features=n_features, out_features=1)
X_test = torch.tensor([[5.0]])
print(f"start:  w = {model.weight.item():.3f}, b = {model.bias.item():.3f}")
with torch.inference_mode():  # a prediction to look at: no graph needed
    print(f"prediction for x = 5 before training: {model(X_test).item():.3f}")

# 2. Construct the loss and the optimizer.
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

# 3. The training loop: forward, backward, step.
n_epochs = 50
for epoch in range(1, n_epochs + 1):
    y_pred = model(X)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradients of w and b
    optimizer.step()  # 4. update
    optimizer.zero_grad()
    if epoch <= 3 or epoch % 10 == 0:
        w, b = model.weight.item(), model.bias.item()
        print(f"epoch {epoch:2d}: w = {w:.3f}, b = {b:.3f}, loss = {loss.item():.8f}")

with torch.inference_mode():
    print(f"prediction for x = 5 after training:  {model(X_test).item():.3f}")
