"""The parser that pytest-markdown-docs uses for docs/ (loaded with -p).

pytest-markdown-docs turns every ```python fence in docs/*.md into a test. Two
things stand between it and the pages as MkDocs renders them:

* a fence's body is a `--8<-- "snippets/..."` include, which pymdownx.snippets
  expands at build time. The parser below expands it with pymdownx's own
  SnippetPreprocessor, configured from mkdocs.yml, so tests and build run the
  same code;
* fences indented inside content tabs (`=== "Tab"`) and admonitions (`!!!`,
  `???`) are indented code blocks to CommonMark and would be silently skipped.
  The parser removes those containers' indentation first (line numbers are
  kept), and tests/test_site.py proves by counting that nothing is skipped.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
from markdown_it import MarkdownIt
from mkdocs.utils.yaml import yaml_load

ROOT = Path(__file__).resolve().parent.parent
CONTAINER_RE = re.compile(r"^(?P<indent> *)(?:===|!!!|\?\?\?\+?) ")


def mkdocs_config() -> dict:
    with open(ROOT / "mkdocs.yml", encoding="utf-8") as file:
        return yaml_load(file)


def snippets_options() -> dict:
    for extension in mkdocs_config()["markdown_extensions"]:
        if isinstance(extension, dict) and "pymdownx.snippets" in extension:
            options = dict(extension["pymdownx.snippets"])
            options["base_path"] = [str(ROOT / p) for p in options["base_path"]]
            return options
    raise LookupError("mkdocs.yml does not configure pymdownx.snippets")


def dedent_containers(src: str) -> str:
    """Remove the indentation of content tabs and admonitions, line for line."""
    out, stack = [], []  # stack: indentation of each open container
    for line in src.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if line.strip():
            while stack and indent < stack[-1] + 4:
                stack.pop()
        shift = 4 * len(stack)
        out.append(line[shift:] if line.strip() else "")
        opener = CONTAINER_RE.match(line)
        if opener:
            stack.append(len(opener["indent"]))
    return "\n".join(out)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={"pymdownx.snippets": snippets_options()},
    )
    snippets = md.preprocessors["snippet"]

    def dedent_rule(state) -> None:
        state.src = dedent_containers(state.src)

    def include_rule(state) -> None:
        for token in state.tokens:
            if token.type == "fence":
                lines = token.content.rstrip("\n").split("\n")
                token.content = "\n".join(snippets.run(lines)) + "\n"

    parser = MarkdownIt("commonmark")
    parser.core.ruler.before("block", "dedent_containers", dedent_rule)
    parser.core.ruler.after("block", "expand_includes", include_rule)
    return parser
