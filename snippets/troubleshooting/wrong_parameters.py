import torch
from torch import nn

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
loss_fn = nn.MSELoss()


def train(model, optimizer, n_epochs=5):
    losses = []
    for epoch in range(n_epochs):
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


# Broken: the optimizer is built, then the model is built again (a notebook
# cell run twice does exactly this). The optimizer updates the first model.
torch.manual_seed(0)
model = nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
model = nn.Linear(1, 1)
trained = optimizer.param_groups[0]["params"]
print(
    f"broken: optimizer holds model.weight? {any(p is model.weight for p in trained)}"
)
losses_broken = train(model, optimizer)

# Fixed: build the optimizer from the model that is trained, after it.
torch.manual_seed(0)
model = nn.Linear(1, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
trained = optimizer.param_groups[0]["params"]
print(
    f"fixed:  optimizer holds model.weight? {any(p is model.weight for p in trained)}"
)
losses_fixed = train(model, optimizer)

print("epoch   loss (broken)   loss (fixed)")
for epoch in range(5):
    print(
        f"{epoch + 1:5d}   {losses_broken[epoch]:13.4f}   {losses_fixed[epoch]:12.4f}"
    )
