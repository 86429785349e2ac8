import warnings

import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
learning_rate = 0.01


def describe(w):
    return f"is_leaf={w.is_leaf}, requires_grad={w.requires_grad}"


def train(update, n_epochs=3):
    w = torch.tensor(0.0, requires_grad=True)
    for epoch in range(1, n_epochs + 1):
        loss = ((w * X - y) ** 2).mean()
        try:
            loss.backward()
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                grad = w.grad  # a non-leaf tensor's .grad is None, with a warning
            for warning in caught:
                print(f"  UserWarning: {str(warning.message).split('. ')[0]}.")
            w = update(w, grad)
        except (RuntimeError, TypeError) as error:
            print(f"  epoch {epoch}: {type(error).__name__}: {error}")
            return
        print(f"  epoch {epoch}: w = {w.item():.3f}, {describe(w)}")


def outside_no_grad(w, grad):
    return w - learning_rate * grad  # a new tensor, computed from w: recorded


def inside_no_grad(w, grad):
    with torch.no_grad():
        return w - learning_rate * grad  # a new tensor, with no history at all


def in_place(w, grad):
    with torch.no_grad():
        w -= learning_rate * grad  # the same tensor, changed in place
    w.grad.zero_()
    return w


print("w = w - lr * w.grad, outside no_grad():")
train(outside_no_grad)
print("w = w - lr * w.grad, inside no_grad():")
train(inside_no_grad)
print("fixed: w -= lr * w.grad, inside no_grad():")
train(in_place)
