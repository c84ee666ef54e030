"""How fast is wheel normalization, next to a plain copy and to ``wheel unpack`` + ``wheel pack``?

Generates a wheel of at least --size MB on disk, then measures side by side,
in one run, interleaved round by round (so machine load hits all equally):

* copy:        ``shutil.copyfile`` of the wheel (the floor for any rewrite);
* copy+fsync:  the same, flushed to disk (normalize fsyncs before its rename);
* normalize:   ``normalize_path`` of a fresh copy (inflate + verify CRC/size/
               RECORD hash of every byte, raw copy of deflated data, fsync;
               its CPU time, every thread, is printed too);
* check:       ``normalize_path(check=True)`` of an already normalized wheel
               (the "nothing to do" path: verify and compare, write nothing);
* unpack+pack: ``python -m wheel unpack`` then ``python -m wheel pack`` (the
               usual manual way to rewrite a wheel; measured --pack-rounds times).

Profiles: ``random`` (incompressible members, as in wheels full of already
compressed data) and ``binaries`` (real shared libraries of this machine,
compressing about 2-3x like compiled extension modules).

Usage: python benchmarks/bench_normalize.py [--size 300] [--profile binaries] [--rounds 3]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "backends"))

from remap_backend.archives import normalize_path  # noqa: E402

MB = 1024 * 1024
LIBRARY_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib", "/usr/local/lib", sys.prefix]


def shared_libraries() -> list[Path]:
    found = []
    for folder in LIBRARY_DIRS:
        for path in sorted(Path(folder).rglob("*.so*")):
            if path.is_file() and not path.is_symlink() and path.stat().st_size > 64 * 1024:
                found.append(path)
    return found


def make_wheel(path: Path, size_mb: int, profile: str) -> None:
    """A wheel of >= size_mb on disk, written the way setuptools does (zipfile, deflate level 6)."""
    rng = random.Random(0)
    libraries = shared_libraries() if profile == "binaries" else []
    dist_info = "bench-1.0.dist-info"
    record = []

    def add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
        archive.writestr(name, data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{name},sha256={digest},{len(data)}\n")

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        index = 0
        while path.stat().st_size < size_mb * MB:
            if profile == "random":
                data = rng.randbytes(8 * MB)
            else:
                data = libraries[index % len(libraries)].read_bytes()
            add(archive, f"bench/part{index:04d}.so", data)
            archive.fp.flush()
            index += 1
        add(archive, f"{dist_info}/METADATA", b"Metadata-Version: 2.1\nName: bench\nVersion: 1.0\n")
        add(archive, f"{dist_info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: bench\nRoot-Is-Purelib: false\nTag: py3-none-any\n")
        archive.writestr(f"{dist_info}/RECORD", "".join(record) + f"{dist_info}/RECORD,,\n")


def timed(action, cpu: "list[float] | None" = None) -> float:
    """Wall time of ``action``; its CPU time (every thread of this process) is appended to ``cpu``."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    if cpu is not None:
        cpu.append(time.process_time() - start_cpu)
    return time.perf_counter() - start


def copy_and_sync(source: Path, target: Path) -> None:
    shutil.copyfile(source, target)
    handle = os.open(target, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def unpack_and_pack(wheel: Path, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    subprocess.run([sys.executable, "-m", "wheel", "unpack", "-d", str(work / "tree"), str(wheel)], check=True,
                   capture_output=True)
    (tree,) = (work / "tree").iterdir()
    (work / "out").mkdir()
    done = subprocess.run([sys.executable, "-m", "wheel", "pack", "-d", str(work / "out"), str(tree)],
                          capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"wheel pack failed: {done.stdout}{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=300, help="wheel size on disk in MB (default 300)")
    parser.add_argument("--profile", choices=["random", "binaries"], default="binaries")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pack-rounds", type=int, default=1)
    parser.add_argument("--dir", type=Path, default=None, help="where to put the files (default: a temp dir)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        root = Path(folder)
        source = root / "bench-1.0-py3-none-any.whl"
        make_wheel(source, args.size, args.profile)
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        print(f"wheel: {source.stat().st_size / MB:.0f} MB on disk, {unpacked / MB:.0f} MB unpacked, "
              f"profile {args.profile}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")

        canonical = root / "canonical.whl"
        shutil.copyfile(source, canonical)
        normalize_path(canonical, 0)

        times: dict[str, list[float]] = {
        "copy": [], "copy+fsync": [], "normalize": [], "check": [], "unpack+pack": [],
    }
        cpu: list[float] = []
        for round_ in range(args.rounds):
            copy = root / "copy.whl"
            times["copy"].append(timed(lambda: shutil.copyfile(source, copy)))
            copy.unlink()
            times["copy+fsync"].append(timed(lambda: copy_and_sync(source, copy)))
            times["normalize"].append(timed(lambda: normalize_path(copy, 0), cpu))
            times["check"].append(timed(lambda: normalize_path(canonical, 0, check=True)))
            if round_ < args.pack_rounds:
                times["unpack+pack"].append(timed(lambda: unpack_and_pack(source, root / "pack")))
            copy.unlink()

        median = {name: statistics.median(values) for name, values in times.items() if values}
        for name, value in median.items():
            print(f"{name:12s} median {value:7.3f} s  ({', '.join(f'{v:.3f}' for v in times[name])})")
        print(f"normalize / copy          = {median['normalize'] / median['copy']:.2f}x   "
              f"normalize / copy+fsync = {median['normalize'] / median['copy+fsync']:.2f}x  (target <= 2x)")
        print(f"normalize CPU median {statistics.median(cpu):7.3f} s  ({', '.join(f'{v:.3f}' for v in cpu)})")
        print(f"check / copy              = {median['check'] / median['copy']:.2f}x")
        if "unpack+pack" in median:
            print(f"unpack+pack / normalize   = {median['unpack+pack'] / median['normalize']:.1f}x faster "
                  "(target >= 5x)")


if __name__ == "__main__":
    main()
