"""The home page: what it says about the four parts holds for the pages."""

import re
from html.parser import HTMLParser
from pathlib import Path

from snippet import CODE_CHAPTERS, ROOT, built_page, page_url
from tools.plugin import WITHOUT_EXERCISES, WITHOUT_EXERCISES_CLASS

PAGE = (ROOT / "docs/index.md").read_text(encoding="utf-8")


def test_each_part_hands_one_or_two_more_pieces_to_pytorch():
    """The table of the four parts: each row hands one or two pieces more
    than the row above to PyTorch, in bold."""
    rows = re.findall(r"^\| \[\d\. [^\]]+\]\([a-z_]+\.md\) \|(.*)\|$", PAGE, re.M)
    assert len(rows) == 4
    by_hand = [row.count("by hand") for row in rows]
    assert by_hand[0] == 4
    handed = [a - b for a, b in zip(by_hand, by_hand[1:], strict=False)]
    assert set(handed) <= {1, 2} and by_hand[-1] == 0
    for row in rows[1:]:  # the newly handed pieces are in bold
        assert row.count("**") // 2 in (1, 2)
    # The sentence above the table says what the rows do: Part 3 hands two.
    assert 2 in handed
    assert "Each part after the first hands one or two hand-written pieces" in PAGE
    # So does the whole tutorial's page, which lists the same four parts.
    whole = " ".join((ROOT / "docs/whole_tutorial.md").read_text("utf-8").split())
    assert "each part after the first handing one or two more pieces" in whole
    side = " ".join((ROOT / "docs/side_by_side.md").read_text("utf-8").split())
    assert "watch the pieces move, one or two per part," in side
    assert "one piece at a time" not in PAGE + side + whole


def test_running_a_snippet_elsewhere_is_not_promised_to_the_last_bit():
    """The page's numbers are this build's: NumPy's float32 np.dot may round
    differently on another CPU or version (side_by_side.md shows PyTorch and
    NumPy differing in a last bit), so the home page promises no "exactly"."""
    note = PAGE[PAGE.index("python snippets/numpy_by_hand/train.py") :]
    note = note[: note.index("To build this site")]
    assert "exactly" not in note and "round a last digit differently" in note


class _Listed(HTMLParser):
    """The links inside the span the build writes for WITHOUT_EXERCISES."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.hrefs = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and attrs.get("class") == WITHOUT_EXERCISES_CLASS:
            self.depth = 1
        elif self.depth and tag == "span":
            self.depth += 1
        elif self.depth and tag == "a":
            self.hrefs.append(attrs["href"])

    def handle_endtag(self, tag):
        if self.depth and tag == "span":
            self.depth -= 1


def test_the_chapters_said_to_have_no_exercises_are_those_that_say_so(
    site_dir: Path,
):
    """The home page lists the chapters without exercises from their own front
    matter (`exercises: false`), which the exercises' test reads too."""
    assert WITHOUT_EXERCISES in PAGE
    listed = _Listed()
    listed.feed(built_page(site_dir, "index.md"))
    opted_out = [c for c in CODE_CHAPTERS if not c.has_exercises]
    assert opted_out, "no chapter opts out: the sentence lists nothing"
    assert listed.hrefs == [page_url(c.src_uri) for c in opted_out]


def test_the_prerequisites_point_to_a_refresher():
    """The home page's links into the maths page lead to sections that hold
    an `??? info` box (the refresher)."""
    problem = (ROOT / "docs/problem.md").read_text(encoding="utf-8")
    prerequisites = PAGE[PAGE.index("\n## Prerequisites") :]
    anchors = re.findall(r"\(problem\.md#([\w-]+)\)", prerequisites)
    assert anchors, "the prerequisites do not link to the maths page"
    headings = list(re.finditer(r"^#{2,3} (.+)$", problem, re.M))
    for anchor in anchors:
        at = [h for h in headings if slug(h[1]) == anchor]
        assert at, f"problem.md has no section #{anchor}"
        following = [h.start() for h in headings if h.start() > at[0].start()]
        section = problem[at[0].start() : following[0] if following else None]
        assert "\n??? info " in section, f"problem.md#{anchor} holds no refresher"


def slug(heading: str) -> str:
    """A heading's anchor, as Python-Markdown's toc makes it."""
    from markdown.extensions.toc import slugify

    return slugify(heading, "-")
