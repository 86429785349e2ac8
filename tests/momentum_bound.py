"""How far apart two float64 runs of the same SGD with momentum may end up.

The optimizers page's explorer (docs/javascripts/valley_explorer.js) and
snippets/optimizers/valley_paths.py run the same update on Part 4's loss,

    g = (2/n) A^T (A theta - y),  v <- mu v + g,  theta <- theta - lr v,

with A = [x 1], from the same start, with the same lr, momentum and data (the
same float64 values, bit for bit), but in their own order of operations
(PyTorch's nn.Linear may fuse a multiply and an add; its sums have their own
order). This module bounds the gap that this alone can open between the two,
from the standard error bounds of float64 arithmetic (unit roundoff u = 2^-53;
a value computed with k roundings from terms of total size S is off by at most
gamma_k S, gamma_k = k u / (1 - k u)). The tests assert that the explorer
agrees with PyTorch within these bounds, and that the step counts and verdicts
the page prints keep clear of them.

The update is affine in the state s = (w, b, v_w, v_b): in exact arithmetic
s' = M s + c. A run that rounds computes s' = M s + c + e, with |e| <= rho
(each component), rho from the sizes of the numbers of that step. Two runs
that start at the same state are then d_k = sum_j M^(k-1-j) (e_j - e'_j)
apart after k steps, at most sum_j |M^(k-1-j)| (2 rho_j) in each component.
(rho is taken from one run's numbers, which the other's match to far below
their size: a factor 1.01 covers the difference.)
"""

from __future__ import annotations

import numpy as np

U = 2.0**-53  # float64's unit roundoff


def gamma(k: int) -> float:
    return k * U / (1 - k * U)


def hessian(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    n = len(x)
    return 2 / n * np.array([[x @ x, x.sum()], [x.sum(), n]])


def gaps(x, y, lr: float, momentum: float, path) -> np.ndarray:
    """Per step k of `path` ((w, b) before each step, from the start), bounds on
    |w - w'|, |b - b'| and |loss - loss'| between two float64 runs: an array of
    shape (len(path), 3)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    n = len(x)
    theta = np.asarray(path, dtype=np.float64)
    steps = len(theta)
    H = hessian(x)
    eye = np.eye(2)
    M = np.block([[eye - lr * H, -lr * momentum * eye], [H, momentum * eye]])

    # Each step's numbers, from the state it starts at.
    size = np.abs(theta[:, :1] * x) + np.abs(theta[:, 1:]) + np.abs(y)  # m_i
    residual = theta[:, :1] * x + theta[:, 1:] - y
    gradient = 2 / n * np.stack([residual @ x, residual.sum(axis=1)], axis=1)
    # The gradient: residuals (3 roundings), products, a sum of n terms.
    both = size + np.abs(residual)
    gradient_error = gamma(n + 4) * 2 / n * np.stack([both @ np.abs(x), both.sum(1)], 1)
    # The velocity before each step: v_k = (theta_(k-1) - theta_k) / lr.
    velocity = np.zeros_like(theta)
    velocity[1:] = np.abs(theta[:-1] - theta[1:]) / lr
    # v' = mu v + g (2 roundings), theta' = theta - lr v' (2 roundings).
    new_velocity = momentum * velocity + np.abs(gradient)
    velocity_error = gradient_error + gamma(2) * (new_velocity + gradient_error)
    theta_error = lr * velocity_error + gamma(2) * (
        np.abs(theta) + lr * (new_velocity + velocity_error)
    )
    rho = 2 * 1.01 * np.concatenate([theta_error, velocity_error], axis=1)

    # |M^m|, and the sums of |M^(k-1-j)| rho_j as convolutions.
    powers = np.empty((max(steps - 1, 1), 4, 4))
    power = np.eye(4)
    for m in range(len(powers)):
        powers[m] = np.abs(power)
        power = M @ power
    gap = np.zeros((steps, 4))
    for a in range(4):
        for b in range(4):
            gap[1:, a] += np.convolve(powers[:, a, b], rho[:-1, b])[: steps - 1]

    # The loss: each run's rounding at its own state, and the gap between the
    # states (the loss is quadratic: gradient times gap, plus the curvature's).
    shift = gamma(3) * size
    loss_rounding = np.mean((2 * np.abs(residual) + shift) * shift, axis=1)
    loss_rounding += gamma(n + 1) * np.mean((np.abs(residual) + shift) ** 2, axis=1)
    largest = np.linalg.eigvalsh(H)[-1]
    distance = np.hypot(gap[:, 0], gap[:, 1])
    loss_gap = (
        np.abs(gradient[:, 0]) * gap[:, 0]
        + np.abs(gradient[:, 1]) * gap[:, 1]
        + largest / 2 * distance**2
        + 2 * loss_rounding
    )
    return np.column_stack([gap[:, 0], gap[:, 1], loss_gap])


def turn_margins(path, gap) -> list[tuple[float, float]]:
    """For each two consecutive steps of path: their dot product (below 0: the
    path turns back) and a bound on how much another run's may differ."""
    theta = np.asarray(path, dtype=np.float64)
    step = np.diff(theta, axis=0)
    step_gap = gap[1:, :2] + gap[:-1, :2]  # |step - step'|, each component
    found = []
    for k in range(len(step) - 1):
        s, t = step[k], step[k + 1]
        ds, dt = step_gap[k], step_gap[k + 1]
        bound = np.abs(s) @ dt + np.abs(t) @ ds + ds @ dt
        found.append((float(s @ t), float(bound)))
    return found
