"""Beyond the straight line: the cubic's features and their conditioning, the
network, autograd's gradients, the figure and the exercises, each number the
page quotes recomputed here."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from snippet import CHAPTERS, ROOT, ran, run
from tools.chapter import Prose

PAGE = (ROOT / "docs" / "nonlinear.md").read_text(encoding="utf-8")
N = 64


def grid() -> np.ndarray:
    """The page's 64 points, float32 as the snippets make them, in float64."""
    return ran("nonlinear/features.py")[0]["X"].squeeze(1).double().numpy()


def hessian(columns: list[np.ndarray]) -> np.ndarray:
    """(2/n) A^T A for A = [1, columns], written here independently."""
    A = np.stack([np.ones(N), *columns], axis=1)
    return 2 / N * A.T @ A


def numbers(line: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+\.\d+(?:e[-+]\d+)?", line)]


def printed_spectrum(output: str, H: np.ndarray, which: int) -> np.ndarray:
    """H's eigenvalues, checked against the program's `which`-th line of
    eigenvalues and its condition number and limit 2 / l_max (in `output`)."""
    eigenvalues = np.linalg.eigvalsh(H)
    printed = [numbers(line) for line in output.splitlines() if "eigenvalues" in line]
    assert printed[which] == pytest.approx(eigenvalues, abs=1e-3)
    low, high = eigenvalues[0], eigenvalues[-1]
    assert f"l_max / l_min = {high / low:.1f}" in output
    assert f"2 / l_max = {2 / high:.4f}" in output
    return eigenvalues


def prose() -> str:
    """The page's prose, without its code and outputs (the chapter model)."""
    chapter = next(c for c in CHAPTERS if c.src_uri == "nonlinear.md")
    return "".join(p.text for p in chapter.parts if isinstance(p, Prose))


# --- the data and the features -------------------------------------------------------


def test_the_grid_is_fixed_symmetric_and_its_targets_are_sines():
    namespace = ran("nonlinear/features.py")[0]
    x = grid()
    assert namespace["X"].shape == (N, 1) and namespace["y"].shape == (N, 1)
    assert x[0] == pytest.approx(-math.pi) and x[-1] == pytest.approx(math.pi)
    # Symmetric about 0 (float32 rounding apart): what makes the even terms vanish.
    assert np.abs(x + x[::-1]).max() < 1e-6
    assert namespace["y"].squeeze(1).double().numpy() == pytest.approx(
        np.sin(x), abs=1e-6
    )


def test_the_features_sizes_and_curvatures():
    namespace, output = ran("nonlinear/features.py")
    x = grid()
    raw = [x, x**2, x**3]
    H = hessian(raw)
    rows = re.findall(r"^(x\^?\d?) +(\S+) +(\S+)$", output, re.M)
    assert [r[0] for r in rows] == ["x", "x^2", "x^3"] * 2
    for (_, size, curvature), f, c in zip(rows[:3], raw, H.diagonal()[1:], strict=True):
        assert float(size) == pytest.approx(np.abs(f).max(), abs=0.006)
        assert float(curvature) == pytest.approx(c, abs=1e-3)
    # The sizes are pi, pi^2, pi^3; the curvature of the bias is 2.
    assert [float(r[1]) for r in rows[:3]] == pytest.approx(
        [math.pi, math.pi**2, math.pi**3], abs=0.006
    )
    assert "1 (bias)              1.00                        2.000" in output
    assert namespace["hessian"](namespace["raw"]).numpy() == pytest.approx(H, rel=1e-5)


def test_the_raw_features_make_a_badly_conditioned_bowl():
    output = ran("nonlinear/features.py")[1]
    x = grid()
    H = hessian([x, x**2, x**3])
    eigenvalues = printed_spectrum(output, H, 0)
    low, high = eigenvalues[0], eigenvalues[-1]
    # The steepest direction is a little steeper than x^3's weight alone (the
    # largest eigenvalue is at least the largest diagonal entry).
    assert H[3, 3] < high < 1.05 * H[3, 3]
    assert high / low > 300


def test_standardising_makes_every_curvature_2_with_the_population_std():
    namespace, output = ran("nonlinear/features.py")
    x = grid()
    raw = [x, x**2, x**3]
    population = [(f - f.mean()) / f.std() for f in raw]  # NumPy's std: ddof=0
    H = hessian(population)
    assert H.diagonal() == pytest.approx([2, 2, 2, 2], abs=1e-12)
    assert namespace["hessian"](namespace["standardised"]).diagonal().numpy() == (
        pytest.approx([2, 2, 2, 2], abs=1e-5)
    )
    # torch.std's default divides by n - 1: each curvature is 2 (n - 1) / n.
    sample = [(f - f.mean()) / f.std(ddof=1) for f in raw]
    assert hessian(sample).diagonal()[1:] == pytest.approx([2 * (N - 1) / N] * 3)
    assert f"would be {', '.join([f'{2 * (N - 1) / N:.3f}'] * 3)}" in output
    eigenvalues = printed_spectrum(output, H, 1)
    low, high = eigenvalues[0], eigenvalues[-1]
    raw_eigenvalues = np.linalg.eigvalsh(hessian(raw))
    assert raw_eigenvalues[-1] / raw_eigenvalues[0] > 10 * high / low
    assert (2 / high) / (2 / raw_eigenvalues[-1]) > 50


def test_x_and_x3_stay_correlated_and_make_the_flat_direction():
    namespace, output = ran("nonlinear/features.py")
    x = grid()
    s = [(f - f.mean()) / f.std() for f in (x, x**2, x**3)]
    rho = np.mean(s[0] * s[2])
    assert f"correlation of x and x^3: {rho:.3f}" in output
    assert namespace["correlation"] == pytest.approx(rho, abs=1e-5)
    H = hessian(s)
    eigenvalues, vectors = np.linalg.eigh(H)
    assert eigenvalues == pytest.approx(
        sorted([2 * (1 - rho), 2, 2, 2 * (1 + rho)]), abs=1e-9
    )
    # The flat direction: x's weight up, x^3's down (or the reverse).
    flat = vectors[:, 0] * np.sign(vectors[1, 0])
    assert flat == pytest.approx([0, 2**-0.5, 0, -(2**-0.5)], abs=1e-6)
    # The bias and x^2 are unrelated to the others on this symmetric grid.
    for k in (0, 2):
        others = np.delete(H[k], k)
        assert np.abs(others).max() < 1e-6, k


# --- training the cubic --------------------------------------------------------------


def best_cubic() -> tuple[np.ndarray, float]:
    x = grid()
    A = np.stack([np.ones(N), x, x**2, x**3], axis=1)
    y = ran("nonlinear/features.py")[0]["y"].squeeze(1).double().numpy()
    coefficients = np.linalg.lstsq(A, y, rcond=None)[0]
    return coefficients, float(np.mean((A @ coefficients - y) ** 2))


def test_each_run_uses_half_its_largest_stable_rate():
    namespace, output = ran("nonlinear/polynomial.py")
    x = grid()
    raw = [x, x**2, x**3]
    standardised = [(f - f.mean()) / f.std() for f in raw]
    for name, columns in [("as they are", raw), ("standardised", standardised)]:
        low, *_, high = np.linalg.eigvalsh(hessian(columns))
        lr, model, losses = namespace["runs"][name]
        assert lr == pytest.approx(1 / high, rel=1e-6)
        slow = 1 - lr * low
        row = re.search(rf"^{name} +(\S+) +(\S+) +(\S+)$", output, re.M)
        assert float(row[1]) == pytest.approx(lr, abs=5e-5)
        assert float(row[2]) == pytest.approx(slow, abs=5e-6)
        assert float(row[3]) == pytest.approx(slow**300, rel=0.05)
        assert len(losses) == 300


def test_the_loss_an_epoch_logs_is_measured_before_its_update():
    namespace, output = ran("nonlinear/polynomial.py")
    torch = namespace["torch"]
    features = namespace["standardised"]
    torch.manual_seed(0)
    start = torch.nn.Linear(3, 1)  # the seeded start of every run
    with torch.no_grad():
        loss = torch.nn.functional.mse_loss(start(features), namespace["y"])
    assert namespace["runs"]["standardised"][2][0] == loss.item()
    assert "loss in epoch " in output and "loss after" not in output
    assert "loss an epoch logs is measured before its update" in " ".join(
        prose().split()
    )


def test_after_300_epochs_only_the_standardised_run_is_the_best_cubic():
    namespace, output = ran("nonlinear/polynomial.py")
    coefficients, best_loss = best_cubic()
    assert namespace["best_loss"] == pytest.approx(best_loss, rel=1e-6)
    assert f"the best cubic (least squares): {best_loss:.5f}" in output
    raw = namespace["runs"]["as they are"][2]
    standardised = namespace["runs"]["standardised"][2]
    assert raw[-1] > 10 * best_loss  # "still far from the best cubic's"
    assert standardised[-1] == pytest.approx(best_loss, rel=1e-4)
    for name, losses in [("as they are", raw), ("standardised", standardised)]:
        row = re.search(rf"^{name} +(.+)$", output.split("loss in epoch")[1], re.M)
        assert numbers(row[1]) == pytest.approx(
            [losses[k - 1] for k in (1, 10, 100, 300)], abs=5e-6
        )
    # The trained cubic, in x's units, is the best one to the printed digits;
    # its constant and x^2 term are 0 (an odd function on a symmetric grid).
    trained = [namespace["b"], *namespace["w"].tolist()]
    assert trained == pytest.approx(coefficients, abs=5e-5)
    assert coefficients[[0, 2]] == pytest.approx([0, 0], abs=1e-9)
    assert "trained    0.0000   0.8496   0.0000  -0.0917" in output
    assert "best       0.0000   0.8496   0.0000  -0.0917" in output
    assert coefficients[[1, 3]].round(4).tolist() == [0.8496, -0.0917]


def loop_lines(path: str) -> list[str]:
    """The training loop's statements: from `for epoch` to zero_grad(), each
    without its comment, the model's input named X."""
    text = (ROOT / "snippets" / path).read_text(encoding="utf-8")
    body = text[text.index("    for epoch") if "    for epoch" in text else 0 :]
    body = body[body.index("for epoch") :]
    lines = [line.split("#")[0].strip() for line in body.splitlines()]
    lines = lines[1 : lines.index("optimizer.zero_grad()") + 1]
    return [line.replace("(features)", "(X)") for line in lines]


def test_the_loop_is_part_4s_line_for_line():
    part4 = loop_lines("torch_model/linear.py")
    assert part4 == [
        "y_pred = model(X)",
        "loss = loss_fn(y_pred, y)",
        "loss.backward()",
        "optimizer.step()",
        "optimizer.zero_grad()",
    ]
    for path in [
        "nonlinear/polynomial.py",
        "nonlinear/network.py",
        "nonlinear/exercise_without_tanh.py",
        "nonlinear/exercise_beyond_the_data.py",
    ]:
        assert loop_lines(path) == part4, path
    assert loop_lines("nonlinear/exercise_raw_at_standardised_rate.py") == [
        line.replace("(X)", "(raw)") for line in part4
    ]


# --- the network ---------------------------------------------------------------------


def test_the_network_has_49_parameters_and_beats_the_best_cubic():
    namespace, output = ran("nonlinear/network.py")
    torch = namespace["torch"]
    model = namespace["model"]
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear"]
    assert namespace["n_parameters"] == 1 * 16 + 16 + 16 * 1 + 1 == 49
    assert "49 parameters" in output
    assert isinstance(namespace["optimizer"], torch.optim.Adam)
    assert namespace["optimizer"].param_groups[0]["lr"] == 0.02
    losses = namespace["losses"]
    for epoch in (1, 10, 100, 200, 300):
        assert f"epoch {epoch:3d}: loss = {losses[epoch - 1]:.6f}" in output
    _, best_loss = best_cubic()
    assert losses[-1] < best_loss / 10  # "well below the best cubic's"
    with torch.no_grad():
        error = (model(namespace["X"]) - namespace["y"]).abs().max().item()
    assert error == namespace["largest_error"] < 0.05
    assert f"on the 64 points: {error:.4f}" in output


def test_the_network_is_seeded():
    assert run("nonlinear/network.py")[1] == ran("nonlinear/network.py")[1]


def test_autograd_agrees_with_central_differences():
    namespace, output = ran("nonlinear/gradient_check.py")
    torch = namespace["torch"]
    model = namespace["model"]
    # The network of the training run, at its seeded start (and put back as it
    # was after every difference).
    torch.manual_seed(0)
    start = torch.nn.Sequential(
        torch.nn.Linear(1, 16), torch.nn.Tanh(), torch.nn.Linear(16, 1)
    )
    for mine, theirs in zip(model.parameters(), start.parameters(), strict=True):
        assert torch.equal(mine.detach(), theirs.detach().double())
    rows = re.findall(r"^(\d\.\w+) +\(([\d, ]+)\) +(\S+) +(\S+)$", output, re.M)
    names = [name for name, _ in model.named_parameters()]
    assert [r[0] for r in rows] == names == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for (name, _, largest, difference), parameter in zip(
        rows, model.parameters(), strict=True
    ):
        grad = parameter.grad
        assert float(largest) == pytest.approx(grad.abs().max().item(), abs=5e-7)
        # What is left is rounding: each loss is computed to a few eps * L
        # (float64, L the loss), and dividing the difference of two by 2h
        # makes that about eps * L / h (the truncation error, h^2 / 6 times a
        # third derivative, is far smaller at h = 1e-6). 10 eps * L / h bounds
        # it and is far below a wrong derivative.
        bound = 10 * np.finfo(np.float64).eps * namespace["loss"].item() / 1e-6
        assert float(difference) < bound, name
        assert float(difference) < 1e-6 * float(largest), "tiny next to the gradient"
    # Gradients of very different sizes: what Adam's per-parameter steps suit.
    sizes = [float(r[2]) for r in rows]
    assert max(sizes) > 5 * min(sizes)


# --- the figure ----------------------------------------------------------------------


def test_the_figure_draws_the_page_s_runs():
    namespace = ran("nonlinear/fits_plot.py")[0]
    torch = namespace["torch"]
    cubic, network = namespace["cubic_fits"], namespace["network_fits"]
    assert list(cubic) == [0, 2, 5, 300] and list(network) == [0, 20, 50, 100, 300]
    polynomial = ran("nonlinear/polynomial.py")[0]
    model = polynomial["runs"]["standardised"][1]
    with torch.no_grad():
        expected = model(polynomial["standardised"]).squeeze(1).tolist()
    assert cubic[300] == pytest.approx(expected, abs=1e-6)
    trained = ran("nonlinear/network.py")[0]
    with torch.no_grad():
        expected = trained["model"](trained["X"]).squeeze(1).tolist()
    assert network[300] == pytest.approx(expected, abs=1e-6)
    assert namespace["lam_max"] == pytest.approx(
        1 / polynomial["runs"]["standardised"][0], rel=1e-12
    )


def test_the_figure_as_the_page_and_its_description_tell_it():
    namespace = ran("nonlinear/fits_plot.py")[0]
    cubic, network = namespace["cubic_fits"], namespace["network_fits"]
    sine = np.sin(grid())
    # The cubic: a random curve, high on the left and low on the right; rising
    # from left to right within a few epochs; at the end it misses the sine
    # most at the two ends.
    assert cubic[0][0] > 1 and cubic[0][-1] < -0.5
    assert cubic[2][-1] > cubic[2][0] and cubic[5][-1] > cubic[5][0]
    error = np.abs(np.array(cubic[300]) - sine)
    assert int(np.argmax(error)) in (0, N - 1)
    # The network: a curve that only rises; by epoch 20 it bends back towards 0
    # at both ends (its highest and lowest points inside, not at the ends); at
    # the end it lies on the points.
    assert all(b > a for a, b in zip(network[0], network[0][1:], strict=False))
    at_20 = np.array(network[20])
    assert 0 < np.argmax(at_20) < N - 1 and 0 < np.argmin(at_20) < N - 1
    assert at_20[-1] < at_20.max() - 0.1 and at_20[0] > at_20.min() + 0.1
    assert at_20[-1] > 0 and at_20[0] < 0  # back towards 0, not past it
    assert np.abs(np.array(network[300]) - sine).max() < 0.05
    for phrase in ("epochs 0, 2, 5 and 300", "epochs 0, 20, 50, 100 and 300"):
        assert phrase in namespace["description"]


# --- the page's numbers --------------------------------------------------------------


def test_every_decimal_number_in_the_prose_was_printed():
    outputs = "\n".join(
        ran(f"nonlinear/{name}.py")[1]
        for name in ("features", "polynomial", "network", "gradient_check")
    )
    text = prose()
    text = text[: text.index("\n## Exercises\n")]
    quoted = re.findall(r"(?<![\w.])\d+\.\d+(?:e-\d+)?", text)
    assert len(quoted) > 20
    for number in quoted:
        assert re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", outputs), number


# --- the exercises -------------------------------------------------------------------


def test_exercise_raw_features_at_the_standardised_rate_diverge():
    namespace, output = run("nonlinear/exercise_raw_at_standardised_rate.py")
    x = grid()
    high = np.linalg.eigvalsh(hessian([x, x**2, x**3]))[-1]
    assert namespace["lam_max"] == pytest.approx(high)
    assert namespace["lr"] > 2 / high
    # About 1 / l_max of the standardised features, as the question says.
    standardised = ran("nonlinear/polynomial.py")[0]["runs"]["standardised"][0]
    assert namespace["lr"] == pytest.approx(standardised, abs=0.005)
    factor = 1 - namespace["lr"] * high
    assert f"1 - lr * l_max = {factor:.1f}" in output and factor < -1
    losses = namespace["losses"]
    first_inf = next(k for k, loss in enumerate(losses, start=1) if loss == math.inf)
    assert first_inf <= 12  # "within a dozen epochs"
    assert all(math.isfinite(loss) for loss in losses[: first_inf - 1])
    # The loss grows by about the factor squared every epoch.
    ratios = [
        b / a
        for a, b in zip(
            losses[1 : first_inf - 1], losses[2 : first_inf - 1], strict=False
        )
    ]
    assert ratios and ratios == pytest.approx([factor**2] * len(ratios), rel=0.05)


def test_exercise_without_tanh_is_the_best_line():
    namespace, output = run("nonlinear/exercise_without_tanh.py")
    x = grid()
    y = np.sin(x)
    A = np.stack([x, np.ones(N)], axis=1)
    slope, intercept = np.linalg.lstsq(A, y, rcond=None)[0]
    line_loss = np.mean((A @ [slope, intercept] - y) ** 2)
    assert (namespace["slope"], namespace["intercept"]) == pytest.approx(
        (slope, intercept), abs=5e-5
    )
    assert namespace["loss"].item() == pytest.approx(line_loss, rel=1e-4)
    assert namespace["best_loss"] == pytest.approx(line_loss, rel=1e-4)
    cubic_loss = best_cubic()[1]
    assert namespace["cubic_loss"] == pytest.approx(cubic_loss, rel=1e-6)
    assert line_loss > 10 * cubic_loss  # "far above the best cubic's"
    assert f"the best cubic's: {cubic_loss:.5f}" in output
    assert f"epoch 300: loss = {namespace['loss'].item():.5f}" in output
    rows = re.findall(r"y_hat = (\S+) x \+ (\S+)", output)
    assert rows[0] == rows[1]


def test_exercise_beyond_the_data():
    namespace, output = run("nonlinear/exercise_beyond_the_data.py")
    torch = namespace["torch"]
    rows = [numbers(line) for line in output.splitlines()[1:]]
    xs = [math.pi * k for k in (1, 1.25, 1.5, 2, 3, 10)]
    assert [r[0] for r in rows] == pytest.approx(xs, abs=5e-3)
    sine, cubic, network = (np.array([r[k] for r in rows]) for k in (1, 2, 3))
    assert sine == pytest.approx(np.sin(xs), abs=1e-4)
    # float32 powers in the snippet, float64 here: equal to float32 rounding.
    assert namespace["cubic"].numpy() == pytest.approx(best_cubic()[0], abs=1e-7)
    # At pi both are near the sine, the cubic less so.
    assert abs(network[0]) < 0.05 and 0.05 < abs(cubic[0]) < 0.2
    # Beyond it the cubic falls without bound...
    assert all(b < a for a, b in zip(cubic, cubic[1:], strict=False))
    assert cubic[-1] < -1000
    # ... and the network changes more and more slowly, levelling off below -1.
    slopes = np.abs(np.diff(network) / np.diff(xs))
    assert all(b < a for a, b in zip(slopes, slopes[1:], strict=False))
    assert (network[3:] < -1).all()
    model = namespace["model"]
    with torch.no_grad():
        weights = model[0].weight.squeeze(1)
        limit = (
            model[2].bias + model[2].weight.squeeze(0) @ torch.sign(weights)
        ).item()
    assert limit < -1 and network[-1] == pytest.approx(limit, abs=1e-3)
