import torch
from torch import nn


class LinearRegression(nn.Module):
    def __init__(self, input_dim, output_dim):
        super().__init__()  # sets up the machinery that tracks parameters
        self.linear = nn.Linear(input_dim, output_dim)

    def forward(self, x):
        return self.linear(x)


torch.manual_seed(0)
model = LinearRegression(1, 1)
for name, parameter in model.named_parameters():
    print(f"{name}: {parameter.item():.3f}")

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(50):
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()

print(f"after 50 epochs: loss = {loss.item():.8f}")
with torch.inference_mode():  # a prediction to look at: no graph needed
    print(f"prediction for x = 5: {model(torch.tensor([[5.0]])).item():.3f}")
