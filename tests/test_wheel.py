"""The package as its users install it: a wheel, in a fresh virtual environment outside the repository."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

from conftest import ROOT, SAMPLE_PDF


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, f"{command}: {done.stdout}\n{done.stderr}"
    return done


def test_the_wheel_installs_and_scans_outside_the_repository(tmp_path):
    # Built the way pip builds it for an install (an isolated build environment with
    # the build requirements of pyproject.toml).
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", str(tmp_path / "dist"), str(ROOT)], tmp_path)
    [wheel] = (tmp_path / "dist").glob("banclassify-*.whl")

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path)
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)], tmp_path)
    # The dependencies come from this environment's site-packages (added as a path, so its
    # editable install of banclassify is not seen): installing them again would only cost time.
    site = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip())
    (site / "parent_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    where = run([str(python), "-c", "import banclassify; print(banclassify.__file__)"], tmp_path).stdout.strip()
    assert Path(where).is_relative_to(venv), where

    info = run([str(venv / "bin" / "banclassify"), "info"], tmp_path).stdout
    assert f"model: {site / 'banclassify' / 'models' / 'banclassify.joblib'}" in info

    scan = run([str(venv / "bin" / "banclassify"), "scan", str(SAMPLE_PDF)], tmp_path).stdout
    assert "9.64.040     moratorium" in scan
    assert scan.rstrip().endswith("strongest label: full_ban")

    classify = run([str(venv / "bin" / "banclassify"), "classify", "No City department shall obtain or use face recognition technology."], tmp_path).stdout
    assert classify.splitlines()[1].startswith("full_ban")
