"""The package as a user installs it: a wheel built from this tree, installed into a
fresh virtual environment, runs the demo from an empty folder (so nothing is read from
the source tree: templates, static files, default models and ontologies ship inside)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, timeout: float = 600) -> str:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, " ".join(args) + "\n" + done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def test_the_built_wheel_installs_and_runs_the_demo(tmp_path: Path) -> None:
    dist, tree = tmp_path / "dist", tmp_path / "tree"
    # Build from a copy of the tracked files, so the test writes nothing into the
    # checkout; no isolation: the build backend comes from the dev install.
    tracked = _run(["git", "ls-files", "-z"], cwd=ROOT).split("\0")
    for name in filter(None, tracked):
        source = ROOT / name
        if source.is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    _run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist),
          str(tree)], cwd=tmp_path)
    wheel = next(dist.glob("renown-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "renown/py.typed" in names
    assert any(n.startswith("renown/interfaces/web/templates/") for n in names)
    assert any(n.startswith("renown/interfaces/web/static/") for n in names)
    # Dependencies come from this interpreter's site-packages; the package itself from
    # the wheel only (--no-deps: nothing is fetched).
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
          str(wheel)], cwd=tmp_path)
    work = tmp_path / "empty"
    work.mkdir()
    where = _run([str(python), "-c", "import renown, json; print(json.dumps(renown.__file__))"],
                 cwd=work)
    assert str(env_dir) in json.loads(where), "renown must load from the installed wheel"
    _run([str(env_dir / "bin" / "renown"), "demo", "--no-serve", "--people", "300",
          "--days", "31", "--dir", str(work / "demo")], cwd=work)
    db = next((work / "demo").rglob("*.duckdb"))
    top = json.loads(_run([str(env_dir / "bin" / "renown"), "top", "--limit", "3", "--json",
                           "--db", str(db)], cwd=work))
    assert len(top) == 3 and all(1 <= row["score"] <= 100 for row in top)
