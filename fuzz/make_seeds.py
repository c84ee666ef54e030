"""Write the seed corpus (fuzz/seeds/): small wheels, sdists and .pyc files of CPython 3.8-3.13.

Run once by hand (the seeds are kept in the repository); the .pyc seeds need
the interpreters under ``~/.pyenv/versions`` (missing ones are skipped).
"""

from __future__ import annotations

import glob
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "archives"))

import kit  # noqa: E402  (tests/archives/kit.py: small valid wheels and sdists)

SOURCE = (
    "import os\nLIMITS = (1000, 2000, 'shared', frozenset({'a', 'b', 'c'}), 2.5, 1j, b'x' * 3)\n"
    "def f(v, k=LIMITS):\n    return [v for v in k if v in {1, 2}] + [float('nan')]\n"
    "class C:\n    def m(self, *a, **kw):\n        try:\n            return {'x': a}\n"
    "        except Exception as e:\n            raise ValueError from e\n"
)
COMPILE = (
    "import importlib.util, marshal, sys\n"
    "code = compile(sys.stdin.read(), 'seed.py', 'exec')\n"
    "sys.stdout.buffer.write(importlib.util.MAGIC_NUMBER + b'\\x03\\0\\0\\0' + b'\\0' * 8 + marshal.dumps(code))\n"
)


def main() -> None:
    out = HERE / "seeds"
    out.mkdir(exist_ok=True)
    for python in sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.*/bin/python3"))):
        version = Path(python).parent.parent.name
        if tuple(int(p) for p in version.split(".")[:2]) < (3, 8):
            continue
        data = subprocess.run([python, "-c", COMPILE], input=SOURCE.encode(), capture_output=True,
                              check=True).stdout
        (out / f"pyc-{version}").write_bytes(b"P" + data)
    wheel = kit.make_wheel(out / "tmp.whl")
    (out / "wheel-plain").write_bytes(b"W" + wheel.read_bytes())
    wheel.unlink()
    wheel = kit.make_wheel(out / "tmp.whl", compression=__import__("zipfile").ZIP_STORED)
    (out / "wheel-stored").write_bytes(b"W" + wheel.read_bytes())
    wheel.unlink()
    files = {"PKG-INFO": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n", "pyproject.toml": b"[project]\n",
             "src/demo/__init__.py": SOURCE.encode(), "src/demo/data.bin": bytes(range(256))}
    sdist = kit.make_sdist(out / "tmp.tar.gz", files, executable=["src/demo/data.bin"])
    (out / "sdist-plain").write_bytes(b"S" + sdist.read_bytes())
    sdist.unlink()


if __name__ == "__main__":
    main()
