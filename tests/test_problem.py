"""The maths page: the closed-form answer and the curvature it prints."""

import numpy as np

from snippet import run


def test_closed_form_is_two_and_curvature_is_fifteen():
    namespace, output = run("problem/closed_form.py")
    assert namespace["w_star"] == 2.0
    assert namespace["curvature"] == 15.0
    assert "w*    = 2.0" in output


def test_closed_form_zeroes_the_gradient():
    namespace, _ = run("problem/closed_form.py")
    X, y, w = namespace["X"], namespace["y"], namespace["w_star"]
    assert np.dot(X, w * X - y) == 0.0
