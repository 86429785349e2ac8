import math

import torch
from torch import nn

X = torch.linspace(-math.pi, math.pi, 64).unsqueeze(1)
y = torch.sin(X)

# The best cubic (least squares: the trained one, to the printed digits).
A = torch.cat([X**0, X, X**2, X**3], dim=1).double()
cubic = torch.linalg.lstsq(A, y.double()).solution.squeeze(1)

# The network, trained as on the page.
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
for epoch in range(1, 301):
    y_pred = model(X)  # 1. prediction
    loss = loss_fn(y_pred, y)  # 2. loss
    loss.backward()  # 3. gradients
    optimizer.step()  # 4. update
    optimizer.zero_grad()

# Inputs outside the training range [-pi, pi]: pi itself, then beyond it.
new = torch.tensor([[1.0], [1.25], [1.5], [2.0], [3.0], [10.0]]) * math.pi
with torch.no_grad():
    network = model(new).squeeze(1)
print("    x      sin x       cubic   network")
for k, x in enumerate(new.squeeze(1).tolist()):
    sine = round(math.sin(x), 4) + 0.0  # + 0.0: print -0.0000 as 0.0000
    c = sum(a * x**p for p, a in enumerate(cubic.tolist()))
    print(f"{x:5.2f}   {sine:8.4f}  {c:10.4f}  {network[k].item():8.4f}")
