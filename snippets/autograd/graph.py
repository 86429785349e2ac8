import torch

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, requires_grad=True)

# The forward pass, one operation per line. Autograd records each one.
y_pred = w * X  # mul
error = y_pred - y  # sub
squared = error**2  # pow
loss = squared.mean()  # mean


def draw(node, indent=""):
    """Print a node of the graph, then the nodes it sends gradients to."""
    if node is None:
        print(f"{indent}None: an input that needs no gradient (X or y)")
    elif type(node).__name__ == "AccumulateGrad":
        print(f"{indent}AccumulateGrad: adds the gradient into w.grad")
    else:
        print(f"{indent}{type(node).__name__}")
        for child, _ in node.next_functions:
            draw(child, indent + "  ")


print("The graph, from loss.grad_fn back to w:")
draw(loss.grad_fn)
print()
print("tensor   is_leaf   requires_grad")
for name, tensor in [("w", w), ("X", X), ("y_pred", y_pred), ("loss", loss)]:
    print(f"{name:6}   {tensor.is_leaf!s:7}   {tensor.requires_grad}")
print()

# The chain rule, with numbers: the local derivative of each operation at w = 0.
n = len(X)
d_mean = torch.full((n,), 1 / n)  # d loss / d squared_i = 1/n
d_pow = 2 * error.detach()  # d squared_i / d error_i = 2 error_i
d_sub = torch.ones(n)  # d error_i / d y_pred_i = 1
d_mul = X  # d y_pred_i / d w = x_i
print(f"d_mean = {d_mean.tolist()}")
print(f"d_pow  = {d_pow.tolist()}")
print(f"d_sub  = {d_sub.tolist()}")
print(f"d_mul  = {d_mul.tolist()}")
by_hand = (d_mean * d_pow * d_sub * d_mul).sum()  # multiply, then add over i
loss.backward()
print(f"sum of the products: {by_hand.item():.1f}, w.grad: {w.grad.item():.1f}")
