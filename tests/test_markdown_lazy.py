"""Python-Markdown is imported only when a body is not plain prose: a rebuild that reads
no source again (or reads only plain prose) starts without it (15-20 ms)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
import digest.build, digest.cli
from digest.load.markdown import markdown_to_html
assert "markdown" not in sys.modules, "imported with digest"
print(markdown_to_html("Plain prose. Two sentences.", raw_html=False))
assert "markdown" not in sys.modules, "imported for plain prose"
print(markdown_to_html("Some *emphasis* and a [link](https://example.org).", raw_html=False))
assert "markdown" in sys.modules
"""


def test_python_markdown_is_imported_for_the_first_body_that_needs_it() -> None:
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "<p>Plain prose. Two sentences.</p>",
        '<p>Some <em>emphasis</em> and a <a href="https://example.org" '
        'rel="noopener noreferrer">link</a>.</p>',
    ]
