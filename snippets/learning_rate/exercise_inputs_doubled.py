import numpy as np

# Four points twice as far out, still on the line y = 2x.
X = np.array([2.0, 4.0, 6.0, 8.0])
y = 2 * X
n = len(X)

curvature = 2 / n * np.sum(X**2)  # c = (2/n) sum x^2
print(f"c = {curvature:.0f}, one step: 1/c = {1 / curvature:.4f}, ", end="")
print(f"limit: 2/c = {2 / curvature:.4f}")


def train(learning_rate, n_epochs):
    """Part 1's loop in float64, from w = 0; w after every epoch."""
    w = 0.0
    ws = []
    for epoch in range(n_epochs):
        y_pred = w * X
        gradient = 2 * np.dot(X, y_pred - y) / n
        w = w - learning_rate * gradient
        ws.append(float(w))
    return ws


for learning_rate in [0.01, 0.05]:
    factor = 1 - learning_rate * curvature
    ws = train(learning_rate, 5)
    print(f"lr = {learning_rate}: factor 1 - c lr = {factor:5.2f}, ", end="")
    print("w = " + ", ".join(f"{w:.4f}" for w in ws))
