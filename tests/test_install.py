"""A plain (non-editable) install, run from another directory, builds a site."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_site

from digest import scaffold
from digest.cli import main

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
    assert "Related" in (site / "public/world/harbour-wall/index.html").read_text()
    assert (site / "public/static/style.css").is_file()


@pytest.mark.slow
def test_init_requirements_install_from_a_local_wheel_folder(tmp_path: Path) -> None:
    """What the Pages workflow does, offline from digest's side: the wheel built from
    this tree sits in a folder; a site made by `digest init` is installed from its own
    requirements.txt into a fresh venv (digest from the folder, its dependencies from
    the usual index) and builds there, strictly."""
    wheels = tmp_path / "wheels"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    (wheel,) = wheels.glob("digest_ssg-*.whl")
    site = tmp_path / "site"
    assert main(["init", str(site), "--base-url", "https://me.github.io/news/"]) == 0
    spec = [
        line
        for line in (site / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert spec == [scaffold.requirement().spec]
    if " @ " in spec[0]:  # installed from git here: point CI's line at the local wheel
        (site / "requirements.txt").write_text(f"digest-ssg=={wheel.name.split('-')[1]}\n")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    py = venv / "bin/python"
    r = subprocess.run(
        [
            str(py),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--find-links",
            str(wheels),
            "-r",
            str(site / "requirements.txt"),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run(
        [str(venv / "bin/digest"), "build", "--strict"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stdout + r.stderr[-3000:]
    assert r.stdout.startswith("built 1 article ")
    shown = subprocess.run(
        [str(py), "-c", "import digest; print(digest.__file__)"],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    assert str(venv) in shown  # the installed copy, not this tree
    assert (site / "public/news/welcome-to-your-digest/index.html").is_file()
