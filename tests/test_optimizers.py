"""Better optimizers: the update rules as the page writes them; the measurements."""

import math
import re

import momentum_bound
import numpy as np
import pytest
import torch

from snippet import ROOT, ran, run, shows_figure
from tools import figures


@pytest.fixture(scope="module")
def compare():
    return ran("optimizers/compare.py")


def test_momentum_and_adam_beat_sgd_by_far_on_the_badly_conditioned_problem(compare):
    steps = compare[0]["steps_needed"]
    assert all(value is not None for value in steps.values()), steps
    assert steps["momentum", "(w, b)"] < steps["SGD", "(w, b)"] / 4
    assert steps["Adam", "(w, b)"] < steps["SGD", "(w, b)"] / 4


def test_plain_sgd_is_fastest_on_y_equals_2x(compare):
    steps = compare[0]["steps_needed"]
    assert steps["SGD", "y = 2x"] < steps["momentum", "y = 2x"]
    assert steps["SGD", "y = 2x"] < steps["Adam", "y = 2x"]


def test_the_table_prints_the_measured_steps(compare):
    namespace, output = compare
    for name in namespace["optimizers"]:
        row = re.search(rf"^{name} +(\d+) +(\d+)$", output, re.MULTILINE)
        assert row, name
        assert int(row[1]) == namespace["steps_needed"][name, "y = 2x"]
        assert int(row[2]) == namespace["steps_needed"][name, "(w, b)"]


def by_hand(name, n_steps, problem="(w, b)"):
    """The page's update rules, written out; returns theta after every step."""
    xs, ys = [1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0]
    if problem == "(w, b)":
        torch.manual_seed(0)  # the starting point of the seeded nn.Linear(1, 1)
        model = torch.nn.Linear(1, 1)
        theta = [model.weight.item(), model.bias.item()]
    else:
        theta = [0.0]
    v = [0.0] * len(theta)  # momentum's velocity
    m, s = [0.0] * len(theta), [0.0] * len(theta)  # Adam's averages
    path = []
    for t in range(1, n_steps + 1):
        b = theta[1] if len(theta) == 2 else 0.0
        r = [theta[0] * x + b - y for x, y in zip(xs, ys, strict=True)]
        g = [2 / 4 * sum(ri * x for ri, x in zip(r, xs, strict=True)), 2 / 4 * sum(r)]
        for k in range(len(theta)):
            if name == "SGD":
                theta[k] -= 0.01 * g[k]
            elif name == "momentum":
                v[k] = 0.9 * v[k] + g[k]
                theta[k] -= 0.01 * v[k]
            else:  # Adam
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                s[k] = 0.999 * s[k] + 0.001 * g[k] ** 2
                m_hat, s_hat = m[k] / (1 - 0.9**t), s[k] / (1 - 0.999**t)
                theta[k] -= 0.1 * m_hat / (math.sqrt(s_hat) + 1e-8)
        path.append(list(theta))
    return path


@pytest.mark.parametrize("problem", ["y = 2x", "(w, b)"])
@pytest.mark.parametrize("name", ["SGD", "momentum", "Adam"])
def test_the_update_rules_on_the_page_are_what_torch_optim_does(name, problem, compare):
    """In float64, as the page says: the same arithmetic in another order differs
    by a few units of 2^-53 per step, and over 60 steps of these contracting (or,
    for Adam, sign-normalised) updates stays near 1e-15; rel=1e-12 leaves a
    thousandfold margin yet catches a rule that differs by eps's place (eps
    inside the square root moves a step by about eps / sqrt(s), 1e-10 here)."""
    namespace = compare[0]
    model = namespace["make_model"](problem).double()
    optimizer = namespace["optimizers"][name](model.parameters())
    loss_fn = namespace["loss_fn"]
    X, y = namespace["X"].double(), namespace["y"].double()
    expected = by_hand(name, 60, problem)
    for step in range(60):
        loss_fn(model(X), y).backward()
        optimizer.step()
        optimizer.zero_grad()
        got = [p.item() for p in model.parameters()]
        assert got == pytest.approx(expected[step], rel=1e-12, abs=1e-14), step


def test_the_defaults_the_page_names_are_pytorchs():
    """beta1 = 0.9, beta2 = 0.999, eps = 1e-8; SGD's momentum without dampening
    or Nesterov, as the velocity rule on the page."""
    parameter = torch.zeros(1, requires_grad=True)
    adam = torch.optim.Adam([parameter], lr=0.1).defaults
    assert adam["betas"] == (0.9, 0.999) and adam["eps"] == 1e-8
    assert adam["weight_decay"] == 0 and adam["amsgrad"] is False
    sgd = torch.optim.SGD([parameter], lr=0.01, momentum=0.9).defaults
    assert sgd["dampening"] == 0 and sgd["nesterov"] is False


@pytest.mark.parametrize("size", [1e-3, 1.0, 1e3])
def test_adam_moves_by_lr_while_the_gradient_keeps_its_size_whatever_it_is(size):
    """A constant gradient g: the bias corrections make m_hat = g and
    s_hat = g^2 at every step, so every step is lr |g| / (|g| + eps)."""
    theta = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    adam = torch.optim.Adam([theta], lr=0.1)
    for step in range(1, 51):
        (size * theta).sum().backward()  # a loss with the constant gradient size
        adam.step()
        adam.zero_grad()
        assert theta.item() == pytest.approx(
            -step * 0.1 * size / (size + 1e-8), rel=1e-12
        ), step
        assert theta.item() == pytest.approx(-step * 0.1, rel=2e-5)  # eps / g


def test_lbfgs_does_not_fit_the_loop_its_step_needs_the_loss_as_a_function(compare):
    namespace = compare[0]
    model = namespace["make_model"]("(w, b)")
    optimizer = torch.optim.LBFGS(model.parameters())
    with pytest.raises(TypeError, match="closure"):
        optimizer.step()  # the loop's step(): refused
    evaluations = []

    def closure():
        evaluations.append(1)
        optimizer.zero_grad()
        loss = namespace["loss_fn"](model(namespace["X"]), namespace["y"])
        loss.backward()
        return loss

    optimizer.step(closure)
    assert len(evaluations) > 1  # several times per step
    text = (ROOT / "docs" / "optimizers.md").read_text(encoding="utf-8")
    assert "The optimizers on this page, like most in `torch.optim`" in text
    assert "Every optimizer in `torch.optim`" not in text


def test_momentum_overshoots_on_y_equals_2x_and_sgd_does_not():
    assert max(theta[0] for theta in by_hand("momentum", 100, "y = 2x")) > 2
    assert max(theta[0] for theta in by_hand("SGD", 100, "y = 2x")) < 2


def test_the_figure_is_deterministic_accessible_inline_svg(site_dir):
    """The same bytes here as in the build, another process: deterministic."""
    namespace, output = run("optimizers/loss_curves_plot.py")
    assert namespace["n_steps"] == 400
    assert shows_figure(site_dir, "optimizers.md", output)
    assert output.startswith(figures.OPENING + "<svg ")
    assert "<?xml" not in output and "<figcaption>" in output
    assert 'role="img"' in output and 'aria-label="' in output
    assert "currentColor" in output and "#000000" not in output
    ids = re.findall(r' id="([^"]+)"', output)
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[mp][0-9a-f]{10}", i) for i in ids)  # hashes
    assert "*{" not in output.replace(
        f".{figures.FIGURE_CLASS} *{{", ""
    )  # styles figures only


def test_adams_first_step_moves_every_parameter_by_the_learning_rate(compare):
    namespace = compare[0]
    model = namespace["make_model"]("(w, b)")
    before = [p.item() for p in model.parameters()]
    optimizer = namespace["optimizers"]["Adam"](model.parameters())
    namespace["loss_fn"](model(namespace["X"]), namespace["y"]).backward()
    optimizer.step()
    moves = [abs(p.item() - b) for p, b in zip(model.parameters(), before, strict=True)]
    assert moves == pytest.approx([0.1, 0.1], rel=1e-4)


def test_momentum_keeps_one_extra_number_per_parameter_and_adam_two(compare):
    namespace = compare[0]
    for name, keys in [
        ("momentum", {"momentum_buffer"}),
        ("Adam", {"exp_avg", "exp_avg_sq"}),
    ]:
        model = namespace["make_model"]("(w, b)")
        optimizer = namespace["optimizers"][name](model.parameters())
        namespace["loss_fn"](model(namespace["X"]), namespace["y"]).backward()
        optimizer.step()
        for parameter in model.parameters():
            state = optimizer.state[parameter]
            tensors = {k for k, v in state.items() if v.shape == parameter.shape}
            assert tensors == keys, name


# --- the settings shown, and the best ones ----------------------------------------


def test_the_sgd_factor_on_y_equals_2x_is_0_85():
    text = (ROOT / "docs" / "optimizers.md").read_text(encoding="utf-8")
    c = 2 / 4 * sum(x * x for x in [1, 2, 3, 4])
    assert c == 15 and f"$1 - 0.01 \\cdot {c:g} = {1 - 0.01 * c:.2f}$" in text


@pytest.fixture(scope="module")
def tilted():
    return run("optimizers/tilted_valley.py")


def test_the_turned_valley_is_part4s_valley_turned(tilted):
    namespace = tilted[0]
    H, H_turned = namespace["H"], namespace["H_turned"]
    assert torch.linalg.eigvalsh(H) == pytest.approx(torch.linalg.eigvalsh(H_turned))
    assert H_turned[0, 1] == 0 and H[0, 1] != 0
    start, turned = namespace["start"], namespace["start_turned"]
    assert torch.linalg.norm(turned) == pytest.approx(torch.linalg.norm(start))
    # L = 1/2 d^T H d is Part 4's MSE, at the start and anywhere else.
    model = torch.nn.Linear(1, 1)
    X = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    for w, b in [(0.3, -1.0), (2.5, 0.7), (start[0].item() + 2, start[1].item())]:
        with torch.no_grad():
            model.weight.fill_(w)
            model.bias.fill_(b)
            mse = torch.nn.MSELoss()(model(X), 2 * X).item()
        d = torch.tensor([w - 2, b], dtype=torch.float64)
        assert (0.5 * d @ H @ d).item() == pytest.approx(mse, rel=1e-5)


def test_sgd_and_momentum_ignore_the_tilt_and_adam_does_not(tilted, compare):
    namespace, output = tilted
    steps = namespace["steps"]
    assert steps["SGD"][0] == steps["SGD"][1]
    assert steps["momentum"][0] == steps["momentum"][1]
    assert steps["Adam"][1] * 2.5 < steps["Adam"][0]  # several times faster turned
    # The float32 table above counts the tilted valley within a step of these.
    table = compare[0]["steps_needed"]
    for name in ["SGD", "momentum", "Adam"]:
        assert abs(table[name, "(w, b)"] - steps[name][0]) <= 1, name
        assert re.search(rf"^{name} +{steps[name][0]} +{steps[name][1]}$", output, re.M)


def test_no_rescaling_of_w_and_b_makes_the_valley_round(tilted):
    namespace, output = tilted
    H = namespace["H"].numpy()
    # For a 2 x 2 matrix the best diagonal rescaling gives it a unit diagonal
    # (Forsythe and Straus): condition number (1 + r) / (1 - r), r the correlation.
    r = H[0, 1] / (H[0, 0] * H[1, 1]) ** 0.5
    assert namespace["best"] == pytest.approx((1 + r) / (1 - r), rel=1e-3)
    raw = namespace["condition_number"](namespace["H"])
    assert 10 < namespace["best"] < raw / 2  # far above 1, and above half of H's
    adams = namespace["adams"]
    assert namespace["best"] <= adams < (namespace["best"] + raw) / 2  # closer to best
    scale_w, scale_b = namespace["scale_w"], namespace["scale_b"]
    assert 0.01 < scale_w < scale_b  # both above SGD's lr, the larger one for b
    _, vectors = torch.linalg.eigh(namespace["H"])
    assert abs(vectors[1, 0]) > 0.9  # the flat direction is mostly b
    assert f"condition number {namespace['best']:.1f}" in output


@pytest.fixture(scope="module")
def best():
    return run("optimizers/best_settings.py")


def spectral_radius(lr, momentum, eigenvalue):
    """How fast heavy-ball momentum shrinks the error along one eigenvector:
    the largest eigenvalue, in size, of the 2 x 2 matrix of the recurrence."""
    matrix = np.array([[1 + momentum - lr * eigenvalue, -momentum], [1, 0]])
    return max(abs(np.linalg.eigvals(matrix)))


def test_distills_settings_give_the_factors_the_page_states(best):
    namespace, _ = best
    for problem in ["(w, b)", "y = 2x"]:
        low, high = namespace["eigenvalues"](problem)
        kappa = high / low
        lr, _ = namespace["settings"][problem]["SGD"]
        assert max(abs(1 - lr * low), abs(1 - lr * high)) == pytest.approx(
            (kappa - 1) / (kappa + 1), abs=1e-12
        )
        alpha, beta = namespace["settings"][problem]["momentum"]
        rate = (kappa**0.5 - 1) / (kappa**0.5 + 1)
        for lam in (low, high):
            assert spectral_radius(alpha, beta, lam) == pytest.approx(rate, abs=1e-6)
        # ... and no nearby setting does better on both directions.
        for da, db in [(0.98, 1), (1.02, 1), (1, 0.95), (1, 1.05)]:
            worst = max(
                spectral_radius(alpha * da, beta * db, lam) for lam in (low, high)
            )
            assert worst >= rate - 1e-9


def test_the_best_settings_beat_every_setting_of_the_table(best, compare):
    namespace, output = best
    table = compare[0]["steps_needed"]
    sgd = namespace["steps_to_reach"]("(w, b)", *namespace["settings"]["(w, b)"]["SGD"])
    momentum = namespace["steps_to_reach"](
        "(w, b)", *namespace["settings"]["(w, b)"]["momentum"]
    )
    assert momentum < table["momentum", "(w, b)"] < table["Adam", "(w, b)"]
    assert momentum * 3 < sgd < table["SGD", "(w, b)"] / 5  # far fewer, again
    assert (
        f"steps needed: {sgd}\n" in output and f"steps needed: {momentum}\n" in output
    )
    # The issue's independent run: about 49 against 131 and 238.
    assert 40 <= momentum <= 60 and 200 <= sgd <= 280
    # y = 2x: 1/c and no momentum, one step.
    assert namespace["settings"]["y = 2x"]["SGD"] == pytest.approx((1 / 15, 0))
    assert namespace["settings"]["y = 2x"]["momentum"] == pytest.approx((1 / 15, 0))
    assert namespace["steps_to_reach"]("y = 2x", 1 / 15, 0.0) == 1


# --- the exercises -----------------------------------------------------------------


def test_exercise_momentum_on_one_weight():
    namespace, output = run("optimizers/exercise_momentum_on_one_weight.py")
    steps, factor = namespace["steps_to_reach"], namespace["factor"]
    plain = steps(0.0)
    assert plain == ran("optimizers/compare.py")[0]["steps_needed"]["SGD", "y = 2x"]
    for momentum in [0.2, namespace["critical"], 0.5, 0.7]:
        assert steps(momentum) < plain, momentum
    assert steps(0.9) > plain
    # The factor: the recurrence's spectral radius; smallest at the critical value.
    critical = namespace["critical"]
    assert critical == pytest.approx((1 - 0.15**0.5) ** 2)
    for momentum in [0.0, 0.2, critical, 0.5, 0.7, 0.9]:
        assert factor(momentum) == pytest.approx(
            spectral_radius(0.01, momentum, 15), abs=1e-6
        )
    grid = [k / 1000 for k in range(1000)]
    assert min(grid, key=factor) == pytest.approx(critical, abs=1e-3)
    assert factor(critical) == pytest.approx(1 - 0.15**0.5)
    # A swing finishes first: 0.5 has a larger factor but fewer steps.
    assert factor(0.5) > factor(critical) and steps(0.5) < steps(critical)
    assert len(re.findall(r"^ +\d\.\d{4} +\d\.\d{4} +\d+$", output, re.M)) == 6


def test_exercise_best_settings_centred():
    namespace, output = run("optimizers/exercise_best_settings_centred.py")
    results = namespace["results"]
    kappa, settings = namespace["best_settings"](namespace["X"] - namespace["X"].mean())
    assert 1 < kappa < 1.3
    assert settings["momentum"][1] < 0.01  # close to 0
    assert settings["momentum"][0] == pytest.approx(settings["SGD"][0], rel=0.01)
    assert results["centred", "momentum"] == results["centred", "SGD"] <= 10
    assert results["x as it is", "momentum"] * 3 < results["x as it is", "SGD"]


# --- the explorer's runs, and its figure -------------------------------------------


@pytest.fixture(scope="module")
def valley():
    return ran("optimizers/valley_paths.py")


def test_the_explorers_settings_take_the_steps_of_the_pages_tables(valley, best):
    """The buttons' settings, run in float64 from Part 4's start, take the
    float32 tables' step counts (the page says so)."""
    namespace, output = valley
    paths, settings = namespace["paths"], namespace["settings"]
    best_namespace = best[0]
    counted = {name: len(paths[name, "raw"][0]) - 1 for name, _ in paths}
    plain, distill = (
        best_namespace["settings"]["(w, b)"][key] for key in ("SGD", "momentum")
    )
    assert settings["best plain step", "raw"][:2] == pytest.approx(plain, rel=1e-14)
    assert settings["Distill's optimum", "raw"][:2] == pytest.approx(distill, rel=1e-14)
    assert counted["best plain step"] == best_namespace["steps_to_reach"](
        "(w, b)", *plain
    )
    assert counted["Distill's optimum"] == best_namespace["steps_to_reach"](
        "(w, b)", *distill
    )
    table = ran("optimizers/compare.py")[0]["steps_needed"]
    assert counted["momentum 0.9"] == table["momentum", "(w, b)"]
    start = namespace["start"]
    assert settings["momentum 0.9", "raw"] == (0.01, 0.9, start)
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    assert start == (model.weight.item(), model.bias.item())  # Part 4's start
    for (name, inputs), (path, losses) in paths.items():
        verdict = namespace["verdict"](path, losses)
        assert re.search(
            rf"^{re.escape(name)} +{inputs} .* {len(path) - 1:5d}  {verdict}$",
            output,
            re.M,
        ), (name, inputs)


def test_the_settings_cover_every_kind_of_run(valley):
    namespace, _ = valley
    verdicts = {
        namespace["verdict"](*run): key for key, run in namespace["paths"].items()
    }
    assert set(verdicts) == {
        "converges smoothly",
        "converges with oscillation",
        "diverges",
    }
    inputs = {key[1] for key in namespace["paths"]}
    assert inputs == {"raw", "standardised"}
    # The fourth verdict, run here: too small a step, and the limit of
    # stability (each step mirrors the start through the minimum).
    for lr, inputs in [(0.001, "raw"), (1.0, "standardised")]:
        path, losses = namespace["run"](lr, 0.0, (1.0, 1.0), inputs)
        assert len(path) == namespace["MAX_STEPS"] + 1
        assert namespace["verdict"](path, losses) == "not within 5000 steps"


def test_the_verdicts_and_step_counts_keep_clear_of_rounding(valley):
    """Another float64 run of the same update (the explorer's) stops at the
    same step with the same verdict: the losses at the last two steps, and
    the turns, are further from the thresholds than the two runs can differ
    (tests/momentum_bound.py)."""
    namespace, _ = valley
    threshold, too_large = namespace["THRESHOLD"], namespace["TOO_LARGE"]
    for (name, inputs), (path, losses) in namespace["paths"].items():
        lr, momentum, _ = namespace["settings"][name, inputs]
        x = namespace["INPUTS"][inputs].squeeze(1).numpy()
        gap = momentum_bound.gaps(
            x, 2 * namespace["X"].squeeze(1).numpy(), lr, momentum, path
        )
        assert (gap[:, :2] < 1e-9 * np.maximum(1, np.abs(path))).all(), name
        last, before = losses[-1], losses[:-1]
        verdict = namespace["verdict"](path, losses)
        for loss, tolerance in zip(before, gap[:-1, 2], strict=True):
            assert threshold + tolerance <= loss <= too_large - tolerance, name
        if verdict == "diverges":
            assert last > too_large + gap[-1, 2], name
        else:
            assert last < threshold - gap[-1, 2], name
        turns = momentum_bound.turn_margins(path, gap)
        if verdict == "converges with oscillation":
            assert any(dot < -bound for dot, bound in turns), name
        elif verdict == "converges smoothly":
            assert all(dot > bound for dot, bound in turns), name


def test_standardised_inputs_make_the_valley_round(valley):
    namespace, output = valley
    x = namespace["INPUTS"]["standardised"].squeeze(1)
    assert x.mean().item() == pytest.approx(0, abs=1e-15)
    assert x.std(correction=0).item() == pytest.approx(1, rel=1e-15)
    low, high = np.linalg.eigvalsh(momentum_bound.hessian(x.numpy()))
    assert low == pytest.approx(high, rel=1e-14)  # a circle: kappa = 1
    settings = namespace["best_settings"]("standardised")
    for lr, momentum in settings.values():  # both are 1 / lambda, no momentum
        assert lr == pytest.approx(1 / low, rel=1e-14) and momentum < 1e-14
    # The same line in the new units: the same predictions.
    start = namespace["start"]
    w, b = namespace["same_line"](start)
    X = namespace["X"].squeeze(1)
    assert (w * x + b).tolist() == pytest.approx((start[0] * X + start[1]).tolist())
    assert f"standardised, w = {w:.4f}, b = {b:.4f}" in output
    for name in ["best plain step", "Distill's optimum"]:
        assert len(namespace["paths"][name, "standardised"][0]) - 1 == 1


def test_the_prose_states_the_programs_thresholds(valley):
    namespace, output = valley
    text = (ROOT / "docs" / "optimizers.md").read_text(encoding="utf-8")
    section = text[text.index("## Watch it descend") :]
    assert namespace["THRESHOLD"] == 1e-6 and "below $10^{-6}$" in section
    assert namespace["TOO_LARGE"] == 1e10 and "above $10^{10}$" in section
    assert namespace["MAX_STEPS"] == 5000 and "after 5000 steps" in section
    assert "stop: loss below 1e-06, above 1e+10, or 5000 steps" in output
    for verdict in ["converges smoothly", "converges with", "diverges"]:
        assert verdict in " ".join(section.split())


@pytest.fixture(scope="module")
def valley_plot():
    return run("optimizers/valley_paths_plot.py")


def test_the_valley_figure_shows_the_three_runs_as_its_text_says(
    site_dir, valley, valley_plot
):
    namespace, output = valley_plot
    assert shows_figure(site_dir, "optimizers.md", output)
    paths = valley[0]["paths"]
    names = ["best plain step", "momentum 0.9", "Distill's optimum"]
    assert namespace["steps"] == [len(paths[name, "raw"][0]) - 1 for name in names]
    assert [settings[:2] for settings in namespace["runs"].values()] == [
        pytest.approx(valley[0]["settings"][name, "raw"][:2], rel=1e-14)
        for name in names
    ]
    for count in namespace["steps"]:
        assert f"({count} steps)" in namespace["description"]
    plain, momentum, distill = (paths[name, "raw"] for name in names)
    # The best plain step: both directions shrink by the same factor, so the
    # loss falls by one factor per step, a straight line on a log scale.
    ratios = np.array(plain[1][1:]) / np.array(plain[1][:-1])
    assert ratios == pytest.approx(ratios[0], rel=1e-6)
    # Momentum 0.9: runs out past the minimum (w = 2); its loss goes up and down.
    assert max(w for w, _ in momentum[0]) > 2.5
    assert any(b > a for a, b in zip(momentum[1], momentum[1][1:], strict=False))
    # Distill's optimum: further across than the other two, to both sides; its
    # loss rises at first.
    for side in (min, max):
        reach = [side(w for w, _ in run[0]) for run in (plain, momentum, distill)]
        assert side(reach) == reach[2] and reach.count(reach[2]) == 1
    assert distill[1][1] > distill[1][0]


# --- what the prose says about each curve and path ---------------------------------


def test_the_loss_curves_are_as_the_figures_text_says():
    namespace, _ = ran("optimizers/loss_curves_plot.py")
    description = namespace["description"]
    losses = {
        (problem, name): np.array(namespace["losses_per_step"](problem, name, 400))
        for problem in ["y = 2x", "(w, b)"]
        for name in ["SGD", "momentum", "Adam"]
    }

    def first_below(curve, value):
        return int(np.argmax(curve < value)) if (curve < value).any() else None

    def rises(curve):
        return np.flatnonzero(curve[1:] > curve[:-1]) + 1

    # Left: SGD a straight line (one factor, 0.85^2 per step) to float32
    # rounding, first below 1e-6; the other two in waves, and later.
    sgd, momentum, adam = (
        losses["y = 2x", name] for name in ["SGD", "momentum", "Adam"]
    )
    floor = int(np.argmax(sgd[1:] >= sgd[:-1]))  # where it stops falling
    # float32 rounds w x (up to 8) by up to 2^-24 * 8, against a residual of about
    # sqrt(loss): each loss is off by up to twice that relative error, a ratio of
    # two by four times, plus w's own rounding (2^-24 * 2 per step), as much again.
    ratios = sgd[1 : floor + 1] / sgd[:floor]
    bound = 8 * 2.0**-24 * 8 / np.sqrt(sgd[1 : floor + 1])
    assert (np.abs(ratios / 0.85**2 - 1) <= bound).all()
    assert (sgd[floor:] == sgd[floor]).all() and sgd[floor] < 1e-11  # rounding
    line = first_below(sgd, 1e-6)
    assert line < first_below(momentum, 1e-6) and line < first_below(adam, 1e-6)
    assert len(rises(momentum)) > 10 and len(rises(adam)) > 10
    assert (adam[1:20] > sgd[1:20]).all()  # Adam slower from the start
    assert "first of the three below 1e-6" in description
    # Right: SGD never rises and crawls; momentum lowest at most steps, in waves;
    # Adam above SGD at first, two bumps, then below it and far below at the end.
    sgd, momentum, adam = (
        losses["(w, b)", name] for name in ["SGD", "momentum", "Adam"]
    )
    assert len(rises(sgd)) == 0 and sgd[-1] / sgd[-101] > 0.5
    lowest = np.argmin(np.vstack([sgd, momentum, adam]), axis=0)
    assert (lowest == 1).mean() > 0.5 and len(rises(momentum)) > 10
    above = np.flatnonzero(adam > sgd)
    assert above[0] == 1 and (np.diff(above) == 1).all()  # above, then below for good
    bumps = np.split(rises(adam), np.flatnonzero(np.diff(rises(adam)) > 1) + 1)
    assert len(bumps) == 2 and rises(adam).max() < above[-1]
    assert adam[-1] < sgd[-1] / 1000
    assert "with two small bumps, then passes it and ends far below" in description


def test_momentum_runs_down_the_floor_and_swings_across_the_valley(valley, best):
    """Part 4's valley, from Part 4's start, in float64 (the explorer's run)."""
    namespace = valley[0]
    H = np.array([[15.0, 5.0], [5.0, 2.0]])
    (low, high), vectors = np.linalg.eigh(H)
    # SGD at 0.01: below the steep direction's limit, and a crawl along the floor.
    assert 0.01 < 2 / high and 1 - 0.01 * low > 0.99
    path = np.array(namespace["paths"]["momentum 0.9", "raw"][0]) - [2, 0]
    floor, across = np.abs(path @ vectors[:, 0]), path @ vectors[:, 1]
    # Down the floor without turning back: the offset along it shrinks at every
    # step, to well under 1% of the start, where SGD at 0.01 keeps over half of it.
    assert (floor[1:] < floor[:-1]).all() and floor[-1] < 0.01 * floor[0]
    assert (1 - 0.01 * low) ** (len(path) - 1) > 0.5
    # Across: past the floor and back, again and again (complex roots there).
    assert (np.diff(np.sign(across)) != 0).sum() >= 10
    for eigenvalue in (low, high):
        assert (1 + 0.9 - 0.01 * eigenvalue) ** 2 - 4 * 0.9 < 0


def test_adam_on_y_equals_2x_shrinks_its_steps_and_runs_past_2(compare):
    """Steps of about lr at first; near 2 the gradient shrinks, sqrt(s_hat)
    remembers larger ones, so the steps shrink; m_hat keeps their sign, so w
    goes on past 2 and comes back."""
    namespace = compare[0]
    model = namespace["make_model"]("y = 2x").double()
    adam = namespace["optimizers"]["Adam"](model.parameters())
    X, y = namespace["X"].double(), namespace["y"].double()
    w, gradients, roots = [0.0], [], []
    for step in range(1, 61):
        namespace["loss_fn"](model(X), y).backward()
        gradients.append(model.weight.grad.item())
        adam.step()
        adam.zero_grad()
        state = adam.state[model.weight]
        roots.append((state["exp_avg_sq"].item() / (1 - 0.999**step)) ** 0.5)
        w.append(model.weight.item())
    steps = np.diff(w)
    assert steps[:5] == pytest.approx([0.1] * 5, rel=0.02)
    cross = next(k for k, value in enumerate(w) if value > 2)  # w first past 2
    assert steps[cross - 1] < 0.06  # shrunk
    assert roots[cross - 1] > 5 * abs(gradients[cross - 1])  # remembers larger
    assert gradients[cross] > 0 and steps[cross] > 0  # uphill, on its memory
    assert max(w) > 2.1 and w[-1] < max(w) - 0.05  # past 2, and back


def test_turning_the_valley_turns_the_paths_of_sgd_and_momentum_not_adams(tilted):
    namespace = tilted[0]
    vectors = namespace["vectors"]

    def path(hessian, start, name, n_steps=300):
        d = start.clone().requires_grad_(True)
        optimizer = namespace["optimizers"][name]([d])
        points = []
        for _ in range(n_steps):
            (0.5 * d @ hessian @ d).backward()
            optimizer.step()
            optimizer.zero_grad()
            points.append(d.detach().clone())
        return torch.stack(points)

    for name in ["SGD", "momentum", "Adam"]:
        tilted_path = path(namespace["H"], namespace["start"], name)
        turned_back = path(namespace["H_turned"], namespace["start_turned"], name)
        turned_back = turned_back @ vectors.T  # each point turned back
        gap = (tilted_path - turned_back).abs().max().item()
        if name == "Adam":
            assert gap > 0.1, name
        else:  # float64 rounding of a turn: a few units of 2^-53 per step
            assert gap < 1e-12, name


def test_distills_factor_is_a_long_run_rate_not_every_steps(best, valley):
    """At Distill's optimum both extreme eigenvalues give a double root: the
    error shrinks by the factor only in the long run, and the first step raises
    the loss (the figure's fourth panel)."""
    namespace = best[0]
    low, high = namespace["eigenvalues"]("(w, b)")
    alpha, beta = namespace["settings"]["(w, b)"]["momentum"]
    for eigenvalue in (low, high):
        assert (1 + beta - alpha * eigenvalue) ** 2 - 4 * beta == pytest.approx(
            0, abs=1e-12
        )
    losses = valley[0]["paths"]["Distill's optimum", "raw"][1]
    assert losses[1] > losses[0]
    text = " ".join((ROOT / "docs" / "optimizers.md").read_text("utf-8").split())
    assert "in the long run the error shrinks by" in text


def test_standardised_best_settings_agree_to_rounding_and_land_in_one_step(valley):
    namespace = valley[0]
    settings = namespace["best_settings"]("standardised")
    (plain, no_momentum), (distill, momentum) = settings.values()
    assert no_momentum == 0 and 0 <= momentum < 1e-15
    assert abs(plain - distill) <= 4 * np.finfo(float).eps * plain  # last digits
    for name in ["best plain step", "Distill's optimum"]:
        path, losses = namespace["paths"][name, "standardised"]
        # One step: parameters near 5 rounded to 2^-53 leave a loss near 1e-30.
        assert len(path) == 2 and losses[1] < 1e-24 * losses[0], name


def test_a_rescaled_step_is_gradient_descent_on_the_rescaled_valley(tilted):
    """theta <- theta - D grad L, with u = D^(-1/2) theta, is
    u <- u - (D^(1/2) H D^(1/2)) u: the page's reason to look at that matrix."""
    namespace = tilted[0]
    H, start = namespace["H"], namespace["start"]
    scale_w, scale_b = 0.03, 0.2
    D = torch.diag(torch.tensor([scale_w, scale_b], dtype=torch.float64))
    root = D.sqrt()
    theta, u = start.clone(), torch.linalg.solve(root, start)
    rescaled = namespace["rescaled"](scale_w, scale_b)
    assert torch.allclose(rescaled, root @ H @ root, rtol=1e-15, atol=0)
    for _ in range(50):
        theta = theta - D @ (H @ theta)
        u = u - rescaled @ u
        assert (root @ u).tolist() == pytest.approx(
            theta.tolist(), rel=1e-12, abs=1e-15
        )
