"""Rebuild a pinned corpus of real compiled sdists twice through the proxy; table the results.

Each sdist (the pinned list is ``CORPUS`` below) is downloaded once into the
cache, then built twice with ``remap-backend build`` from this checkout
(``src/`` and ``backends/`` first on ``PYTHONPATH``), each time from a fresh
copy of the unpacked sdist in a different directory, with a different
TMPDIR, working directory, umask (022 / 077) and time zone (UTC /
Asia/Tokyo). The two wheels are compared by sha256 and searched for the
paths of both builds: the source copies, the TMPDIRs (the isolated build
environments live there), the home directory (the pyenv interpreter is under
it), the interpreter's prefix, the cargo and rustup homes, and the names of
random directories that frontends and backends make. Each sdist ends up
*identical* (same sha256, no path), *leak* (a path found; the wheels may also
differ), *differs* (no path, different bytes; ``remap-backend diff`` names
the member and what differs) or *build failed* (or timed out).

    PYTHONPATH=$PWD/backends:$PWD/src python3 benchmarks/corpus.py            # all, writes docs/corpus.md
    PYTHONPATH=$PWD/backends:$PWD/src python3 benchmarks/corpus.py --only markupsafe --no-write

Two builds run at once with ``--jobs 2``; the default is one, because every
build already uses both cores of the 2-core machine this was written on.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

REPO = Path(__file__).resolve().parents[1]
for _part in ("tests", "backends", "src"):  # this checkout first, whatever is installed
    if str(REPO / _part) not in sys.path:
        sys.path.insert(0, str(REPO / _part))

DEFAULT_CACHE = Path(os.environ.get("REMAP_CORPUS_CACHE") or Path.home() / ".cache" / "remap-corpus")
DEFAULT_OUTPUT = REPO / "docs" / "corpus.md"
TEXT_SUFFIXES = (".py", ".pyi", ".txt", ".json", ".cfg", ".ini", ".toml", ".pc", ".cmake", ".h", ".hpp", ".md")


@dataclass(frozen=True)
class Sdist:
    """One pinned sdist of the corpus and what it covers."""

    name: str
    version: str
    backend: str  # the build backend it declares
    covers: str  # languages and features worth naming
    ci: bool = False  # part of the fast subset in tests/corpus/

    @property
    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


#: Pinned to versions that build on CPython 3.11 with the backends the index serves today.
CORPUS: tuple[Sdist, ...] = (
    # setuptools, C
    Sdist("markupsafe", "3.0.2", "setuptools", "C", ci=True),
    Sdist("simplejson", "3.19.3", "setuptools", "C", ci=True),
    Sdist("ujson", "5.10.0", "setuptools", "C, C++ (double-conversion)"),
    Sdist("wrapt", "1.17.0", "setuptools", "C"),
    Sdist("psutil", "6.1.0", "setuptools", "C"),
    Sdist("bitarray", "3.0.0", "setuptools", "C"),
    Sdist("mmh3", "5.0.1", "setuptools", "C", ci=True),
    Sdist("xxhash", "3.5.0", "setuptools", "C (bundled xxHash)"),
    Sdist("lz4", "4.3.3", "setuptools", "C (bundled lz4)"),
    Sdist("setproctitle", "1.3.4", "setuptools", "C", ci=True),
    Sdist("multidict", "6.1.0", "setuptools", "C"),
    # setuptools, C++ / Cython
    Sdist("greenlet", "3.1.1", "setuptools", "C++", ci=True),
    Sdist("kiwisolver", "1.4.7", "setuptools", "C++ (cppy)"),
    Sdist("pyyaml", "6.0.2", "setuptools", "Cython, system libyaml", ci=True),
    Sdist("msgpack", "1.1.0", "setuptools", "Cython"),
    Sdist("cymem", "2.0.10", "setuptools", "Cython, C++", ci=True),
    Sdist("murmurhash", "1.0.11", "setuptools", "Cython, C++", ci=True),
    # numpy headers
    Sdist("cftime", "1.6.4.post1", "setuptools", "Cython, numpy headers"),
    Sdist("bottleneck", "1.4.2", "setuptools", "C, numpy headers", ci=True),
    # scikit-build-core
    Sdist("levenshtein", "0.27.1", "scikit-build-core", "Cython, C++ (CMake)"),
    Sdist("spglib", "2.6.0", "scikit-build-core", "C (CMake)", ci=True),
    # meson-python
    Sdist("contourpy", "1.3.1", "meson-python", "C++ (pybind11), writes _build_config.py"),
    Sdist("cysignals", "1.12.3", "meson-python", "Cython, C", ci=True),
    Sdist("pywavelets", "1.8.0", "meson-python", "Cython, C, numpy headers"),
    # Rust
    Sdist("jellyfish", "1.1.0", "maturin", "Rust (PyO3)"),
    Sdist("rpds-py", "0.22.3", "maturin", "Rust (PyO3)"),
    Sdist("bcrypt", "4.2.1", "setuptools-rust", "Rust (PyO3)"),
    # in-tree backends (aio-libs: packaging/pep517_backend, copies the tree into a temp dir)
    Sdist("frozenlist", "1.5.0", "in-tree (setuptools)", "Cython", ci=True),
    Sdist("propcache", "0.2.1", "in-tree (setuptools)", "Cython", ci=True),
)


@dataclass(frozen=True)
class Variation:
    """What one of the two builds of an sdist looks like."""

    label: str
    source_parent: str  # relative to the sdist's work directory
    tmpdir: str
    cwd: str
    umask: int
    timezone: str


VARIATIONS = (
    Variation("run 1", "r1/src", "r1/tmp", "r1", 0o022, "UTC"),
    Variation("run 2", "r2/deeper/other-place.2", "r2/t/mp-longer-name", "r2/deeper", 0o077, "Asia/Tokyo"),
)
#: ``--spaces``: run 2's source copy, TMPDIR and working directory under names with a space,
#: as in ``/Users/<first> <last>`` or ``~/My Projects``.
SPACED_VARIATIONS = (
    VARIATIONS[0],
    Variation("run 2", "r2/My Projects/other place", "r2/t/mp with space", "r2/My Projects", 0o077, "Asia/Tokyo"),
)


@dataclass
class Build:
    variation: Variation
    source: Path
    tmpdir: Path
    seconds: float = 0.0
    wheel: Path | None = None
    error: str = ""


@dataclass
class Result:
    sdist: Sdist
    status: str = ""  # identical, differs, leak, build failed
    cause: str = ""
    builds: list[Build] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "identical"

    @property
    def seconds(self) -> str:
        return " / ".join(f"{b.seconds:.0f}" for b in self.builds) or "-"


# -- download -----------------------------------------------------------------


def sdist_file(sdist: Sdist, cache: Path) -> Path:
    """The cached sdist, downloaded with ``pip download`` the first time."""
    folder = cache / "sdists" / sdist.requirement
    found = _sdists_in(folder)
    if not found:
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", sdist.name,
                   "--disable-pip-version-check", "--quiet", "--dest", str(folder), sdist.requirement]
        done = subprocess.run(command, capture_output=True, text=True)
        found = _sdists_in(folder)
        if done.returncode != 0 or not found:
            raise RuntimeError(f"pip download {sdist.requirement} failed: {_last_lines(done.stderr)}")
    return found[0]


def _sdists_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.name.endswith((".tar.gz", ".zip")))


# -- one build ----------------------------------------------------------------


def build_environment(build: Build, cache: Path) -> dict[str, str]:
    """The user's environment with this checkout's CLI and proxy first and the run's TMPDIR and TZ."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REMAP_") and k != "SOURCE_DATE_EPOCH"}
    path = [str(REPO / "src"), str(REPO / "backends")] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env.update(PYTHONPATH=os.pathsep.join(path), REMAP_BACKEND_CACHE=str(cache / "remap-backend"),
               TMPDIR=str(build.tmpdir), TZ=build.variation.timezone, UV_NO_PROGRESS="1")
    return env


#: Builds under way, each the leader of its own session, so ^C in main() can end them all.
_RUNNING: set[subprocess.Popen] = set()
_STOPPING = threading.Event()


def stop_running_builds() -> None:
    for process in list(_RUNNING):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


def run_build(sdist_path: Path, build: Build, workdir: Path, cache: Path, timeout: float) -> None:
    """Unpack a fresh copy, then ``remap-backend build`` it under the run's conditions."""
    from remap_backend_cli import sources

    build.tmpdir.mkdir(parents=True)
    build.source.parent.mkdir(parents=True, exist_ok=True)
    unpacked = sources.unpack_sdist(sdist_path, build.source.parent)
    assert unpacked == build.source, (unpacked, build.source)
    outdir = build.source.parent / "wheelhouse"
    cwd = workdir / build.variation.cwd
    cwd.mkdir(parents=True, exist_ok=True)
    log = build.source.parent / "build.log"
    command = [sys.executable, "-m", "remap_backend_cli", "build", str(build.source), "-o", str(outdir), "--verbose"]
    start = time.monotonic()
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=cwd, env=build_environment(build, cache), stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=lambda: os.umask(build.variation.umask))
        _RUNNING.add(process)
        try:
            returncode = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:  # the build's own session: a timeout or ^C takes its compilers too
            if process.poll() is None or returncode is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            _RUNNING.discard(process)
    build.seconds = time.monotonic() - start
    if returncode is None:
        build.error = f"timed out after {timeout:.0f} s"
        return
    wheels = sorted(outdir.glob("*.whl")) if outdir.is_dir() else []
    if returncode != 0 or len(wheels) != 1:
        build.error = _failure_line(log.read_text(errors="replace"))
        return
    build.wheel = wheels[0]


def _record(build: Build) -> Path:
    return build.source.parent / "build.json"


def _save_build(build: Build) -> None:
    wheel = str(build.wheel) if build.wheel else None
    _record(build).write_text(json.dumps({"seconds": build.seconds, "error": build.error, "wheel": wheel}))


def _load_build(build: Build) -> bool:
    """Take an earlier run's outcome of this build (``--reuse``); False if there is none."""
    try:
        saved = json.loads(_record(build).read_text())
    except (OSError, ValueError):
        return False
    build.seconds, build.error = saved["seconds"], saved["error"]
    build.wheel = Path(saved["wheel"]) if saved["wheel"] else None
    return build.wheel is None or build.wheel.is_file()


def _failure_line(log: str) -> str:
    """The most telling line of a failed build's log."""
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    for marker in ("remap-backend: error:", "error:", "Error:", "ERROR:"):
        found = [line for line in lines if marker in line]
        if found:
            return found[0][:300] if marker != "remap-backend: error:" else found[-1][:300]
    return (lines[-1] if lines else "no output")[:300]


def _last_lines(text: str, count: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-count:])


# -- leak search and comparison -------------------------------------------------


def forbidden_paths(builds: Sequence[Build]) -> list[str]:
    """Every path that varies between the two builds or names this machine's user."""
    home = os.path.expanduser("~")
    candidates = [home, sys.prefix, sys.base_prefix,
                  os.environ.get("CARGO_HOME") or os.path.join(home, ".cargo"),
                  os.environ.get("RUSTUP_HOME") or os.path.join(home, ".rustup")]
    for build in builds:
        root = build.source.parent
        candidates += [str(build.source), str(build.tmpdir), str(root), os.path.realpath(root)]
    return list(dict.fromkeys(c for c in candidates if c and c.rstrip("/") not in {"", "/usr", "/usr/local", "/tmp"}))


#: Characters that continue a path (as ``remap-backend scan`` reads them).
_PATH_CHARS = "A-Za-z0-9._+\\-@~%=,"


def _path_token(excerpt: str, needle: str) -> str | None:
    """The whole path that starts with ``needle`` in ``excerpt``, or None if the needle only
    occurs inside another path (``/root`` in ``/dev/root``, ``/root`` in ``/rootfs``)."""
    pattern = re.compile(rf"(?<![{_PATH_CHARS}/]){re.escape(needle)}(?![{_PATH_CHARS}])[{_PATH_CHARS}/]*")
    match = pattern.search(excerpt)
    return match.group() if match else None


def sdist_text(archive: Path) -> bytes:
    """Every file of the sdist, concatenated: a path already written there is the authors', not ours."""
    import tarfile

    chunks = []
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is not None:
                chunks.append(handle.read())
    return b"\0".join(chunks)


def find_leaks(wheel: Path, needles: Sequence[str], upstream: bytes = b"") -> list[str]:
    """One line per member and path: from the tests' byte/ELF/DWARF search and ``remap-backend scan``.

    A needle counts where it starts a path (so home ``/root`` is not found in ``/dev/root``).
    ``remap-backend scan`` also reports any /home/*, /Users/*, /tmp/... string; such a path
    counts unless it is already in the sdist (``upstream``), written there by the authors
    (``/home/giampaolo/monit.py`` in psutil's README).
    """
    from remap_backend_cli import pathscan
    from support import frontends
    from support.leaks import find_leaks as search

    found: dict[tuple[str, str], str] = {}
    for leak in search(frontends.wheel_members(wheel), needles):
        path = _path_token(leak.excerpt, leak.found) if leak.found.startswith("/") else leak.found
        if path is None or (path.startswith("/") and path.encode() in upstream):
            continue
        key = (leak.member, path)
        if key not in found or found[key].startswith(f"{leak.member}: raw bytes:"):
            found[key] = f"{leak.member}: {leak.where}: {leak.excerpt}"  # the most specific place wins
    for finding in pathscan.scan_path(wheel, given=needles, home=os.path.expanduser("~")):
        member = finding.file.split("!", 1)[-1]
        if finding.path.encode() in upstream or any(m == member and finding.path.startswith(p) for m, p in found):
            continue
        where = f"section {finding.section}" if finding.section else "raw bytes"
        found[(member, finding.path)] = f"{member}: {where}: {finding.path} ({finding.kind})"
    return sorted(found.values())


def leak_causes(leaks: Sequence[str], builds: Sequence[Build] = ()) -> list[str]:
    """Group leak lines into causes: the interpreter's rpath, a build-info file, or which
    directory of the build (source copy, TMPDIR, a directory made in it, home) reached which member."""
    libdir = os.path.join(sys.base_prefix, "lib")
    causes: dict[str, None] = {}
    for line in leaks:
        member, _, rest = line.partition(": ")
        if libdir in rest and (".dynstr" in rest or "raw bytes" in rest) and member.endswith((".so", ".pyd")) \
                and "debug" not in rest:
            causes[f"interpreter rpath {libdir} in DT_RUNPATH"] = None
        elif member.endswith(TEXT_SUFFIXES) or member.rsplit("/", 1)[-1].startswith("_build_config"):
            causes[f"build-info file {member}"] = None
        else:
            where = rest.split(": ", 1)[0]
            causes[f"{_which_directory(rest, builds)} in {member} ({where})"] = None
    return list(causes)


def _which_directory(text: str, builds: Sequence[Build]) -> str:
    """Name the directory of the build that ``text`` contains."""
    for build in builds:
        if str(build.tmpdir) in text:
            after = text.split(str(build.tmpdir), 1)[1]
            return "temp dir made during the build" if re.match(r"/[^/]*[A-Za-z0-9_]{8}(/|$)", after) \
                and "build-env-" not in after else "unmapped TMPDIR"
        if str(build.source) in text:
            spaced = " (it has a space)" if " " in str(build.source) else ""
            return f"unmapped source directory{spaced}"
    home = os.path.expanduser("~")
    if home in text:
        return "home directory"
    return f"path {_short(text, 120)}"


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


_STRINGS = re.compile(rb"[\x20-\x7e]{6,}")
#: A random directory name under the mapped TMPDIR (``tempfile.mkdtemp`` of the backend or its wrapper).
_MADE_DURING_BUILD = re.compile(r"/remap/tmp/[^/]*[A-Za-z0-9_]{8}(/|$)")


def string_differences(first: Path, second: Path, member: str) -> str | None:
    """The printable strings of a changed binary member that only one build has (a random name shows)."""
    import zipfile

    with zipfile.ZipFile(first) as a, zipfile.ZipFile(second) as b:
        strings_a = set(_STRINGS.findall(a.read(member)))
        strings_b = set(_STRINGS.findall(b.read(member)))
    only_a = sorted(x.decode() for x in strings_a - strings_b)[:2]
    only_b = sorted(x.decode() for x in strings_b - strings_a)[:2]
    if not only_a and not only_b:
        return None
    random_dirs = [x for x in only_a + only_b if _MADE_DURING_BUILD.search(x)]
    label = "temp dir made during the build, " if random_dirs else ""
    return f"{label}strings in {member}: run 1 only {only_a}, run 2 only {only_b}"


def wheel_differences(first: Path, second: Path) -> list[str]:
    """What ``remap-backend diff`` says differs: the changed members and likely causes."""
    from remap_backend_cli.compare import diff_paths

    report = diff_paths(first, second)
    lines = [f"changed: {entry.name}" for entry in report.changed][:5]
    for entry in report.changed[:5]:
        if entry.kind == "elf" and not entry.dwarf_paths:
            found = string_differences(first, second, entry.name)
            if found:
                lines.append(found)
    lines += [f"added/removed: {name}" for name in (*report.added, *report.removed)][:5]
    lines += [f"likely cause: {cause}" for cause in report.causes[:4]]
    return lines


def _dynstr_sizes(wheel: Path) -> dict[str, int]:
    """Size of ``.dynstr`` of every ELF member."""
    import io
    import zipfile

    from elftools.elf.elffile import ELFFile

    sizes = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if data[:4] == b"\x7fELF":
                section = ELFFile(io.BytesIO(data)).get_section_by_name(".dynstr")
                if section is not None:
                    sizes[name] = section.data_size
    return sizes


def dynstr_notes(builds: Sequence[Build]) -> list[str]:
    """Name a ``.dynstr`` that grew by exactly as much as a build directory's path did.

    CMake links in the build tree with an RPATH to it and rewrites that RPATH at install
    time, zeroing the old string but keeping its length: no path is left, but the string
    table's size (and every offset after it) follows the length of the build directory.
    """
    first, second = builds
    grown = {len(str(second.tmpdir)) - len(str(first.tmpdir)), len(str(second.source)) - len(str(first.source))}
    sizes_a, sizes_b = _dynstr_sizes(first.wheel), _dynstr_sizes(second.wheel)
    notes = []
    for name, size in sizes_a.items():
        delta = sizes_b.get(name, size) - size
        if delta and delta in grown:
            notes.append(f"build-tree RPATH length: .dynstr of {name} is {delta:+d} bytes in run 2, exactly the "
                         "length difference of the build directories (an RPATH rewritten at install keeps its space)")
    return notes


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- one sdist ------------------------------------------------------------------


def rebuild(sdist: Sdist, cache: Path, work: Path, timeout: float, reuse: bool = False,
            variations: Sequence[Variation] = VARIATIONS) -> Result:
    """Download (once), build twice under different conditions, classify.

    ``reuse`` takes the wheels an earlier run left in ``work`` (to classify again without building).
    """
    result = Result(sdist)
    try:
        archive = sdist_file(sdist, cache)
    except RuntimeError as exc:
        result.status, result.cause = "build failed", str(exc)
        return result
    workdir = work / sdist.requirement.replace("==", "-")
    if workdir.exists() and not reuse:
        shutil.rmtree(workdir)
    from remap_backend_cli.sources import sdist_stem

    for variation in variations:
        build = Build(variation, workdir / variation.source_parent / sdist_stem(archive), workdir / variation.tmpdir)
        result.builds.append(build)
        if _STOPPING.is_set():
            raise KeyboardInterrupt
        if not (reuse and _load_build(build)):
            run_build(archive, build, workdir, cache, timeout)
            _save_build(build)
        if build.error:
            result.status, result.cause = "build failed", f"{variation.label}: {build.error}"
            return result
    first, second = (b.wheel for b in result.builds)
    needles = forbidden_paths(result.builds)
    upstream = sdist_text(archive)
    result.leaks = sorted(set(find_leaks(first, needles, upstream)) | set(find_leaks(second, needles, upstream)))
    identical = sha256(first) == sha256(second)
    if not identical:
        result.differences = dynstr_notes(result.builds) + wheel_differences(first, second)
    if result.leaks:
        result.status = "leak"
        result.cause = "; ".join(leak_causes(result.leaks, result.builds))
        if not identical:
            result.cause += "; also differs: " + "; ".join(
                d for d in result.differences if d.startswith(("changed", "build-tree RPATH", "strings in", "temp dir")))
    elif not identical:
        result.status, result.cause = "differs", "; ".join(d for d in result.differences if not d.startswith("likely"))
    else:
        result.status = "identical"
    return result


# -- the table -------------------------------------------------------------------


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or "-"


#: What each kind of cause means and what fixes it (issue 9's items), for the table's readers.
EXPLANATIONS = (
    ("interpreter rpath", "The pyenv interpreter (built with `--enable-shared`) puts `-Wl,-rpath,<its libdir>` "
     "into `LDSHARED`, so setuptools links every C extension with `DT_RUNPATH` = the builder's "
     "`~/.pyenv/versions/3.11.7/lib` (extensions linked as C++ use `LDCXXSHARED`, plain `g++ -shared`, "
     "and are spared). No compiler path map reaches the dynamic section. Fix: drop rpath entries "
     "that point into the interpreter's prefix, the build environment, the source tree, TMPDIR or home at link time "
     "or from the ELF afterwards (issue 9, item 1)."),
    ("build-info file", "The project writes a text file that records the build (a `.pc` file with the install "
     "prefix, a `_build_config.py` with the build environment's interpreter and the build directory). "
     "Fix: scrub this build's varying paths from text members of the wheel (issue 9, item 2)."),
    ("temp dir", "A directory made during the build (`tempfile.mkdtemp()` by an in-tree backend that copies the "
     "tree, or by the backend) is not mapped, and its random name reaches the binary. Fix: deterministic "
     "temporary directories inside the hook process (issue 9, item 3)."),
    ("build-tree RPATH length", "CMake links in the build tree with an RPATH naming it and rewrites it "
     "(here to `$ORIGIN/lib`) at install, zeroing the old string but keeping its length: no path is left, but "
     "the size of `.dynstr`, and every offset after it, follows the length of the build directory. Fix: put "
     "the build directory at a path of constant length, or configure with "
     "`CMAKE_BUILD_WITH_INSTALL_RPATH=ON` so the build-tree RPATH is never written."),
    ("timed out", "The build took longer than `--timeout`; rerun it alone with a larger budget."),
)


def _variation_text(variation: Variation) -> str:
    return (f"{variation.label}: source copy in `{variation.source_parent}/`, TMPDIR `{variation.tmpdir}`, "
            f"working directory `{variation.cwd}`, umask {variation.umask:03o}, `TZ={variation.timezone}`")


def render(results: Sequence[Result], elapsed: float, jobs: int, variations: Sequence[Variation] = VARIATIONS) -> str:
    good = sum(r.ok for r in results)
    lines = [
        "# Real-world corpus",
        "",
        "Rerun (one command, from the top of the checkout; downloads are cached in `~/.cache/remap-corpus`):",
        "",
        "```bash",
        "PYTHONPATH=$PWD/backends:$PWD/src python3 benchmarks/corpus.py --jobs 2   # all; rewrites this file",
        "PYTHONPATH=$PWD/backends:$PWD/src python3 benchmarks/corpus.py --only bcrypt --no-write",
        "python3 -m pytest -m e2e tests/corpus -n 2                               # the CI subset",
        "```",
        "",
        "The sdists are pinned in `CORPUS` in `benchmarks/corpus.py`. Each is built twice with",
        "`remap-backend build` from this checkout, each time from a fresh copy of the unpacked sdist:",
        "",
        *[f"- {_variation_text(v)}" for v in variations],
        "",
        "(paths relative to one work directory per sdist). The two wheels are compared by sha256 and searched",
        "(raw bytes, every ELF section decompressed, DWARF paths, and `remap-backend scan`) for both source",
        "copies, both TMPDIRs (the isolated build environments live there), the home directory, the",
        "interpreter's prefix, the cargo and rustup homes, and the random directory names that frontends and",
        "backends make. A path the sdist itself already contains (an author's `/home/...` in a README) is not",
        "counted. *identical*: same sha256 and no path; *leak*: a path found (the wheels may differ too);",
        "*differs*: no path but different bytes (`remap-backend diff` names the member); *build failed*.",
        "",
        f"**{good} of {len(results)} identical and leak-free.** Run time {elapsed / 60:.1f} min with "
        f"`--jobs {jobs}` on {os.cpu_count()} cores (shared with other builds), CPython {sys.version.split()[0]} "
        f"(`{sys.base_prefix}`), {time.strftime('%Y-%m-%d', time.gmtime())}.",
        "",
        "| sdist | backend | covers | CI | result | cause | build s (run 1 / 2) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in results:
        lines.append(f"| {r.sdist.requirement} | {r.sdist.backend} | {_cell(r.sdist.covers)} | "
                     f"{'yes' if r.sdist.ci else ''} | **{r.status}** | {_cell(_short(r.cause, 600))} | {r.seconds} |")
    causes = " ".join(r.cause for r in results if not r.ok)
    present = [(key, text) for key, text in EXPLANATIONS if key in causes]
    if present:
        lines += ["", "## Causes and fixes", ""]
        lines += [f"- **{key}**: {text}" for key, text in present]
    details = [r for r in results if r.leaks or r.differences]
    if details:
        lines += ["", "## Details", ""]
        for r in details:
            lines.append(f"### {r.sdist.requirement}")
            lines.append("")
            lines += [f"- `{_short(line, 300)}`" for line in (r.leaks[:8] + r.differences[:6])]
            if len(r.leaks) > 8:
                lines.append(f"- ... {len(r.leaks) - 8} more leak lines")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def summary(results: Sequence[Result]) -> str:
    good = sum(r.ok for r in results)
    return f"{good} of {len(results)} identical and leak-free"


def select(only: Sequence[str], ci: bool) -> list[Sdist]:
    chosen = [s for s in CORPUS if not ci or s.ci]
    if only:
        known = {s.name for s in CORPUS}
        unknown = [name for name in only if name not in known]
        if unknown:
            raise SystemExit(f"corpus.py: error: {', '.join(unknown)} not in the corpus; choose from {', '.join(sorted(known))}")
        chosen = [s for s in chosen if s.name in only]
    return chosen


def _wall_time(work: Path, elapsed: float, reuse: bool, jobs: int, whole: bool) -> float:
    """This run's wall time; with ``--reuse``, the time the whole run that built the wheels took."""
    record = work / "run.json"
    if reuse:
        try:
            return float(json.loads(record.read_text())["seconds"])
        except (OSError, ValueError, KeyError):
            return elapsed
    if whole and work.exists():
        record.write_text(json.dumps({"seconds": elapsed, "jobs": jobs}))
    return elapsed


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="NAME", help="just this sdist (repeatable)")
    parser.add_argument("--ci", action="store_true", help="just the CI subset (the sdists marked ci)")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="sdists built at once (default 1)")
    parser.add_argument("--timeout", type=float, default=900, help="seconds one build may take (default 900)")
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help=f"download cache (default {DEFAULT_CACHE})")
    parser.add_argument("--work", type=Path, help="where the builds happen (default: a new temp dir, removed after)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the table (default docs/corpus.md)")
    parser.add_argument("--spaces", action="store_true",
                        help="put run 2's source copy, TMPDIR and working directory under names with a space")
    parser.add_argument("--reuse", action="store_true",
                        help="classify the wheels an earlier run left in --work again instead of building")
    parser.add_argument("--no-write", action="store_true", help="print the table, do not write it")
    args = parser.parse_args(argv)
    if args.jobs < 1 or args.timeout <= 0:
        parser.error("--jobs must be at least 1 and --timeout positive")
    if args.reuse and args.work is None:
        parser.error("--reuse needs --work DIR, the directory of the earlier run")
    chosen = select(args.only, args.ci)
    work = args.work or Path(tempfile.mkdtemp(prefix="remap-corpus-"))
    start = time.monotonic()
    results: dict[str, Result] = {}
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs)
    try:
        futures = {pool.submit(rebuild, s, args.cache, work, args.timeout, args.reuse,
                               SPACED_VARIATIONS if args.spaces else VARIATIONS): s for s in chosen}
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results[result.sdist.name] = result
            print(f"{result.sdist.requirement:28} {result.status:13} {result.seconds:>9} s  {_short(result.cause, 200)}",
                  flush=True)
        pool.shutdown()
    except KeyboardInterrupt:
        _STOPPING.set()
        pool.shutdown(wait=False, cancel_futures=True)
        stop_running_builds()
        raise
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    ordered = [results[s.name] for s in chosen]
    elapsed = _wall_time(work, time.monotonic() - start, args.reuse, args.jobs, len(chosen) == len(CORPUS))
    table = render(ordered, elapsed, args.jobs, SPACED_VARIATIONS if args.spaces else VARIATIONS)
    if args.no_write:
        print(table)
    else:
        from remap_backend.atomic import atomic_write_bytes

        atomic_write_bytes(args.output, table.encode())
        print(f"wrote {args.output}")
    print(f"{summary(ordered)} ({elapsed / 60:.1f} min)")
    return 0 if all(r.ok for r in ordered) else 1


if __name__ == "__main__":
    sys.exit(main())
