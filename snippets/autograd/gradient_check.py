import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)


def mse(w):
    return ((w * X - y) ** 2).mean()


def manual_gradient(w):
    # (2/n) X^T (wX - y), the formula derived on the maths page
    return 2 * torch.dot(X, w * X - y) / len(X)


def autograd_gradient(w):
    w = torch.tensor(w, requires_grad=True)
    mse(w).backward()
    return w.grad


def finite_difference(w, h=1e-2):
    # Central difference: exact for a quadratic, up to float32 rounding.
    return (mse(torch.tensor(w + h)) - mse(torch.tensor(w - h))) / (2 * h)


print("     w     manual   autograd   finite difference")
for w in [0.0, 0.5, 1.0, 2.0, 3.0]:
    m = manual_gradient(torch.tensor(w))
    a = autograd_gradient(w)
    f = finite_difference(w)
    print(f"{w:6.2f}   {m.item():8.4f}   {a.item():8.4f}   {f.item():17.4f}")
