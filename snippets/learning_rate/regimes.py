import numpy as np

# The data of every chapter, in float64: Python's own floats, and JavaScript's.
X = np.array([1.0, 2.0, 3.0, 4.0])
y = np.array([2.0, 4.0, 6.0, 8.0])
n = len(X)

# The curvature of the loss in w: L''(w) = (2/n) sum x^2, the same for every w.
curvature = 2 / n * np.sum(X**2)
w_star = np.dot(X, y) / np.dot(X, X)  # the minimum, X^T y / X^T X
one_step = 1 / curvature  # the learning rate that lands on w_star at once
limit = 2 / curvature  # above this, every step overshoots by more than it gains
print(f"curvature (2/n) sum x^2 = {curvature:.1f}, minimum w* = {w_star:.1f}")
print(f"one step:  learning rate 1 / {curvature:.0f} = {one_step:.6f}")
print(f"limit:     learning rate 2 / {curvature:.0f} = {limit:.6f}")
print()


def train(learning_rate, n_epochs):
    """Part 1's loop from w = 0; returns (w after, loss before) for every epoch.

    Stops early at the first epoch whose loss overflows (is not finite).
    """
    w = 0.0
    history = []
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is checked below
        for epoch in range(1, n_epochs + 1):
            y_pred = w * X
            loss = np.mean((y_pred - y) ** 2)
            if not np.isfinite(loss):
                break
            w = w - learning_rate * 2 * np.dot(X, y_pred - y) / n
            history.append((float(w), float(loss)))
    return history


def epochs_to_converge(learning_rate, tolerance=1e-3, max_epochs=10_000):
    """The first epoch after which |w - w*| < tolerance, or None."""
    for epoch, (w, _) in enumerate(train(learning_rate, max_epochs), start=1):
        if abs(w - w_star) < tolerance:
            return epoch
    return None


def verdict(learning_rate):
    """The regime, in words, from the factor 1 - curvature * learning rate."""
    factor = 1 - curvature * learning_rate
    if factor == 0:
        return "one step"
    if factor <= -1:
        return "diverges" if factor < -1 else "oscillates forever"
    if factor < 0:
        return "oscillates, converges"
    needed = epochs_to_converge(learning_rate)
    if needed is None or needed > 100:  # more than 100 epochs to get within 0.001
        return "crawls"
    return "converges"


rates = [0.001, 0.01, one_step, 0.1, 0.14]
print(
    f"     lr   1 - {curvature:.0f} lr      w1      w2      w3   epochs to within 0.001"
)
for learning_rate in rates:
    factor = 1 - curvature * learning_rate
    w1, w2, w3 = (w for w, _ in train(learning_rate, 3))
    needed = epochs_to_converge(learning_rate)
    result = f"{needed:5d}" if needed else "never"
    print(
        f"{learning_rate:7.4f}   {factor:9.4f}   {w1:6.3f}  {w2:6.3f}  {w3:6.3f}"
        f"   {result}  ({verdict(learning_rate)})"
    )
print()

# Each epoch multiplies the error w - 2 by the same factor: measure it.
print(f"     lr   measured (w10 - w*) / (w9 - w*)   predicted 1 - {curvature:.0f} lr")
for learning_rate in [0.01, 0.1, 0.14]:
    history = train(learning_rate, 10)
    measured = (history[9][0] - w_star) / (history[8][0] - w_star)
    predicted = 1 - curvature * learning_rate
    print(f"{learning_rate:7.4f}   {measured:31.6f}   {predicted:19.6f}")
