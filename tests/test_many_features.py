"""Many features: the vector gradient, recovered weights, lstsq, scaling."""

import numpy as np
import pytest
import torch

from snippet import run

TOLERANCE = 0.05  # the page: learned weights within 0.05 of the true ones


@pytest.fixture(scope="module")
def by_hand():
    return run("many_features/by_hand.py")


@pytest.fixture(scope="module")
def lstsq():
    return run("many_features/lstsq.py")


@pytest.fixture(scope="module")
def scaling():
    return run("many_features/scaling.py")


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


def test_the_vector_gradient_is_autograds(by_hand):
    namespace = by_hand[0]
    X, y, n = namespace["X"], namespace["y"], namespace["n"]
    generator = torch.Generator().manual_seed(1)
    w = torch.randn(3, generator=generator, requires_grad=True)
    b = torch.randn((), generator=generator, requires_grad=True)
    ((X @ w + b - y) ** 2).mean().backward()
    error = X @ w.detach() + b.detach() - y
    assert torch.allclose(2 / n * X.T @ error, w.grad, rtol=1e-5)
    assert torch.allclose(2 / n * error.sum(), b.grad, rtol=1e-5)
    # nn_linear.py prints both at the start: the same numbers.
    lines = run("many_features/nn_linear.py")[1].splitlines()
    assert lines[0].split(":")[1].strip() == lines[1].split(":")[1].strip()


def test_nn_linear_lands_on_the_hand_written_weights(by_hand):
    model = run("many_features/nn_linear.py")[0]["model"]
    got = np.append(model.weight.detach().numpy()[0], model.bias.item())
    np.testing.assert_allclose(got, learned(by_hand[0]), atol=1e-4)
    assert model.weight.shape == (1, 3)


def test_gradient_descent_agrees_with_lstsq(by_hand, lstsq):
    namespace, _ = lstsq
    exact = namespace["theta"].numpy()
    np.testing.assert_allclose(learned(by_hand[0]), exact, atol=1e-4)
    assert namespace["difference"] < 1e-4
    # lstsq itself, against NumPy's float64 least squares.
    A = np.c_[namespace["X"].double().numpy(), np.ones(200)]
    reference = np.linalg.lstsq(A, namespace["y"].double().numpy(), rcond=None)[0]
    np.testing.assert_allclose(exact, reference, atol=1e-4)


def test_standardising_cuts_the_epochs_tenfold_and_keeps_the_model(lstsq, scaling):
    namespace, output = scaling
    raw_epochs = namespace["results"]["raw"][1]
    scaled_epochs = namespace["results"]["standardised"][1]
    assert scaled_epochs * 10 < raw_epochs < 5000  # both converged
    X_scaled = namespace["X_scaled"]
    assert torch.allclose(X_scaled.mean(dim=0), torch.zeros(3), atol=1e-5)
    assert torch.allclose(X_scaled.std(dim=0), torch.ones(3), atol=1e-5)
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


def test_the_loss_stops_at_the_size_of_the_noise(by_hand):
    noise_variance = 0.1**2
    assert noise_variance / 2 < by_hand[0]["loss"].item() < 2 * noise_variance
