"""A plain (non-editable) install, run from another directory, builds a site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import write_site

REPO = Path(__file__).resolve().parent.parent


def test_non_editable_install_builds_from_another_directory(tmp_path: Path) -> None:
    target = tmp_path / "installed"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert (target / "digest/themes/default/templates/base.html").is_file()
    site = write_site(tmp_path / "elsewhere")
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import digest, sys; from digest.cli import main; "
        "assert digest.__file__.startswith(sys.argv[1]), digest.__file__; "
        "raise SystemExit(main(['build', '-q']))"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "Summary" in (site / "public/world/harbour-wall/index.html").read_text()
    assert (site / "public/static/style.css").is_file()
