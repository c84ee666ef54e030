"""``remap-backend build``: build anyone's project through the proxy, unmodified.

TARGET is a source directory, an sdist, or a requirement (``name==version``)
whose sdist is fetched from the index. The project's own build-system.requires plus the
proxy are installed into an isolated environment, and the proxy is told to
wrap the project's declared backend through ``REMAP_BACKEND`` and
``REMAP_BACKEND_PATH``. Nothing in the project is edited.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import builder, sources
from ..configsettings import parse_config_settings, with_strict_default
from ..digests import file_sha256
from ..errors import EXIT_SAME, RemapError
from ..hookplan import plan_for
from ..options import add_build_options
from ..progress import Reporter
from ..proxywheel import use_given_wheel

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


def run(args: argparse.Namespace) -> int:
    distributions = tuple(name for name, wanted in (("sdist", args.sdist), ("wheel", args.wheel)) if wanted)
    distributions = distributions or ("wheel",)
    use_given_wheel(args.proxy_wheel)
    with Reporter.from_args(args) as reporter:
        target = sources.fetch_target(args.target, reporter)
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
        artifacts = builder.build(source_dir, outdir.resolve(), plan_for(source_dir, args.plain), options, reporter)
    for artifact in artifacts:
        print(f"{artifact}  sha256={file_sha256(artifact)}")
    return EXIT_SAME
