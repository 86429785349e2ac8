"""The exercises' solutions: each answer is what its solution's text says."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from snippet import (
    EXERCISE_CHAPTERS,
    ROOT,
    exercise_problems,
    exercises_of,
    printed_in_build,
    ran,
    run,
)
from tools import chapter as chapter_model

X = np.array([1.0, 2.0, 3.0, 4.0])
CHAPTERS = [c.src_uri.removesuffix(".md") for c in EXERCISE_CHAPTERS]


def true_gradient(w: float, X=X, y=None) -> float:
    """(2/n) X^T (wX - y) in float64, written independently of the snippets."""
    y = 2 * X if y is None else y
    return 2 / len(X) * X @ (w * X - y)


# --- the pages ---------------------------------------------------------------


def exercises(chapter: str) -> list:
    model = next(c for c in EXERCISE_CHAPTERS if c.src_uri == f"{chapter}.md")
    return exercises_of(model)


@pytest.mark.parametrize("chapter", EXERCISE_CHAPTERS, ids=lambda c: c.stem)
def test_every_chapter_with_code_ends_with_exercises_or_says_it_has_none(chapter):
    assert exercise_problems(chapter) == []


def made_up(tmp_path: Path, page: str) -> chapter_model.Chapter:
    (tmp_path / "snippets/made_up").mkdir(parents=True)
    for name in ("train", "exercise_one", "exercise_two"):
        (tmp_path / f"snippets/made_up/{name}.py").write_text(f"print('{name}')\n")
    config = {"markdown_extensions": [{"pymdownx.snippets": {"base_path": ["."]}}]}
    expander = chapter_model.Expander.for_project(config, tmp_path)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/made_up.md").write_text(page, encoding="utf-8")
    chapter = chapter_model.parse(page, "made_up.md", expander)
    return chapter


SOLUTION = (
    '??? success "Solution"\n\n    ```python exec="on" source="above" '
    'result="text" id="{id}"\n    --8<-- "snippets/made_up/{id}.py"\n    ```\n'
)
PAGE = (
    "# Made up\n\n"
    '```python exec="on" result="text" id="train"\n'
    '--8<-- "snippets/made_up/train.py"\n```\n'
)
EXERCISES = (
    "\n## Exercises\n\n### One\n\nWhy?\n\n"
    + SOLUTION.format(id="exercise_one")
    + "\n### Two\n\nHow?\n\n"
    + SOLUTION.format(id="exercise_two")
    + "\nNext, [the home page](index.md).\n"
)


@pytest.mark.parametrize(
    ("page", "found"),
    [
        (PAGE + EXERCISES, None),
        (PAGE, "no `## Exercises` section"),
        (PAGE + EXERCISES + "\n## After\n", "is not the last section"),
        (PAGE + EXERCISES.replace("Next, [the home page](index.md).", ""), "Next,"),
        (PAGE + EXERCISES.split("### Two")[0], "1 solutions in"),
        ("---\nexercises: false\n---\n\n" + PAGE, None),
    ],
    ids=["follows", "none", "not last", "no next", "one", "opted out"],
)
def test_a_chapter_that_breaks_the_rule_is_told_what_to_do(tmp_path, page, found):
    """Each message names the page, the rule and the fix (the section to add,
    or the front-matter flag that opts out), in one sentence."""
    problems = exercise_problems(made_up(tmp_path, page), root=tmp_path)
    if found is None:
        assert problems == []
        return
    assert len(problems) >= 1 and found in problems[0], problems
    assert problems[0].startswith("docs/made_up.md")
    assert "`exercises: false` in its front matter" in problems[0]
    assert "`## Exercises` section: 2 to 4 exercises" in problems[0]


NUMBER_RE = re.compile(r"(?<![\w.])\d+(?:\.\d+)?")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_solution_prose_types_no_computed_number(chapter: str):
    """A number in a solution's prose is data: it is in the question or the code."""
    for question, solution, block in exercises(chapter):
        allowed = question + block.code
        for number in NUMBER_RE.findall(solution):
            assert re.search(rf"(?<![\w.]){re.escape(number)}(?![\d])", allowed), (
                f"docs/{chapter}.md: {number!r} in a solution is not in its code"
            )


def test_solutions_open_in_the_built_page(site_dir: Path):
    for chapter in CHAPTERS:
        html = (site_dir / chapter / "index.html").read_text(encoding="utf-8")
        blocks = re.findall(r'<details class="success">(.*?)</details>', html, re.S)
        assert len(blocks) >= 2, chapter
        for block in blocks:
            assert '<div class="language-python highlight">' in block
            assert '<div class="language-text highlight">' in block


# --- the maths page ------------------------------------------------------------


def test_fifth_point_keeps_w_star_and_steepens_the_parabola():
    namespace, output = run("problem/exercise_fifth_point.py")
    assert namespace["w_star"] == pytest.approx(2.0)
    x5 = np.append(X, 5.0)
    assert namespace["curvature"] == pytest.approx(2 * np.mean(x5**2))
    assert namespace["curvature"] > 2 * np.mean(X**2)
    assert "w*        = 2.0" in output


def test_line_with_intercept_has_a_compromise_minimum_above_zero():
    namespace, output = run("problem/exercise_line_with_intercept.py")
    y = 2 * X + 1
    w_star = X @ y / (X @ X)
    assert namespace["w_star"] == pytest.approx(w_star)
    assert w_star > 2
    residual = w_star * X - y
    # "too low at x = 1 and x = 2, on the point at x = 3, and too high at x = 4"
    assert residual[0] < 0 and residual[1] < 0 and residual[3] > 0
    assert residual[2] == pytest.approx(0, abs=8 * np.finfo(float).eps * 7)
    shown = [float(v) for v in re.search(r"w\* X +=\s*\[(.*?)\]", output)[1].split()]
    assert shown == pytest.approx(w_star * X, abs=5e-4)  # printed to 3 decimals
    assert shown[2] == y[2] and shown[0] < y[0] and shown[1] < y[1] and shown[3] > y[3]
    # ... so the line y = w x meets y = 2x + 1 once: all four points cannot be on it
    page = (ROOT / "docs/problem.md").read_text(encoding="utf-8")
    assert "cannot pass through all four points" in page
    assert "No line through the origin passes through points" not in page
    assert namespace["loss"] == pytest.approx(np.mean(residual**2), rel=1e-5)
    assert namespace["loss"] > 0.1
    assert abs(namespace["gradient"]) < 1e-5
    assert abs(true_gradient(w_star, y=y)) < 1e-12


# --- Part 1 ----------------------------------------------------------------------


def test_start_at_ten_goes_down_never_crosses_and_keeps_its_ratios():
    namespace, output = run("numpy_by_hand/exercise_start_at_ten.py")
    from_ten, from_zero = namespace["from_ten"], namespace["from_zero"]
    ws = [w for w, _ in from_ten]
    assert ws[0] < 10 and all(b < a for a, b in zip(ws, ws[1:], strict=False))
    assert all(w > 2 for w in ws), "never crosses 2"
    for k, ((w10, l10), (w0, l0)) in enumerate(
        zip(from_ten, from_zero, strict=True), start=1
    ):
        assert w10 == pytest.approx(2 + 8 * 0.85**k, rel=1e-5)
        assert abs(w10 - 2) / abs(w0 - 2) == pytest.approx(4, rel=1e-3)
        assert l10 / l0 == pytest.approx(16, rel=1e-3)
    assert "4.000        16.000" in output
    # "can drift in its last printed digits ... float32 rounding, which the same
    # loop in float64 does not show": in float64 the ratios hold to 1e-9.
    train = namespace["train"]
    train.__globals__["X"] = namespace["X"].astype(np.float64)
    train.__globals__["y"] = namespace["y"].astype(np.float64)
    for (w10, l10), (w0, l0) in zip(train(10.0), train(0.0), strict=True):
        assert abs(w10 - 2) / abs(w0 - 2) == pytest.approx(4, rel=1e-9)
        assert l10 / l0 == pytest.approx(16, rel=1e-9)


def test_learning_rates_one_step_oscillate_converge_and_diverge():
    namespace, output = run("numpy_by_hand/exercise_learning_rates.py")
    assert namespace["c"] == pytest.approx(15)
    runs = namespace["runs"]
    # "one step lands exactly on 2 and stays there": to the last bit
    assert runs[1 / 15] == [2.0] * 6
    for lr, grows in ((0.1, False), (0.14, True)):
        distances = [w - 2 for w in runs[lr]]
        assert all(a * b < 0 for a, b in zip(distances, distances[1:], strict=False))
        ratios = [abs(b / a) for a, b in zip(distances, distances[1:], strict=False)]
        assert all(r == pytest.approx(abs(1 - 15 * lr), rel=1e-4) for r in ratios)
        assert all(r > 1 for r in ratios) == grows
    assert 0.1 > 1 / namespace["c"] and 0.1 < 2 / namespace["c"] < 0.14
    assert "2/c = 0.1333" in output


def test_dropping_one_over_n_is_undone_by_lr_over_n():
    namespace, _ = run("numpy_by_hand/exercise_drop_one_over_n.py")
    part1 = ran("numpy_by_hand/train.py")[0]["history"]
    # "undoes the change exactly": the same floats (dividing by n = 4 is exact)
    assert namespace["history_no_n"] == namespace["history_ok"]
    assert namespace["history_ok"] == [w for w, _ in part1[:5]]
    X32, y32 = namespace["X"], namespace["y"]
    big = namespace["gradient_without_one_over_n"](X32, y32, 0 * X32)
    assert big == 4 * namespace["gradient"](X32, y32, 0 * X32)


# --- Part 2 ----------------------------------------------------------------------


def test_two_steps_without_zero_grad_hold_the_sum_of_two_gradients():
    namespace, output = run("autograd/exercise_two_steps_without_zero_grad.py")
    g0 = true_gradient(0.0)
    w1 = 0 - 0.01 * g0
    g1 = true_gradient(w1)
    assert namespace["grads_by_hand"] == pytest.approx([g0, g1])
    assert namespace["w"].grad.item() == pytest.approx(g0 + g1, rel=1e-6)
    assert namespace["w"].item() == pytest.approx(w1 - 0.01 * (g0 + g1), rel=1e-6)
    last_w_grad = re.findall(r"w\.grad (-?\d+\.\d+)", output)[-1]
    assert output.strip().endswith(last_w_grad)


def test_backward_twice_fails_then_doubles_with_retain_graph():
    namespace, output = run("autograd/exercise_backward_twice.py")
    assert "RuntimeError: Trying to backward through the graph a second time" in (
        output
    )
    assert namespace["w"].grad.item() == pytest.approx(2 * true_gradient(0.0))


def test_sum_instead_of_mean_multiplies_the_gradient_by_n():
    _, output = run("autograd/exercise_sum_instead_of_mean.py")
    grads = [float(g) for g in re.findall(r"w\.grad = +(-?\d+\.\d)", output)]
    assert grads[0] == pytest.approx(true_gradient(0.0))
    assert grads[1] == pytest.approx(4 * grads[0])


# --- Part 3 ----------------------------------------------------------------------


def test_zero_grad_first_gives_the_same_trajectory():
    moved = run("loss_and_optimizer/exercise_zero_grad_first.py")[0]["history"]
    assert moved == ran("loss_and_optimizer/train.py")[0]["history"]


def test_adam_first_step_is_lr_and_it_falls_short():
    namespace, output = run("loss_and_optimizer/exercise_adam.py")
    ws = namespace["ws"]  # the last run: Adam
    assert isinstance(namespace["optimizer"], __import__("torch").optim.Adam)
    assert ws[0] == pytest.approx(0.01, rel=1e-4)
    assert ws[1] == pytest.approx(0.02, rel=1e-2)
    assert 0.8 * 50 * 0.01 < ws[-1] < 50 * 0.01 + 1e-6
    sgd_final = float(re.search(r"SGD .*after 50: (\d\.\d+)", output)[1])
    assert abs(sgd_final - 2) < 0.01 < abs(ws[-1] - 2)


def test_adam_steps_shrink_with_the_gradient_s_size_not_only_its_sign():
    """Near `lr` only while the gradient keeps its size: here it keeps its sign,
    shrinks, and every step after the first is shorter than the one before."""
    namespace, output = run("loss_and_optimizer/exercise_adam.py")
    ws, gradients, lr = namespace["ws"], namespace["gradients"], 0.01
    steps = [ws[0]] + [b - a for a, b in zip(ws, ws[1:], strict=False)]
    assert all(g < 0 for g in gradients)  # the same sign throughout
    assert all(abs(b) < abs(a) for a, b in zip(gradients, gradients[1:], strict=False))
    assert all(b < a for a, b in zip(steps, steps[1:], strict=False))
    assert steps[-1] < 0.95 * lr and sum(steps) < 50 * lr  # "a little less"
    # Adam's rule: the step is lr |m_hat| / (sqrt(v_hat) + eps), m a short memory
    # of the gradient (beta1 = 0.9), v a long one of its square (beta2 = 0.999).
    m = v = 0.0
    for t, g in enumerate(gradients, start=1):
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        step = lr * abs(m / (1 - 0.9**t)) / ((v / (1 - 0.999**t)) ** 0.5 + 1e-8)
        assert steps[t - 1] == pytest.approx(step, rel=1e-4), t
    assert f"epoch 50: {steps[-1]:.4f}" in output
    assert f"epoch 50: {gradients[-1]:.1f}" in output
    assert f"epoch 1: {gradients[0]:.1f}" in output and gradients[0] == -30


def test_reduction_sum_is_n_times_the_step_undone_by_lr_over_n():
    namespace, _ = run("loss_and_optimizer/exercise_reduction_sum.py")
    # "the column equals the first one": the same floats, not only the printed
    # digits (the mean's 1/4 and lr / 4 are exact powers of two)
    assert namespace["sum_lr_over_n"] == namespace["mean_run"]
    assert namespace["sum_same_lr"][0] == pytest.approx(4 * namespace["mean_run"][0])
    assert abs(namespace["sum_same_lr"][-1] - 2) < abs(namespace["mean_run"][-1] - 2)


# --- Part 4 ----------------------------------------------------------------------


def test_line_with_intercept_needs_the_bias(site_dir):
    output = printed_in_build(site_dir, "torch_model/exercise_line_with_intercept.py")
    rows = re.findall(r"bias=(\w+) *: w = (\S+), b = (\S+), loss = (\S+)", output)
    values = {bias: tuple(float(v) for v in rest) for bias, *rest in rows}
    y = 2 * X + 1
    w_star = X @ y / (X @ X)
    w, b, loss = values["False"]
    assert w == pytest.approx(w_star, abs=1e-4) and b == 0
    assert loss == pytest.approx(np.mean((w_star * X - y) ** 2), abs=1e-5) and loss > 0
    lam_max = ran("learning_rate/hessian.py")[0]["lam_max"]
    assert 0.1 < 2 / lam_max, "lr=0.1 is below the limit of Part 4's page"
    w, b, loss = values["True"]
    assert (w, b, loss) == pytest.approx((2, 1, 0), abs=1e-4)


def test_centred_inputs_untilted_valley_and_faster_training():
    namespace, output = run("torch_model/exercise_centred_inputs.py")
    x = X - X.mean()
    assert namespace["curvature_w"] == pytest.approx(2 / 4 * x @ x, rel=1e-12)
    assert namespace["curvature_b"] == 2 and namespace["mixed"] == 0
    assert "d2L/dw2 = 2.50, d2L/db2 = 2.00, d2L/(dw db) = 0.00" in output
    # With no mixed derivative the loss is a sum of one parameter's and the
    # other's, so each has its own curvature (the matrix is diagonal)...
    H = 2 / 4 * np.array([[x @ x, x.sum()], [x.sum(), 4]])
    assert H[0, 1] == 0 and H[1, 0] == 0
    eigenvalues = sorted(np.diag(H))
    assert eigenvalues == sorted([namespace["curvature_w"], 2.0])
    assert eigenvalues[1] / eigenvalues[0] < 1.5  # close to each other
    # ... and the page needs no Hessian before learning_rate.md introduces it.
    page = (ROOT / "docs" / "torch_model.md").read_text(encoding="utf-8")
    prose = re.sub(r"\]\([^)]*\)", "]", page)  # the text, not the links' URLs
    code = (ROOT / "snippets/torch_model/exercise_centred_inputs.py").read_text()
    assert "hessian" not in prose.lower() and "hessian" not in code.lower()
    assert 0.4 == pytest.approx(1 / max(eigenvalues))  # "one over the larger"
    epochs = [int(e) for e in re.findall(r"epoch +(\d+):", output)]
    raw, centred, centred_large_lr = epochs
    assert centred < raw / 3
    assert centred_large_lr < 10
    assert 0.4 < 2 / eigenvalues[1]
    # "within 0.001 of their answers", and the printed digits show it (at four
    # decimals b = 0.000999 printed as 0.0010, on the boundary)
    ws = [float(w) for w in re.findall(r"w = (-?\d+\.\d+)", output)]
    bs = [float(b) for b in re.findall(r"b = (-?\d+\.\d+)", output)]
    assert all(abs(w - 2) < 1e-3 for w in ws) and len(ws) == 3
    assert [abs(b - goal) < 1e-3 for b, goal in zip(bs, [0, 5, 5], strict=True)] == [
        True
    ] * 3


# Each solution opening in a browser is checked with every page, in test_browser.py.
