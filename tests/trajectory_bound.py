"""How far apart two float32 runs of the same gradient descent may end up.

Parts 1 to 4 run the same loop, w <- w - lr (2/n) X^T (wX - y), in float32, but
NumPy and PyTorch compute each sum in their own order and with their own
roundings. This module bounds the gap that this alone can open between two
runs, from the standard error bounds of float32 arithmetic (unit roundoff
u = 2^-24; a sum of k rounded terms is off by at most gamma_k times the sum of
their sizes, gamma_k = k u / (1 - k u)). The pages claim "equal up to float32
rounding"; the tests assert it with these bounds, so the claim holds on any CPU.
"""

from __future__ import annotations

import numpy as np

U = 2.0**-24  # float32's unit roundoff: a rounded result is off by at most u |x|


def gamma(k: int) -> float:
    return k * U / (1 - k * U)


def trajectory_gaps(X, y, learning_rate: float, history) -> list[tuple[float, float]]:
    """Per epoch, bounds on |w - w'| and |loss - loss'| between two float32 runs.

    `history` is one run's (w after the update, loss before it) per epoch, from
    w0 = 0. Each run's update may round the gradient, the product with the
    learning rate (itself rounded to float32) and the subtraction differently;
    two runs that start an epoch apart by d are (1 - lr c) d apart after it in
    exact arithmetic, since the gradient is linear in w with slope c.
    """
    X = np.asarray(X, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(X)
    c = 2 / n * X @ X
    factor = abs(1 - learning_rate * c)
    w, gap_w, gaps = 0.0, 0.0, []
    for w_next, _ in history:
        size = (abs(w) + gap_w) * np.abs(X) + np.abs(y)  # |w x_i| + |y_i|, at most
        residual = w * X - y
        # The loss of this epoch, computed from w (before the update).
        loss_rounding = np.mean((2 * np.abs(residual) + 3 * U * size) * 3 * U * size)
        loss_rounding += gamma(n + 1) * np.mean((np.abs(residual) + 3 * U * size) ** 2)
        slope = abs(2 / n * X @ residual)
        gap_loss = slope * gap_w + c / 2 * gap_w**2 + 2 * loss_rounding
        # The update: gradient, times the rounded learning rate, subtracted.
        gradient = abs(2 / n * X @ residual) + c * gap_w
        gradient_rounding = gamma(n + 3) * 2 / n * (np.abs(X) @ size)
        step = learning_rate * (gradient + gradient_rounding)
        update_rounding = (
            learning_rate * gradient_rounding
            + 2 * U * step  # the learning rate in float32, and the product
            + U * (abs(w) + gap_w + step)  # the subtraction
        )
        gap_w = factor * gap_w + 2 * update_rounding
        gaps.append((gap_w, gap_loss))
        w = w_next
    return gaps
