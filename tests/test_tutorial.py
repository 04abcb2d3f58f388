"""docs/tutorial.ipynb runs top to bottom on the real Higgs data (executed by nbclient in
a fresh kernel), so the tutorial cannot drift from the API it teaches."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import shared_path

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


def test_the_tutorial_notebook_runs_on_higgs(monkeypatch: pytest.MonkeyPatch) -> None:
    higgs = shared_path("higgs/higgs-activity_time.txt.gz")
    monkeypatch.setenv("RENOWN_DATA", str(higgs.parents[1]))
    notebook = nbformat.read(ROOT / "docs" / "tutorial.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "docs")}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code"
               for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "quarantined" in text and "people scored as of 2012-07-07" in text
    assert "th percentile" in text and "top reacting accounts" in text
    assert os.environ["RENOWN_DATA"] == str(higgs.parents[1])
