import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, requires_grad=True)
learning_rate = 0.01


def true_gradient(w):
    return 2 * torch.dot(X, w * X - y) / len(X)  # (2/n) X^T (wX - y)


# Two epochs of Part 2's loop, without w.grad.zero_().
grads_by_hand = []
for epoch in range(1, 3):
    grads_by_hand.append(true_gradient(w.detach()).item())
    loss = ((w * X - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= learning_rate * w.grad
    print(f"epoch {epoch}: true gradient {grads_by_hand[-1]:.3f}, ", end="")
    print(f"w.grad {w.grad.item():.3f}, w = {w.item():.3f}")

print(f"sum of the two true gradients: {sum(grads_by_hand):.3f}")
