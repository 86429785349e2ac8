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


# Broken: the optimizer is built, then the model is built again (in a notebook:
# re-running only the cell that builds the model, or running cells out of
# order). The optimizer updates the first model.
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

# The same bug with a plain tensor: the optimizer must be given w itself.
w = torch.tensor(0.0, requires_grad=True)
try:
    torch.optim.SGD([w.clone()], lr=0.01)  # computed from w: not a leaf
except ValueError as error:
    print(f"SGD([w.clone()]): ValueError: {error}")
detached = {  # leaves, but not w
    "w.detach()": w.detach(),  # w's own memory, without its gradient
    "w.clone().detach()": w.clone().detach(),  # a copy
    "torch.tensor(w.item())": torch.tensor(w.item()),  # a copy
}
for name, other in detached.items():
    wrong_optimizer = torch.optim.SGD([other], lr=0.01)
    for epoch in range(5):
        loss = loss_fn(w * X, y)
        loss.backward()  # the gradient goes into w.grad; other.grad stays None
        wrong_optimizer.step()  # updates only tensors that have a gradient: none
        wrong_optimizer.zero_grad()
    print(f"SGD([{name}]): no error, w after 5 epochs = {w.item():.3f}")

# w.detach() is not a copy: writing into it writes into w.
v = torch.tensor(0.0, requires_grad=True)
v.detach().add_(1)
print(f"v = 0, then v.detach().add_(1): v = {v.item():.1f}")
