"""No debris: a killed normalize leaves a temp file that says whose it is; the next run removes it.

Old code: 86 of 96 ``kill -9`` runs left a ``.NAME.XXXXXXXX.tmp`` next to the
target, never removed; SIGTERM left them too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from remap_backend import atomic

from .kit import CONTENT, listing, make_wheel
from .test_cli_normalize import REPO


def large_wheel(path: Path) -> Path:
    """A wheel with 48 MiB of stored random data: deflating it takes seconds."""
    content = dict(CONTENT, **{"demo/blob.bin": os.urandom(48 * 1024**2)})
    return make_wheel(path, content, compression=zipfile.ZIP_STORED)


def start_normalize(wheel: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'src'}:{REPO / 'backends'}")
    return subprocess.Popen([sys.executable, "-m", "remap_backend_cli", "normalize", "--recompress", str(wheel)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_temp(folder: Path, process: subprocess.Popen) -> Path:
    while process.poll() is None:
        temps = [p for p in folder.iterdir() if p.name.endswith(".tmp") and p.stat().st_size > 0]
        if temps:
            return temps[0]
        time.sleep(0.01)
    pytest.fail(f"normalize finished before it could be killed: {process.communicate()}")


def test_kill_9_mid_way_then_the_next_run_leaves_nothing_behind(tmp_path: Path) -> None:
    wheel = large_wheel(tmp_path / "demo-1.0-py3-none-any.whl")
    original = wheel.read_bytes()
    process = start_normalize(wheel)
    temp = wait_for_temp(tmp_path, process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert temp.exists() and f".remap-{atomic._HOST}-{process.pid}-" in temp.name
    assert wheel.read_bytes() == original
    again = start_normalize(wheel)
    out, err = again.communicate()
    assert again.returncode == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == [wheel.name]


#: ``remap-backend normalize --recompress`` that stops after its first member is written
#: (a sleep that signals interrupt), so the signal always lands mid-write, however loaded
#: the machine is: a timed race against a large wheel once lost under a busy CI run.
PAUSED_NORMALIZE = """
import signal, sys, time
from remap_backend.archives import wheel

# A shell starts background jobs with SIGINT ignored, and Python keeps an
# inherited SIG_IGN; restore what an interactive Ctrl-C reaches.
signal.signal(signal.SIGINT, signal.default_int_handler)

real_recompress = wheel._recompress

def paused(*args):
    digest = real_recompress(*args)
    print("mid-write", flush=True)
    time.sleep(120)
    return digest

wheel._recompress = paused
from remap_backend_cli.main import main
sys.exit(main(["normalize", "--recompress", sys.argv[1]]))
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_sigterm_and_sigint_clean_up(tmp_path: Path, signum: int) -> None:
    wheel = make_wheel(tmp_path / "demo-1.0-py3-none-any.whl", compression=zipfile.ZIP_STORED)
    before = listing(tmp_path)
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'src'}:{REPO / 'backends'}")
    process = subprocess.Popen([sys.executable, "-c", PAUSED_NORMALIZE, str(wheel)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, env=env)
    assert process.stdout is not None and process.stdout.readline() == "mid-write\n", process.communicate()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # a temp file exists now
    os.kill(process.pid, signum)
    out, err = process.communicate(timeout=60)
    assert process.returncode == (128 + signal.SIGTERM if signum == signal.SIGTERM else 130), err
    assert len(err.splitlines()) == 1 and ("terminated" in err or "interrupted" in err), err
    assert listing(tmp_path) == before


def test_temp_files_of_live_processes_and_other_names_are_kept(tmp_path: Path) -> None:
    mine = tmp_path / f".x.whl.remap-{atomic._HOST}-{os.getpid()}-abcd1234.tmp"
    other_host = tmp_path / ".x.whl.remap-elsewhere-999999999-abcd1234.tmp"
    foreign = tmp_path / ".x.whl.abcd1234.tmp"
    dead = tmp_path / f".x.whl.remap-{atomic._HOST}-999999999-abcd1234.tmp"
    for path in (mine, other_host, foreign, dead):
        path.write_bytes(b"partial")
    assert atomic.remove_stale_temps(tmp_path) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in (mine, other_host, foreign))
