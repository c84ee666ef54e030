"""``remap-backend build``: build anyone's project through the proxy, unmodified.

TARGET is a source directory, an sdist, or a requirement (``name==version``)
whose sdist is fetched from the index. The project's own build-system.requires plus the
proxy are installed into an isolated environment, and the proxy is told to
wrap the project's declared backend through ``REMAP_BACKEND`` and
``REMAP_BACKEND_PATH``. Nothing in the project is edited.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from pathlib import Path
from typing import Any

from .. import builder, hookplan, sources
from ..errors import EXIT_SAME, RemapError
from ..progress import Reporter, add_output_options

EXAMPLES = """\
examples:
  remap-backend build markupsafe==3.0.2 -o wheelhouse/
  remap-backend build cryptography-44.0.2.tar.gz -o wheelhouse/
  remap-backend build . --sdist --wheel
  remap-backend build examples/setuptools-c -C--build-option=--verbose
  remap-backend build . --no-isolation --python python3.12

The isolated environment gets the project's build-system.requires and a
wheel of the proxy that the CLI packs from its own installed copy (cached in
~/.cache/remap-backend; set REMAP_BACKEND_WHEEL to use another wheel).
"""


def add_build_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``build`` and ``verify``."""
    parser.add_argument("target", metavar="TARGET", help="source directory, sdist file, or name==version")
    parser.add_argument(
        "-C", "--config-setting", dest="config_settings", action="append", default=[], metavar="KEY[=VALUE]",
        help="config-setting passed to the backend (repeatable)",
    )
    parser.add_argument("--no-isolation", action="store_true", help="build in the current environment")
    parser.add_argument("--python", metavar="PYTHON", help="interpreter to build for (default: this one)")
    parser.add_argument(
        "--no-strict", dest="strict", action="store_false",
        help="let the proxy's leak guard only warn (by default a builder path left in the wheel fails the build)",
    )
    parser.add_argument(
        "--proxy-wheel", metavar="WHEEL", help="install this remap_backend wheel instead of packing the installed proxy"
    )
    add_output_options(parser)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build an sdist, source tree or name==version through the proxy",
        description="Build a project through the proxy without editing it: TARGET is a source\n"
        "directory, an sdist, or name==version (its sdist fetched from the index).\n\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_build_options(parser)
    parser.add_argument("-o", "--outdir", type=Path, help="output directory (default: TARGET/dist or ./dist)")
    parser.add_argument("-s", "--sdist", action="store_true", help="build an sdist (of a source directory)")
    parser.add_argument("-w", "--wheel", action="store_true", help="build a wheel (the default)")
    parser.add_argument("--plain", action="store_true", help="build without the proxy, as python -m build would")


def parse_config_settings(items: list[str]) -> dict[str, Any]:
    """``-C KEY=VALUE`` items; a repeated key becomes a list, as in pypa/build."""
    settings: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not key:
            raise RemapError(f"-C {item!r} has no key; write it as -C KEY=VALUE")
        value = value if sep else ""
        if key in settings:
            previous = settings[key]
            settings[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            settings[key] = value
    return settings


def with_strict_default(config_settings: dict[str, Any], source_dir: Path, strict: bool) -> dict[str, Any]:
    """The proxy's config-settings with ``remap.strict=true`` added, unless the user decided.

    An explicit ``-C remap.strict=...`` or a ``strict`` key in the project's
    ``[tool.remap-backend]`` table wins over this default; ``--no-strict``
    adds nothing. Only for proxied builds: a plain backend would be handed a
    key it does not know.
    """
    if not strict or "remap.strict" in config_settings:
        return config_settings
    from remap_backend import config

    table = config.read_pyproject(source_dir).get("tool", {}).get("remap-backend", {})
    if isinstance(table, dict) and "strict" in table:
        return config_settings
    return {**config_settings, "remap.strict": "true"}


def make_plan(source_dir: Path, plain: bool) -> hookplan.HookPlan:
    """Which backend the hooks call for ``source_dir``, proxied or plain."""
    from remap_backend import config

    pyproject = config.read_pyproject(source_dir)
    system = hookplan.read_build_system(pyproject)
    if not plain:
        return hookplan.proxied_plan(system)
    wrapped, wrapped_path = None, ()
    if hookplan.declares_proxy(system):
        settings = config.load(source_dir, None, {}, pyproject)
        wrapped, wrapped_path = settings.backend, settings.backend_path
    return hookplan.plain_plan(system, wrapped, wrapped_path)


def fetch_target(args: argparse.Namespace, reporter: Reporter) -> sources.Target:
    download_dir = _cache_dir() / "sdists" / sources.download_key(args.target)
    if sources.classify_target(args.target) == "requirement":
        with reporter.step(f"downloading the sdist of {args.target}"):
            return sources.resolve(args.target, download_dir, lambda cmd: reporter.run(cmd))
    return sources.resolve(args.target, download_dir, lambda cmd: reporter.run(cmd))


def _cache_dir() -> Path:
    from ..proxywheel import cache_root

    return cache_root()


def apply_proxy_wheel(args: argparse.Namespace) -> None:
    """``--proxy-wheel`` becomes ``REMAP_BACKEND_WHEEL``, checked before any work starts."""
    from ..proxywheel import proxy_wheel

    if getattr(args, "proxy_wheel", None):
        os.environ["REMAP_BACKEND_WHEEL"] = str(Path(args.proxy_wheel).resolve())
    if os.environ.get("REMAP_BACKEND_WHEEL"):
        proxy_wheel()


def run(args: argparse.Namespace) -> int:
    distributions = tuple(name for name, wanted in (("sdist", args.sdist), ("wheel", args.wheel)) if wanted)
    distributions = distributions or ("wheel",)
    apply_proxy_wheel(args)
    with Reporter.from_args(args) as reporter:
        target = fetch_target(args, reporter)
        if target.kind != "dir" and "sdist" in distributions:
            raise RemapError(f"{args.target} is already an sdist; drop --sdist (only wheels are built from sdists)")
        if target.kind == "dir":
            source_dir = target.path
            outdir = args.outdir or (source_dir / "dist")
        else:
            with reporter.step(f"unpacking {target.path.name}"):
                source_dir = sources.unpack_sdist(target.path, sources.stable_unpack_root())
            outdir = args.outdir or Path("dist")
        config_settings = parse_config_settings(args.config_settings)
        if not args.plain:
            config_settings = with_strict_default(config_settings, source_dir, args.strict)
        options = builder.BuildOptions(
            distributions=distributions,
            config_settings=config_settings,
            isolation=not args.no_isolation,
            python=args.python,
        )
        artifacts = builder.build(source_dir, outdir.resolve(), make_plan(source_dir, args.plain), options, reporter)
    for artifact in artifacts:
        print(f"{artifact}  sha256={_sha256(artifact)}")
    return EXIT_SAME


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
