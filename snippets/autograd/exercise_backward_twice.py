import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, requires_grad=True)

loss = ((w * X - y) ** 2).mean()
loss.backward()
print(f"after one backward():  w.grad = {w.grad.item():.3f}")
try:
    loss.backward()  # the graph was freed by the first call
except RuntimeError as error:
    print(f"second backward(): RuntimeError: {str(error).split('.')[0]}.")

# Keep the graph, and the second call adds the same gradient again.
w.grad = None
loss = ((w * X - y) ** 2).mean()
loss.backward(retain_graph=True)
loss.backward()
print(f"with retain_graph=True: w.grad = {w.grad.item():.3f}")
