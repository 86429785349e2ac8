import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
learning_rate = 0.01

# Broken: the whole loop body inside no_grad(), to make the update work.
w = torch.tensor(0.0, requires_grad=True)
with torch.no_grad():
    loss = ((w * X - y) ** 2).mean()
    print(f"broken: loss.requires_grad = {loss.requires_grad}, ", end="")
    print(f"loss.grad_fn = {loss.grad_fn}")
    try:
        loss.backward()
    except RuntimeError as error:
        print(f"broken: RuntimeError: {error}")

# Fixed: only the update goes inside no_grad().
w = torch.tensor(0.0, requires_grad=True)
for epoch in range(1, 4):
    loss = ((w * X - y) ** 2).mean()  # recorded: autograd needs this graph
    loss.backward()
    with torch.no_grad():
        w -= learning_rate * w.grad  # not recorded
    w.grad.zero_()
    print(f"fixed: epoch {epoch}: w = {w.item():.3f}, loss = {loss.item():.3f}")
