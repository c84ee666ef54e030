"""``remap-backend verify``: build N times under varied conditions and compare.

Each run varies what reprotest varies and a user without root can vary: the
build path (different depth and names), the isolated environment's path,
TMPDIR, the source files' mtimes, umask, TZ, locale and PYTHONHASHSEED.
SOURCE_DATE_EPOCH stays pinned (taken from the environment, else chosen once
the way the proxy would, before any mtime is touched). Directory listing
order is not varied: that needs disorderfs (FUSE) as root.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import builder, sources
from ..compare import DiffReport, diff_paths
from ..configsettings import parse_config_settings, with_strict_default
from ..digests import file_sha256
from ..errors import EXIT_DIFFERENT, EXIT_SAME, RemapError
from ..explain import format_report
from ..hookplan import plan_for
from ..options import add_build_options
from ..progress import Reporter
from ..proxywheel import use_given_wheel

EXAMPLES = """\
examples:
  remap-backend verify examples/setuptools-c
  remap-backend verify markupsafe==3.0.2 --runs 3
  remap-backend verify cryptography-44.0.2.tar.gz --vs-plain
  remap-backend verify examples/setuptools-c --frontends pip,build,uv --json

exit status: 0 all runs identical, 1 runs differ (what and why is printed), 2 error
"""

#: Per-run values; run i uses index i modulo the tuple length.
UMASKS = (0o022, 0o002)
TIMEZONES = ("Etc/GMT+12", "Etc/GMT-14")
LOCALES = ("C.UTF-8", "C")
HASH_SEEDS = ("1", "4242")
MTIME_SHIFTS = (0, 7 * 24 * 3600 + 1234)
#: Extra directory levels so build paths differ in length, not only in a random suffix.
PATH_DEPTHS = ((), ("deeper", "build-path.2"))


@dataclass(frozen=True)
class Variation:
    """What one run changes; ``describe()`` is shown when runs differ."""

    index: int
    root: Path
    umask: int
    timezone: str
    locale: str
    hash_seed: str
    mtime_shift: int
    depth: tuple[str, ...]

    @classmethod
    def for_run(cls, index: int, root: Path) -> "Variation":
        pick = lambda values: values[index % len(values)]  # noqa: E731
        return cls(index, root, pick(UMASKS), pick(TIMEZONES), pick(LOCALES), pick(HASH_SEEDS),
                   pick(MTIME_SHIFTS), pick(PATH_DEPTHS))

    @property
    def source_parent(self) -> Path:
        return self.root.joinpath("src", *self.depth)

    @property
    def env_dir(self) -> Path:
        return self.root / f"build-env-run{self.index}"

    @property
    def tmpdir(self) -> Path:
        return self.root / "tmp"

    def hook_environment(self, epoch: int) -> dict[str, str]:
        return {
            "SOURCE_DATE_EPOCH": str(epoch),
            "TMPDIR": str(self.tmpdir),
            "TZ": self.timezone,
            "LANG": self.locale,
            "LC_ALL": self.locale,
            "PYTHONHASHSEED": self.hash_seed,
        }

    def describe(self) -> str:
        return (f"run {self.index + 1}: path {self.source_parent}, umask {self.umask:04o}, TZ {self.timezone}, "
                f"locale {self.locale}, PYTHONHASHSEED {self.hash_seed}, mtimes +{self.mtime_shift}s")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="build TARGET several times under varied conditions and compare the wheels",
        description="Build TARGET N times, varying build path, environment path, TMPDIR, mtimes,\n"
        "umask, TZ, locale and PYTHONHASHSEED, and compare the wheels.\n\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_build_options(parser)
    parser.add_argument("--runs", type=int, default=2, metavar="N", help="number of builds (>= 2, default 2)")
    parser.add_argument("--vs-plain", action="store_true",
                        help="also build twice without the proxy and show whether that differs")
    parser.add_argument("--keep", metavar="DIR", type=Path, help="copy every run's wheels into DIR/run-N/")
    parser.add_argument("--frontends", metavar="LIST",
                        help="one build with each of these real frontends, e.g. pip,build,uv (instead of --runs)")
    parser.add_argument("--json", action="store_true",
                        help="print the builds and comparisons as JSON (same comparison objects as diff --json)")


def run(args: argparse.Namespace) -> int:
    if args.runs < 2:
        raise RemapError(f"--runs {args.runs}: need at least 2 builds to compare")
    chosen = _frontends(args)
    use_given_wheel(args.proxy_wheel)
    settings = parse_config_settings(args.config_settings)
    workdir = Path(tempfile.mkdtemp(prefix="remap-verify-"))
    try:
        with Reporter.from_args(args) as reporter:
            target = sources.fetch_target(args.target, reporter)
            pristine = _pristine_source(target, workdir / "pristine")
            epoch = _pinned_epoch(target.path if target.kind == "dir" else pristine)
            count = f"{len(chosen)} builds ({', '.join(chosen)})" if chosen else f"{args.runs} builds"
            reporter.note(f"verifying {target.label} with {count} (SOURCE_DATE_EPOCH={epoch})")
            if chosen:
                runs = [_frontend_run(pristine, Variation.for_run(i, workdir / f"r{i}"), epoch, name, args, reporter)
                        for i, name in enumerate(chosen)]
            else:
                runs = [
                    _one_run(pristine, Variation.for_run(i, workdir / f"r{i}"), epoch, settings, args, reporter,
                             plain=False)
                    for i in range(args.runs)
                ]
            plain_runs = []
            if args.vs_plain:
                plain_runs = [
                    _one_run(pristine, Variation.for_run(i, workdir / f"p{i}"), epoch, settings, args, reporter,
                             plain=True)
                    for i in range(2)
                ]
        if args.keep:
            _keep(args.keep, runs, plain_runs)
        if getattr(args, "json", False):
            return _report_json(target.label, runs, plain_runs)
        return _report(runs, plain_runs, args)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _pristine_source(target: sources.Target, destination: Path) -> Path:
    """An untouched copy of the source tree that every run copies from."""
    if target.kind == "dir":
        return sources.copy_tree(target.path, destination / target.path.name)
    return sources.unpack_sdist(target.path, destination)


def _pinned_epoch(source: Path) -> int:
    """The epoch the proxy would choose (SOURCE_DATE_EPOCH, else its fixed default)."""
    from remap_backend.epoch import epoch_from

    return epoch_from(os.environ)[0]


@dataclass
class RunResult:
    variation: Variation
    plain: bool
    artifacts: dict[str, Path]
    frontend: str = ""  # with --frontends: which frontend built it


def _one_run(pristine: Path, variation: Variation, epoch: int, settings, args, reporter, plain: bool) -> RunResult:
    kind = "plain" if plain else "proxied"
    with reporter.step(f"{kind} build {variation.index + 1}: preparing {variation.source_parent}"):
        variation.tmpdir.mkdir(parents=True)
        source = sources.copy_tree(pristine, variation.source_parent / pristine.name)
        _shift_mtimes(source, variation.mtime_shift)
    if not plain:
        settings = with_strict_default(settings, source, args.strict)
    options = builder.BuildOptions(
        distributions=("wheel",),
        config_settings=settings,
        isolation=not args.no_isolation,
        python=args.python,
        env_dir=variation.env_dir,
        hook_environment=variation.hook_environment(epoch),
        umask=variation.umask,
    )
    outdir = variation.root / "dist"
    built = builder.build(source, outdir, plan_for(source, plain), options, reporter)
    return RunResult(variation, plain, {path.name: path for path in built})


def _frontends(args: argparse.Namespace) -> list[str]:
    if not getattr(args, "frontends", None):
        return []
    from .. import frontends

    if args.vs_plain or args.no_isolation or args.config_settings:
        raise RemapError("--frontends builds the way each frontend does by default; "
                         "leave out --vs-plain, --no-isolation and -C")
    return frontends.parse(args.frontends)


def _frontend_run(pristine: Path, variation: Variation, epoch: int, frontend: str, args, reporter) -> RunResult:
    from .. import frontends

    with reporter.step(f"build {variation.index + 1} with {frontend}: preparing {variation.source_parent}"):
        variation.tmpdir.mkdir(parents=True)
        source = sources.copy_tree(pristine, variation.source_parent / pristine.name)
        _shift_mtimes(source, variation.mtime_shift)
        frontends.vendor_into(source)
    with reporter.step(f"build {variation.index + 1} with {frontend}"):
        built = frontends.build(frontend, source, variation.root / "dist", variation.hook_environment(epoch),
                                variation.umask, reporter, args.python)
    return RunResult(variation, False, {path.name: path for path in built}, frontend)


def _shift_mtimes(root: Path, shift: int) -> None:
    if not shift:
        return
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            info = path.stat()
            os.utime(path, (info.st_atime + shift, info.st_mtime + shift))


def compare_runs(runs: list[RunResult]) -> list[tuple[RunResult, RunResult, DiffReport]]:
    """Each later run against the first, artifact by artifact (by file name)."""
    first = runs[0]
    differences = []
    for other in runs[1:]:
        names = sorted(set(first.artifacts) | set(other.artifacts))
        for name in names:
            left, right = first.artifacts.get(name), other.artifacts.get(name)
            if left is None or right is None:
                # A wheel name (tag or version) that depends on the build conditions.
                report = DiffReport(a=str(left or "-"), b=str(right or "-"), identical=False,
                                    added=[name] if left is None else [], removed=[name] if right is None else [])
            else:
                report = diff_paths(left, right)
            if not report.identical:
                differences.append((first, other, report))
    return differences


def _report(runs: list[RunResult], plain_runs: list[RunResult], args: argparse.Namespace) -> int:
    differences = compare_runs(runs)
    if plain_runs:
        plain_differences = compare_runs(plain_runs)
        if plain_differences:
            causes = [c for _, _, report in plain_differences for c in report.causes]
            print("without the proxy: the 2 plain builds DIFFER")
            for cause in dict.fromkeys(causes):
                print(f"  plain: {cause}")
        else:
            print("without the proxy: the 2 plain builds are identical too")
    if not differences:
        by = f" by {', '.join(r.frontend for r in runs)}" if runs[0].frontend else ""
        for name, path in sorted(runs[0].artifacts.items()):
            print(f"reproducible: {name} identical in {len(runs)} builds{by} (sha256 {file_sha256(path)})")
        return EXIT_SAME
    print(f"NOT reproducible: {len(differences)} artifact comparison(s) differ")
    for first, other, report in differences:
        print(f"between {_described(first)}")
        print(f"    and {_described(other)}:")
        for line in format_report(report, limit=1_000_000 if args.verbose else 20):
            print(f"  {line}")
    return EXIT_DIFFERENT


def _label(result: RunResult) -> str:
    label = f"{'plain' if result.plain else 'run'} {result.variation.index + 1}"
    return f"{label} ({result.frontend})" if result.frontend else label


def _report_json(target: str, runs: list[RunResult], plain_runs: list[RunResult]) -> int:
    from .. import jsonreport

    def comparisons(group: list[RunResult]) -> list[dict]:
        return [jsonreport.comparison(report, (_label(first), _label(other)))
                for first, other, report in compare_runs(group)]

    builds = [jsonreport.build_entry(_label(r), r.variation.describe(), r.plain, r.artifacts) for r in runs + plain_runs]
    found = comparisons(runs)
    plain = None
    if plain_runs:
        plain_found = comparisons(plain_runs)
        plain = {"identical": not plain_found, "comparisons": plain_found}
    print(jsonreport.dumps(jsonreport.verify_document(target, builds, found, plain)))
    return EXIT_DIFFERENT if found else EXIT_SAME


def _described(result: RunResult) -> str:
    return result.variation.describe() + (f", built by {result.frontend}" if result.frontend else "")


def _keep(destination: Path, runs: list[RunResult], plain_runs: list[RunResult]) -> None:
    for label, group in (("run", runs), ("plain", plain_runs)):
        for result in group:
            target = destination / f"{label}-{result.variation.index + 1}"
            target.mkdir(parents=True, exist_ok=True)
            for name, path in result.artifacts.items():
                shutil.copy2(path, target / name)
