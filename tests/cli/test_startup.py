"""``--help`` and ``--version`` import no subcommand, no proxy, and none of the cli extra's libraries."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

from remap_backend_cli import main as cli_main

from .conftest import cli_environ

PROBE = """
import json, sys
from remap_backend_cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
HEAVY = ("remap_backend", "rich", "elftools", "build", "pyproject_hooks", "packaging", "tomlkit")


def _loaded(args, cli_cache) -> list[str]:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          env=cli_environ(cli_cache))
    return json.loads(done.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--version"], ["--help"], []])
def test_help_and_version_import_nothing_heavy(cli_cache, args):
    loaded = _loaded(args, cli_cache)
    heavy = [name for name in loaded if name.partition(".")[0] in HEAVY]
    assert heavy == [], heavy
    subcommands = [name for name in loaded if name.startswith("remap_backend_cli.") and name != "remap_backend_cli.main"]
    assert subcommands == []


def test_a_command_loads_only_its_own_module(cli_cache):
    loaded = _loaded(["normalize", "--help"], cli_cache)
    assert "remap_backend_cli.commands.normalize" in loaded
    assert not {"remap_backend_cli.commands.build", "remap_backend_cli.commands.diff", "rich", "elftools"} & set(loaded)


def test_the_help_table_matches_each_command_module():
    parser, runners = cli_main.build_parser()  # every module loaded
    assert set(runners) == set(cli_main.COMMANDS)
    actions = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {choice.dest: choice.help for choice in actions._choices_actions}
    assert helps == cli_main.COMMANDS


def test_version_read_without_import_is_the_package_version():
    from remap_backend import __version__

    assert cli_main.version() == __version__
