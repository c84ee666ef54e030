"""``verify --frontends pip,build,uv``: one build with each real frontend, through the proxy.

Users build with pip, ``python -m build`` or uv, and each isolates, unpacks
and names things its own way; only builds by the frontends themselves show
whether they agree. The project is not edited: each run gets its own copy of
the tree with the installed proxy vendored into it (``vendor``'s edit, so the
frontend finds ``remap_backend`` through ``backend-path`` and no index needs
to have it). Every run also varies path, TMPDIR, umask, TZ, locale and hash
seed the way ``verify`` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

from .errors import RemapError
from .uvlocate import find_uv

FRONTENDS = ("pip", "build", "uv")


def parse(text: str) -> List[str]:
    """``pip,build,uv`` -> the list, refusing unknown or repeated names, and fewer than two."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in FRONTENDS]
    if unknown:
        raise RemapError(f"--frontends: unknown frontend {unknown[0]!r}; choose from {','.join(FRONTENDS)}")
    if len(set(names)) != len(names) or len(names) < 2:
        raise RemapError(f"--frontends {text!r}: give two or more different frontends, like pip,build,uv")
    return names


def command(frontend: str, source: Path, outdir: Path, python: Optional[str] = None) -> List[str]:
    """The wheel-building command line of ``frontend`` for ``source``."""
    interpreter = python or sys.executable
    if frontend == "pip":
        return [interpreter, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
                "--wheel-dir", str(outdir), str(source)]
    if frontend == "build":
        return [interpreter, "-m", "build", "--wheel", "--outdir", str(outdir), str(source)]
    uv = find_uv()
    if uv is None:
        raise RemapError("--frontends uv: uv is not on PATH; install it (pip install uv) or leave it out")
    return [uv, "build", "--wheel", "--python", interpreter, "--out-dir", str(outdir), str(source)]


def vendor_into(source: Path) -> None:
    """Point ``source``'s pyproject.toml at a copy of the installed proxy inside it."""
    import tomlkit

    from . import proxywheel, vendoring

    pyproject = source / "pyproject.toml"
    if not pyproject.is_file():
        raise RemapError(f"{source.name} has no pyproject.toml; --frontends needs one (pip, build and uv read it)")
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8"))
    vendoring.edit_pyproject(doc, vendoring.DEFAULT_DIR)
    vendoring.write_copy(source / vendoring.DEFAULT_DIR, proxywheel.package_files(proxywheel.package_dir()))
    vendoring.sdist_includes(source, vendoring.DEFAULT_DIR, doc)
    pyproject.write_text(doc.as_string(), encoding="utf-8")


def build(frontend: str, source: Path, outdir: Path, environment: Dict[str, str], umask: int, reporter,
          python: Optional[str] = None) -> List[Path]:
    """Build one wheel of ``source`` with ``frontend``; return the new files in ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = command(frontend, source, outdir, python)
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_BACKEND")}
    env.update(environment)
    reporter.log("$ " + subprocess.list2cmdline(cmd))
    with reporter.log_path.open("ab") as log:
        done = subprocess.run(cmd, cwd=source, env=env, stdout=None if reporter.verbose else log,
                              stderr=None if reporter.verbose else subprocess.STDOUT,
                              preexec_fn=lambda: os.umask(umask))
    if done.returncode != 0:
        reporter.note(reporter.log_tail())
        raise RemapError(f"{frontend} could not build {source.name} (exit {done.returncode}); "
                         f"its output is above (log: {reporter.keep_log()})")
    wheels = sorted(outdir.glob("*.whl"))
    if not wheels:
        raise RemapError(f"{frontend} reported success but wrote no wheel to {outdir}")
    return wheels
