"""The home page: what it says about the four parts holds for the pages."""

import re

from snippet import CODE_CHAPTERS, NO_EXERCISES, ROOT

PAGE = (ROOT / "docs/index.md").read_text(encoding="utf-8")


def test_each_part_hands_one_or_two_more_pieces_to_pytorch():
    assert "hands one or two more pieces over to PyTorch" in PAGE
    rows = re.findall(r"^\| \[\d\. [^\]]+\]\([a-z_]+\.md\) \|(.*)\|$", PAGE, re.M)
    assert len(rows) == 4
    by_hand = [row.count("by hand") for row in rows]
    assert by_hand[0] == 4
    handed = [a - b for a, b in zip(by_hand, by_hand[1:], strict=False)]
    assert set(handed) <= {1, 2} and by_hand[-1] == 0
    for row in rows[1:]:  # the newly handed pieces are in bold
        assert row.count("**") // 2 in (1, 2)


def test_the_pages_said_to_end_with_exercises_do():
    assert (
        "Every chapter with code,\nbut the side-by-side and troubleshooting pages, "
        "ends with exercises" in PAGE
    )
    for chapter in CODE_CHAPTERS:
        text = (ROOT / "docs" / chapter.src_uri).read_text(encoding="utf-8")
        has = "\n## Exercises\n" in text
        assert has == (chapter.src_uri not in NO_EXERCISES), chapter.src_uri


def test_the_prerequisites_point_to_the_refresher():
    problem = (ROOT / "docs/problem.md").read_text(encoding="utf-8")
    assert "(problem.md#the-data-and-the-model) has a short refresher" in PAGE
    section = problem[: problem.index("\n## The loss: mean squared error")]
    assert (
        '??? info "A refresher: sums, partial derivatives, dot product, transpose"'
        in (section)
    )
