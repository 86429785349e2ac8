import numpy as np

X = np.array([1, 2, 3, 4], dtype=np.float32)


def gradient(x, y, y_pred):
    return 2 * np.dot(x, y_pred - y) / len(x)  # (2/n) X^T (wX - y)


def train(y, learning_rate, threshold, max_epochs):
    w = 0.0
    stopped_by = "the epoch cap"  # unless the threshold stops the loop first
    for epoch in range(1, max_epochs + 1):
        y_pred = w * X
        loss = np.mean((y_pred - y) ** 2)
        w = w - learning_rate * gradient(X, y, y_pred)
        if loss < threshold:  # good enough: stop early
            stopped_by = "the threshold"
            break
    return epoch, stopped_by, loss, w


threshold = 0.001  # the original notebook's test: if loss < 0.001: break
runs = [  # (targets, their formula, learning rate, epoch cap)
    (2 * X, "2x", 0.01, 30),
    (2 * X, "2x", 0.01, 1000),
    (2 * X + 1, "2x + 1", 0.01, 1000),
    (2 * X, "2x", 0.14, 100),
]
print(f"stop when loss < {threshold}, or at the epoch cap")
print("y        lr     cap   epochs   stopped by      last loss   w")
for y, formula, learning_rate, max_epochs in runs:
    epoch, stopped_by, loss, w = train(y, learning_rate, threshold, max_epochs)
    print(
        f"{formula:6}   {learning_rate:4}   {max_epochs:4}   {epoch:6}   "
        f"{stopped_by:13}   {loss:9.3g}   {w:.3g}"
    )
