"""Part 4: nn.Linear, the custom module, the bias-free model, conditioning."""

import itertools
import math
import re

import numpy as np
import pytest
from matplotlib.path import Path as MplPath

from snippet import ROOT, ran, run


def test_linear_is_seeded_and_reproducible():
    assert run("torch_model/linear.py")[1] == run("torch_model/linear.py")[1]


def test_training_improves_the_prediction_for_five():
    namespace, output = ran("torch_model/linear.py")
    before = float(output.split("before training: ")[1].split()[0])
    after = namespace["model"](namespace["X_test"]).item()
    assert abs(after - 10) < abs(before - 10) / 5
    assert namespace["X"].shape == (4, 1)


def test_custom_module_trains_like_nn_linear():
    linear = ran("torch_model/linear.py")[0]["model"]
    custom = run("torch_model/custom_module.py")[0]["model"]
    assert custom.linear.weight.item() == linear.weight.item()
    assert custom.linear.bias.item() == linear.bias.item()
    assert len(list(custom.parameters())) == 2
    # "with the same initial values": the two programs print the same start
    linear_output, custom_output = (
        ran("torch_model/linear.py")[1],
        run("torch_model/custom_module.py")[1],
    )
    start = re.search(r"start:  w = (\S+), b = (\S+)\n", linear_output).groups()
    assert f"linear.weight: {start[0]}\nlinear.bias: {start[1]}\n" in custom_output


def test_no_bias_reproduces_part3_digit_for_digit():
    part3, part3_output = ran("loss_and_optimizer/train.py")
    no_bias, no_bias_output = ran("torch_model/no_bias.py")
    assert no_bias_output == part3_output
    # The same float32 operations in the same order; atol for losses near 0.
    np.testing.assert_allclose(
        no_bias["history"], part3["history"], rtol=1e-6, atol=1e-7
    )
    assert no_bias["model"].bias is None


def test_the_bias_costs_thousands_of_epochs_against_a_few_dozen():
    namespace, output = ran("torch_model/slow_bias.py")
    without_bias, with_bias = namespace["without_bias"], namespace["with_bias"]
    assert 20 <= without_bias < 100 and with_bias > 1000
    # Without the bias it is Part 1's run: the same count as the learning-rate
    # page's float64 loop at 0.01.
    regimes = ran("learning_rate/regimes.py")[0]
    assert without_bias == regimes["epochs_to_converge"](0.01)
    assert f"bias=False): {without_bias:5d}" in output
    assert f"nn.Linear(1, 1):             {with_bias:5d}" in output


def test_the_valley_is_tilted_because_every_x_is_positive():
    """Raising w while lowering b changes the predictions very little."""
    X = np.array([1.0, 2.0, 3.0, 4.0])
    w_up = 0.1 * X  # the change of the predictions when w rises by 0.1
    trade = 0.1 * X - 0.1 * X.mean()  # ... and b falls by 0.1 * mean(x)
    assert (X > 0).all()
    assert np.mean(trade**2) < 0.2 * np.mean(w_up**2)


def test_predictions_for_display_are_made_in_inference_mode():
    for path in ["torch_model/linear.py", "torch_model/custom_module.py"]:
        lines = (ROOT / "snippets" / path).read_text(encoding="utf-8").splitlines()
        shown = [k for k, line in enumerate(lines) if "prediction for x = 5" in line]
        assert shown, path
        for k in shown:
            assert lines[k - 1].startswith("with torch.inference_mode():"), (path, k)


def test_inference_mode_records_no_graph_and_its_results_stay_out_of_graphs():
    namespace = ran("torch_model/linear.py")[0]
    torch, model, X_test = namespace["torch"], namespace["model"], namespace["X_test"]
    with torch.inference_mode():
        prediction = model(X_test)
    assert prediction.grad_fn is None and not prediction.requires_grad
    assert prediction.is_inference()
    with torch.no_grad():
        looked_at = model(X_test)
    assert looked_at.grad_fn is None and not looked_at.is_inference()
    assert torch.equal(prediction, looked_at)  # the same numbers
    # "can never be used in a graph later": autograd refuses to save it.
    with pytest.raises(RuntimeError, match="(?i)inference tensor"):
        (model.weight * prediction).sum().backward()
    # The model's parameters are untouched by it and still train.
    assert model.weight.requires_grad and not model.weight.is_inference()


def test_layers_start_from_values_set_with_nn_init():
    """torch_model.md: nn.init sets a parameter without recording it (that the
    site sets every layer's starting values that way: test_idioms.py)."""
    namespace = ran("torch_model/no_bias.py")[0]
    torch, nn = namespace["torch"], namespace["nn"]
    layer = nn.Linear(1, 1, bias=False)
    nn.init.zeros_(layer.weight)
    assert layer.weight.item() == 0 and layer.weight.grad_fn is None
    assert layer.weight.is_leaf and layer.weight.requires_grad
    assert isinstance(layer.weight, torch.nn.Parameter)


# --- the contour plot: equal scales, the gradient as an arrow ----------------------

H = (
    2 / 4 * np.array([[30.0, 10.0], [10.0, 4.0]])
)  # (2/n) [[sum x^2, sum x], [sum x, n]]
MINIMUM = np.array([2.0, 0.0])  # y = 2x exactly: the loss is 0 there


def gradient(point) -> np.ndarray:
    """The loss is quadratic with its minimum at (2, 0): grad L = H (point - min)."""
    return H @ (np.asarray(point, dtype=float) - MINIMUM)


def loss_at(point) -> float:
    """L = (1/n) sum (w x + b - y)^2 = (1/2) (point - min)^T H (point - min)."""
    offset = np.asarray(point, dtype=float) - MINIMUM
    return 0.5 * offset @ H @ offset


def on_screen(ax, vectors) -> np.ndarray:
    """Vectors in (w, b) units as the figure draws them, in display units."""
    ax.apply_aspect()
    return np.asarray(vectors) @ ax.transData.get_matrix()[:2, :2].T


def unit(vectors) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=float)
    return vectors / np.linalg.norm(vectors, axis=-1, keepdims=True)


def ellipse_axes(points) -> tuple[np.ndarray, np.ndarray]:
    """The long and the short axis (unit vectors) of the ellipse centred at 0
    that passes closest to the points: a x^2 + b xy + c y^2 = 1 by least
    squares (the labels' gaps in the drawn line do not matter)."""
    x, y = np.asarray(points).T
    a, b, c = np.linalg.lstsq(np.column_stack([x * x, x * y, y * y]), np.ones(len(x)))[
        0
    ]
    _, vectors = np.linalg.eigh(np.array([[a, b / 2], [b / 2, c]]))
    return vectors[:, 0], vectors[:, 1]  # the smaller coefficient: the longer axis


def test_the_contour_plot_draws_w_and_b_on_the_same_scale():
    namespace = ran("torch_model/loss_contours.py")[0]
    ax = namespace["ax"]
    assert ax.get_aspect() == 1.0  # set_aspect("equal")
    along_w, along_b = on_screen(ax, [[1, 0], [0, 1]])
    assert along_w[1] == 0 and along_b[0] == 0
    assert along_w[0] == pytest.approx(along_b[1], rel=1e-9)  # pixels per unit
    (w0, w1), (b0, b1) = ax.get_xlim(), ax.get_ylim()
    assert w1 - w0 == b1 - b0  # a square of (w, b): as wide as a phone allows
    assert w0 < 0 < 2 < w1 and b0 < 0 < 1 < b1  # the start, the path, the minimum
    # The same function gives the gradient in the snippet and here.
    for point in namespace["points"]:
        assert namespace["gradient"](*point) == pytest.approx(gradient(point))


def test_the_arrows_are_minus_the_gradient_at_their_points():
    namespace = ran("torch_model/loss_contours.py")[0]
    arrows = namespace["arrows"]
    assert arrows in namespace["ax"].collections
    # Drawn in the axes' own units: from (w, b) to (w + U, b + V).
    assert (arrows.angles, arrows.scale_units, arrows.scale) == ("xy", "xy", 1)
    tails = np.column_stack([arrows.X, arrows.Y])
    assert len(tails) == 9 and (tails == namespace["points"]).all()
    drawn = np.column_stack([arrows.U, arrows.V])
    downhill = -np.array([gradient(p) for p in tails]) / 40
    assert namespace["scale"] == 1 / 40 and "1/40" in namespace["caption"]
    assert drawn == pytest.approx(downhill, rel=1e-9, abs=1e-12)
    # Each arrow points downhill: the loss falls along a short step on it.
    for tail, arrow in zip(tails, drawn, strict=True):
        assert loss_at(tail + 1e-3 * arrow) < loss_at(tail)
    # Long on the steep walls, almost nothing on the valley's floor.
    lengths = np.linalg.norm(drawn, axis=1)
    assert lengths.min() < lengths.max() / 5


def drawn_lines(path):
    """The pieces of one level's drawn contour (each starts with a MOVETO)."""
    starts = [*np.flatnonzero(path.codes == MplPath.MOVETO), len(path.codes)]
    for start, end in itertools.pairwise(starts):
        yield path.vertices[start:end]


def test_every_drawn_contour_point_lies_on_its_level():
    namespace = ran("torch_model/loss_contours.py")[0]
    contours = namespace["contours"]
    assert list(contours.levels) == namespace["levels"]
    for level, path in zip(contours.levels, contours.get_paths(), strict=True):
        loss = [loss_at(vertex) for vertex in path.vertices]
        assert loss == pytest.approx([level] * len(loss), rel=0.02), level
        assert len(loss) > 100  # a 141 x 141 grid: well resolved


def test_on_screen_the_arrows_cross_the_drawn_contours_at_right_angles():
    namespace = ran("torch_model/loss_contours.py")[0]
    ax, arrows = namespace["ax"], namespace["arrows"]
    cosines = []
    for path in namespace["contours"].get_paths():
        for line in drawn_lines(path):
            pieces = np.diff(line, axis=0)  # each straight piece of the drawn line
            keep = np.linalg.norm(pieces, axis=1) > 1e-9
            middles = ((line[1:] + line[:-1]) / 2)[keep]
            along = unit(on_screen(ax, pieces[keep]))
            uphill = unit(on_screen(ax, [gradient(p) for p in middles]))
            cosines += list(np.abs(np.sum(along * uphill, axis=1)))
    cosines = np.array(cosines)
    assert len(cosines) > 1000
    # Straight pieces between points of a grid: at right angles to the gradient
    # to within a degree at most points; a few more only at the sharp ends of
    # the small ellipses, which straight pieces cut short.
    assert np.median(cosines) < math.sin(math.radians(0.5))
    assert np.percentile(cosines, 90) < math.sin(math.radians(2))
    assert cosines.max() < math.sin(math.radians(10))
    # Each arrow lies along -grad L on the screen too, so it crosses the line
    # through its tail at the same right angle.
    drawn = on_screen(ax, np.column_stack([arrows.U, arrows.V]))
    tails = np.column_stack([arrows.X, arrows.Y])
    across = on_screen(ax, [[-g[1], g[0]] for g in map(gradient, tails)])
    assert np.abs(np.sum(unit(drawn) * unit(across), axis=1)).max() < 1e-9


def test_on_screen_the_ellipses_axes_are_the_eigenvectors():
    """learning_rate.md: "These two directions are the axes of the ellipses"."""
    namespace = ran("torch_model/loss_contours.py")[0]
    ax, contours = namespace["ax"], namespace["contours"]
    _, vectors = np.linalg.eigh(H)
    slow, steep = vectors[:, 0], vectors[:, 1]
    level = list(contours.levels).index(0.1)  # a whole ellipse inside the plot
    points = on_screen(ax, contours.get_paths()[level].vertices - MINIMUM)
    long_axis, short_axis = ellipse_axes(points)
    for axis, vector in [(long_axis, slow), (short_axis, steep)]:
        assert abs(axis @ unit(on_screen(ax, vector))) > math.cos(math.radians(1))
    # On screen the long axis leans about 19 degrees from the vertical, as the
    # figure's text alternative says: the slow eigenvector's own angle.
    screen = unit(on_screen(ax, slow))
    tilt = math.degrees(math.atan2(abs(screen[0]), abs(screen[1])))
    assert tilt == pytest.approx(math.degrees(math.atan2(abs(slow[0]), abs(slow[1]))))
    assert (
        round(tilt) == 19
        and "about 19 degrees from the vertical" in (namespace["description"])
    )
    assert slow[0] * slow[1] < 0  # "leaning left as it rises"


def test_the_page_says_the_gradient_points_uphill_at_right_angles():
    text = (ROOT / "docs" / "torch_model.md").read_text(encoding="utf-8")
    section = text[text.index("### The gradient is an arrow") :]
    assert "the gradient crosses the contour lines at right angles" in section
    assert "the gradient points **uphill**" in section
    assert "$-\\nabla L$, downhill" in section
    # The step is eta |grad L|; the arrows are drawn shorter, as the page says.
    namespace = ran("torch_model/loss_contours.py")[0]
    assert namespace["scale"] == 1 / 40
    assert "draws each arrow at\n$\\frac{1}{40}$ of that length" in section


def test_the_page_s_learning_rate_is_not_enough_for_2000_epochs_with_a_bias():
    """The line-with-intercept exercise: "A learning rate ten times the page's is
    what makes 2000 epochs enough": at the page's lr=0.01 the same 2000 epochs
    leave w and b off in the printed fourth decimal (0.1's run prints 2.0000 and
    1.0000, tested in test_exercises.py)."""
    namespace = run("torch_model/exercise_line_with_intercept.py")[0]
    torch, nn, X, y = (
        namespace["torch"],
        namespace["nn"],
        namespace["X"],
        namespace["y"],
    )
    torch.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(2000):
        nn.MSELoss()(model(X), y).backward()
        optimizer.step()
        optimizer.zero_grad()
    w, b = model.weight.item(), model.bias.item()
    assert (f"{w:.4f}", f"{b:.4f}") != ("2.0000", "1.0000")
    assert abs(w - 2) > 1e-4 and abs(b - 1) > 1e-4
