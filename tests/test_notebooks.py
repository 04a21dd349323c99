"""The notebooks run from top to bottom against a fresh build: their views, their Chinese plots and
the map they open inside Jupyter's root."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_executes_against_a_fresh_build(path, corpus_build, monkeypatch, tmp_path):
    import nbclient
    import nbformat

    monkeypatch.setenv("KG_BUILD", str(corpus_build.files["nquads"].parent))
    folder = tmp_path / "notebooks"          # run a copy, as Jupyter would from notebooks/
    folder.mkdir()
    shutil.copy(path, folder / path.name)
    notebook = nbformat.read(folder / path.name, as_version=4)
    nbclient.NotebookClient(notebook, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}}).execute()
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    text = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "") + o.get("data", {}).get("text/html", "")
                   for o in outputs)
    assert "晶澳科技" in text and "leader" in text
    assert "missing from font" not in text, "a plot drew Chinese as boxes"
    frames = [o["data"]["text/html"] for o in outputs if "<iframe" in o.get("data", {}).get("text/html", "")]
    if path.name == "walkthrough.ipynb":
        # the map's iframe points at a file beside the notebook, inside the root Jupyter serves
        assert frames and 'src="graph.html"' in frames[0] and (folder / "graph.html").is_file()
        assert any("image/png" in o.get("data", {}) for o in outputs)
