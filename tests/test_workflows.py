"""The GitHub workflows: valid YAML, current actions, the CPU build of torch."""

from __future__ import annotations

import re

import pytest
import yaml

from snippet import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CURRENT = {  # the current major version of each official action
    "actions/checkout": "v6",
    "actions/setup-python": "v6",
    "actions/setup-node": "v6",
}


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


@pytest.mark.parametrize("name", ["test.yml", "deploy.yml"])
def test_workflow_uses_current_actions_and_the_cpu_torch(name: str):
    workflow = load(name)
    uses = [step["uses"] for step in steps(workflow) if "uses" in step]
    assert uses, name
    for action in uses:
        repo, version = action.split("@")
        assert CURRENT.get(repo) == version, f"{name}: {action}"
    for job in workflow["jobs"].values():
        assert (
            job["env"]["PIP_EXTRA_INDEX_URL"] == "https://download.pytorch.org/whl/cpu"
        )
        assert job["timeout-minutes"] <= 60


def test_test_workflow_runs_make_test_on_every_push_and_pull_request():
    workflow = load("test.yml")
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as True
    assert set(triggers) >= {"push", "pull_request"}
    assert any(step.get("run") == "make test" for step in steps(workflow))


def test_deploy_workflow_builds_strictly_from_main_and_publishes():
    workflow = load("deploy.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    runs = " ".join(step.get("run", "") for step in steps(workflow))
    assert "make site" in runs  # the strict build
    assert re.search(r"ghp-import .*--push", runs)
    assert workflow["permissions"] == {"contents": "write"}
