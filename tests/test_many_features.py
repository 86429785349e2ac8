"""Many features: the vector gradient, recovered weights, lstsq, scaling."""

import re

import numpy as np
import pytest
import torch

from snippet import ROOT, ran, run

TOLERANCE = 0.05  # the page: learned weights within 0.05 of the true ones


@pytest.fixture(scope="module")
def by_hand():
    return run("many_features/by_hand.py")


@pytest.fixture(scope="module")
def lstsq():
    return run("many_features/lstsq.py")


@pytest.fixture(scope="module")
def scaling():
    return ran("many_features/scaling.py")


def learned(namespace):
    return np.append(namespace["w"].numpy(), float(namespace["b"]))


def test_the_data_are_seeded_and_shaped(by_hand):
    namespace, output = by_hand
    assert namespace["X"].shape == (200, 3) and namespace["y"].shape == (200,)
    assert output == run("many_features/by_hand.py")[1]
    # Every program on the page makes the same data.
    for name in ["nn_linear.py", "lstsq.py", "scaling.py"]:
        other = run(f"many_features/{name}")[0]
        assert torch.equal(other["X"], namespace["X"]), name
        assert torch.equal(other["y"], namespace["y"]), name


def test_the_true_weights_are_recovered_within_the_stated_tolerance(by_hand):
    namespace, output = by_hand
    truth = np.append(namespace["w_true"].numpy(), namespace["b_true"])
    assert np.abs(learned(namespace) - truth).max() < TOLERANCE
    assert namespace["error"] < TOLERANCE
    assert np.abs(learned(namespace) - truth).max() > 0, "noise moves the fit"


U = 2.0**-24  # float32's unit roundoff


def gamma(k: int) -> float:
    """The classic bound on the relative error of a k-term float32 sum."""
    return k * U / (1 - k * U)


@pytest.mark.parametrize("threads", [None, 1])
def test_the_vector_gradient_is_autograds(by_hand, threads):
    """Equal within the float32 error bound of the two computations, on any CPU
    and any thread count (the order of the additions may differ between them)."""
    namespace = by_hand[0]
    X, y, n = namespace["X"], namespace["y"], namespace["n"]
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        generator = torch.Generator().manual_seed(1)
        w = torch.randn(3, generator=generator, requires_grad=True)
        b = torch.randn((), generator=generator, requires_grad=True)
        ((X @ w + b - y) ** 2).mean().backward()
        error = X @ w.detach() + b.detach() - y
        formula_w, formula_b = 2 / n * X.T @ error, 2 / n * error.sum()
    finally:
        torch.set_num_threads(before)
    # Each side is a sum of n products, scaled by 2/n: its error is at most
    # gamma(n + 3) times the sum of the terms' sizes. The residuals the two sides
    # start from are each within gamma(d + 2) times the size of their terms of the
    # exact ones, so they may differ by twice that.
    w_, b_ = w.detach().abs(), b.detach().abs()
    r_error = gamma(X.shape[1] + 2) * (X.abs() @ w_ + b_ + y.abs())
    terms_w = 2 / n * X.abs().T @ (error.abs() + r_error)
    terms_b = 2 / n * (error.abs() + r_error).sum()
    bound_w = 2 * gamma(n + 3) * terms_w + 2 * (2 / n * X.abs().T @ r_error)
    bound_b = 2 * gamma(n + 3) * terms_b + 2 * (2 / n * r_error.sum())
    assert ((formula_w - w.grad).abs() <= bound_w).all(), (formula_w, w.grad, bound_w)
    assert (formula_b - b.grad).abs() <= bound_b, (formula_b, b.grad, bound_b)
    # The bound is tight enough to matter: far below the gradients themselves.
    assert (bound_w < 1e-3 * w.grad.abs().max()).all()
    # nn_linear.py prints both at the start: the same numbers.
    lines = ran("many_features/nn_linear.py")[1].splitlines()
    assert lines[0].split(":")[1].strip() == lines[1].split(":")[1].strip()


def test_nn_linear_lands_on_the_hand_written_weights(by_hand):
    model = ran("many_features/nn_linear.py")[0]["model"]
    got = np.append(model.weight.detach().numpy()[0], model.bias.item())
    np.testing.assert_allclose(got, learned(by_hand[0]), atol=1e-4)
    assert model.weight.shape == (1, 3)
    # "the same weights, to the printed digits": the page's two lines agree.
    line = re.compile(r"^learned: .*$", re.M)
    printed = line.search(ran("many_features/nn_linear.py")[1])[0]
    assert printed == line.search(by_hand[1])[0]


def test_the_by_hand_code_computes_the_two_formulas_as_they_stand():
    """The page: the code computes (2/n) X^T (Xw + b - y) and (2/n) 1^T (...),
    with error.sum() for 1^T times the errors."""
    source = (ROOT / "snippets/many_features/by_hand.py").read_text(encoding="utf-8")
    assert "error = X @ w + b - y" in source
    assert "grad_w = 2 / n * X.T @ error" in source
    assert "grad_b = 2 / n * error.sum()" in source


def test_gradient_descent_agrees_with_lstsq(by_hand, lstsq):
    namespace, _ = lstsq
    exact = namespace["theta"].numpy()
    np.testing.assert_allclose(learned(by_hand[0]), exact, atol=1e-4)
    assert namespace["difference"] < 1e-4
    # lstsq itself, against NumPy's float64 least squares.
    A = np.c_[namespace["X"].double().numpy(), np.ones(200)]
    reference = np.linalg.lstsq(A, namespace["y"].double().numpy(), rcond=None)[0]
    np.testing.assert_allclose(exact, reference, atol=1e-4)


@pytest.mark.parametrize("threads", [None, 1])
def test_the_difference_from_lstsq_is_unfinished_convergence_and_float32(
    lstsq, threads
):
    """Two causes of about the same size: what 1000 epochs leave along the
    flattest direction (float64 shows it alone), and float32 rounding (the
    float32 loop gets no closer than a few millionths, however long it runs)."""
    namespace, output = lstsq
    X, y, n = namespace["X"], namespace["y"], namespace["n"]
    A = np.c_[X.double().numpy(), np.ones(n)]
    exact = np.linalg.lstsq(A, y.double().numpy(), rcond=None)[0]
    eigenvalues, eigenvectors = np.linalg.eigh(2 / n * A.T @ A)
    lambda_min = eigenvalues[0]
    assert namespace["lambda_min"] == pytest.approx(lambda_min, rel=1e-9)
    factor = (1 - 0.02 * lambda_min) ** 1000
    # (1 - 0.02 * 0.522)^1000, as issue 23 computed it
    assert factor == pytest.approx(2.8e-5, rel=0.02)
    along = abs(eigenvectors[:, 0] @ exact) * factor  # what is left along it
    assert namespace["start"] * namespace["factor"] == pytest.approx(along, rel=1e-6)
    # In float64 the other directions are gone: the difference is that alone ...
    left = namespace["left"]
    assert left == pytest.approx(along, rel=0.05)
    assert f"(1 - 0.02 lambda_min)^1000 = {factor:.1e}" in output
    assert f"from lstsq {left:.1e}" in output and f"{along:.1e} after 1000" in output
    # ... and more epochs remove it.
    theta, b64 = np.zeros(4), y.double().numpy()
    for _ in range(3000):
        theta = theta - 0.02 * 2 / n * A.T @ (A @ theta - b64)
    assert np.abs(theta - exact).max() < 1e-9
    # float32, the page's loop: within 1e-4, about twice as far as float64 after
    # 1000 epochs, and never closer than a millionth up to 5000.
    before = torch.get_num_threads()
    if threads:
        torch.set_num_threads(threads)
    try:
        w, b, thetas = torch.zeros(3), torch.tensor(0.0), []
        for _ in range(5000):
            error = X @ w + b - y
            w = w - 0.02 * 2 / n * X.T @ error
            b = b - 0.02 * 2 / n * error.sum()
            thetas.append(torch.cat([w, b.reshape(1)]))
    finally:
        torch.set_num_threads(before)
    distances = np.abs(torch.stack(thetas).double().numpy() - exact).max(axis=1)
    assert 0.25 < left / distances[999] < 1  # the same size; float32's larger
    assert 1e-6 < min(distances[999:]) and max(distances[999:]) < 1e-4


def test_standardising_cuts_the_epochs_tenfold_and_keeps_the_model(lstsq, scaling):
    namespace, output = scaling
    raw_epochs = namespace["results"]["raw"][1]
    scaled_epochs = namespace["results"]["standardised"][1]
    assert scaled_epochs * 10 < raw_epochs < 5000  # both converged
    X_scaled = namespace["X_scaled"]
    assert torch.allclose(X_scaled.mean(dim=0), torch.zeros(3), atol=1e-5)
    assert torch.allclose(X_scaled.std(dim=0, correction=0), torch.ones(3), atol=1e-5)
    back = np.append(namespace["w_back"].numpy(), namespace["b_back"].item())
    np.testing.assert_allclose(back, lstsq[0]["theta"].numpy(), atol=2e-3)
    assert f"{raw_epochs:6d}" in output and f"{scaled_epochs:6d}" in output


def test_condition_numbers_explain_it(scaling):
    namespace = scaling[0]
    epochs_to_converge, X = namespace["epochs_to_converge"], namespace["X"]
    _, _, _, raw_condition = epochs_to_converge(X, namespace["y"])
    _, _, _, scaled_condition = epochs_to_converge(
        namespace["X_scaled"], namespace["y"]
    )
    assert raw_condition > 50 > 2 > scaled_condition


def test_the_loss_stops_near_the_noise_variance_below_the_true_weights(by_hand):
    namespace, output = by_hand
    noise_variance = 0.1**2
    loss = namespace["loss"].item()
    assert noise_variance / 2 < loss < 2 * noise_variance
    true_loss = (namespace["noise"] ** 2).mean().item()
    X, y = namespace["X"], namespace["y"]
    recomputed = ((X @ namespace["w_true"] + namespace["b_true"] - y) ** 2).mean()
    assert recomputed.item() == pytest.approx(true_loss, rel=1e-4)
    assert loss < true_loss  # the fit bends towards this sample's noise
    assert f"loss of the true weights: {true_loss:.6f}" in output


def test_a_weights_curvature_is_2_std2_plus_mean2_and_its_bias_entry_2_mean(scaling):
    namespace, output = scaling
    X = namespace["X"].double()
    n, d = X.shape
    A = torch.cat([X, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    H = 2 / n * A.T @ A
    mean, std = X.mean(dim=0), X.std(dim=0, correction=0)
    assert torch.allclose(H.diag()[:d], 2 * (std**2 + mean**2), rtol=1e-12, atol=1e-12)
    # float64; a mean near 0 needs an absolute tolerance too
    assert torch.allclose(H[:d, d], 2 * mean, rtol=1e-12, atol=1e-12)
    printed = {
        line.split(":")[0]: line.split(":")[1].strip()
        for line in output.splitlines()[2:6]
    }
    assert printed["curvature of each weight"] == printed["2 (std^2 + mean^2)"]
    assert printed["weight-bias entries"] == printed["2 mean"]
    # The second feature: about ten times the third's spread, a mean far from 0.
    assert 8 < std[1] / std[2] < 12 and mean[1] > 3 * std[0]
    # Standardised: every curvature 2 and every bias entry 0.
    Xs = namespace["X_scaled"].double()
    As = torch.cat([Xs, torch.ones(n, 1, dtype=torch.float64)], dim=1)
    Hs = 2 / n * As.T @ As
    assert torch.allclose(Hs.diag(), torch.full((d + 1,), 2.0, dtype=torch.float64))
    assert torch.allclose(Hs[:d, d], torch.zeros(d, dtype=torch.float64), atol=1e-6)


def test_the_curvature_is_2_only_with_the_standard_deviation_that_divides_by_n(
    scaling,
):
    namespace, output = scaling
    X = namespace["X"].double()
    n = X.shape[0]
    mean = X.mean(dim=0)
    assert torch.equal(X.std(dim=0), X.std(dim=0, correction=1))  # torch's default
    for correction, curvature in [(0, 2.0), (1, 2 * (n - 1) / n)]:
        scaled = (X - mean) / X.std(dim=0, correction=correction)
        got = 2 / n * (scaled**2).sum(dim=0)
        assert torch.allclose(got, torch.full((3,), curvature, dtype=torch.float64))
        # The program's float32 run prints the same, to its four decimals.
        line = re.search(rf"correction={correction}: curvatures \[(.*)\]", output)
        printed = [float(v) for v in line[1].split(",")]
        assert printed == pytest.approx([curvature] * 3, abs=1e-4)
    assert 2 * (n - 1) / n == 1.99 and n == 200
    # The features the page trains on are standardised with correction=0.
    assert torch.allclose(
        namespace["std"], namespace["X"].std(dim=0, correction=0), rtol=0, atol=0
    )


# --- training and validation loss ---------------------------------------------------


@pytest.fixture(scope="module")
def validation():
    return run("many_features/validation.py")


def test_the_validation_set_is_new_data_and_training_is_the_first_programs(
    validation, by_hand
):
    namespace, _ = validation
    assert torch.equal(namespace["X"], by_hand[0]["X"])
    assert torch.equal(namespace["y"], by_hand[0]["y"])
    assert namespace["X_val"].shape == (namespace["n_val"], 3)
    assert namespace["n_val"] == 1000 and namespace["n"] == 200
    assert namespace["d"] + 1 == 4  # "4 parameters and 200 samples"
    assert not torch.isin(namespace["X_val"], namespace["X"]).any()
    assert torch.equal(namespace["w"], by_hand[0]["w"])  # the same loop, same steps


def test_training_and_validation_losses_fall_together_and_end_near_sigma2(validation):
    namespace, output = validation
    rows = re.findall(r"^ *(\d+) +(\d+\.\d+) +(\d+\.\d+)$", output, re.M)
    assert [int(r[0]) for r in rows] == [1, 10, 100, 1000]
    train = [float(r[1]) for r in rows]
    val = [float(r[2]) for r in rows]
    assert all(b < a for a, b in zip(train, train[1:], strict=False))
    assert all(b < a for a, b in zip(val, val[1:], strict=False))
    assert 0.005 < train[-1] < 0.02 and 0.005 < val[-1] < 0.02  # close to 0.01


def test_the_learned_weights_beat_the_truth_on_training_data_only(validation):
    losses = validation[0]["losses"]
    (learned_train, learned_val), (true_train, true_val) = (
        losses["learned"],
        losses["true"],
    )
    assert learned_train < true_train
    assert learned_val > true_val
    # Each set has its own noise: here the validation samples are less noisy.
    assert true_val < true_train


# --- the exercises -----------------------------------------------------------------


def test_exercise_drop_a_feature_underfits_on_both_sets():
    namespace, output = run("many_features/exercise_drop_a_feature.py")
    X, y, X_val, y_val = (namespace[k] for k in ["X", "y", "X_val", "y_val"])
    fit, mse = namespace["fit"], namespace["mse"]
    w, b = fit(X[:, :2], y)
    train, val = mse(X[:, :2], y, w, b), mse(X_val[:, :2], y_val, w, b)
    expected = 0.1**2 + 0.5**2  # sigma^2 + (weight 1 x spread 0.5)^2
    assert train == pytest.approx(expected, rel=0.15)
    assert val == pytest.approx(expected, rel=0.15)
    assert val == pytest.approx(train, rel=0.15)  # the same on both sets
    w3, _ = fit(X, y)
    assert (w - w3[:2]).abs().max() < 0.05  # the other weights barely move
    assert abs(b - (namespace["b_true"] + X[:, 2].mean().item())) < 0.05
    assert f"training loss {train:.4f}, validation loss {val:.4f}" in output


def test_exercise_useless_features_overfit():
    namespace, output = run("many_features/exercise_useless_features.py")
    results = namespace["results"]
    train3, val3, _ = results[3]
    train, val, w = results[153]
    sigma2 = 0.1**2
    assert train < sigma2 / 2 < sigma2 * 2 < val  # well below, and well above
    assert train < train3 and val > val3
    assert (w[3:].abs() > 0).all()  # not zero
    # The classical expectations for least squares with p parameters:
    # training sigma^2 (n - p) / n, validation about sigma^2 (1 + p / (n - p)).
    n, p = 200, 154
    assert train == pytest.approx(sigma2 * (n - p) / n, rel=0.5)
    assert val == pytest.approx(sigma2 * (1 + p / (n - p)), rel=0.5)
