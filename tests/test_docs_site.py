"""The documentation site builds strictly: every page in the nav renders, every link
between pages resolves, and the reference is generated from the public docstrings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_mkdocs_builds_strictly_with_the_generated_reference(tmp_path: Path) -> None:
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file",
         str(ROOT / "mkdocs.yml"), "--site-dir", str(site)],
        capture_output=True, text=True, cwd=ROOT, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    reference = (site / "reference" / "index.html").read_text(encoding="utf-8")
    for name in ("export_scores", "IngestReport", "LeaderboardRow", "RenownError", "top"):
        assert name in reference, name
    assert (site / "scoring" / "index.html").is_file()
    assert (site / "evaluation" / "index.html").is_file()
