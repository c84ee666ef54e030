"""What the user sees while a long command runs.

On a terminal: a rich spinner naming the current step, with the noisy output
of compilers and installers kept in a log file (its tail is shown if a step
fails). Without a terminal or with ``--quiet``: no spinner, same log file.
With ``--verbose``: the tools' own output streams through unchanged.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Iterator, Mapping, Sequence


#: The proxy's own lines worth showing when backend output is hidden (see remap_backend.log).
PROXY_LINE_PREFIXES = ("remap-backend: warning:", "remap-backend: error:")


class Reporter:
    """Progress display plus the log file that catches subprocess output."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, stream: IO[str] | None = None) -> None:
        self.verbose = verbose
        self._stream = stream if stream is not None else sys.stderr
        self._spinner = not quiet and not verbose and _is_terminal(self._stream)
        self._quiet = quiet
        self._status = None
        self._console = None
        fd, name = tempfile.mkstemp(prefix="remap-backend-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> "Reporter":
        return cls(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False))

    def __enter__(self) -> "Reporter":
        if self._spinner:
            from rich.console import Console

            self._console = Console(file=self._stream)
            self._status = self._console.status("starting")
            self._status.start()
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._status is not None:
            self._status.stop()
        self.log_path.unlink(missing_ok=True)  # a failed step already copied it (see keep_log)

    @contextlib.contextmanager
    def step(self, text: str) -> Iterator[None]:
        """Announce one step; the spinner (or one stderr line when verbose) names it."""
        self.log(f"==> {text}")
        if self._status is not None:
            self._status.update(text)
        elif self.verbose:
            print(f"remap-backend: {text}", file=self._stream, flush=True)
        yield
        if self._console is not None:
            self._console.print(f"[green]✓[/green] {text}")

    def note(self, message: str) -> None:
        """A line worth showing even in non-terminal mode (but not with --quiet)."""
        self.log(message)
        if self._console is not None:
            self._console.print(message, markup=False, highlight=False, soft_wrap=True)
        elif not self._quiet:
            print(message, file=self._stream, flush=True)

    def log(self, text: str) -> None:
        with self.log_path.open("a", encoding="utf-8", errors="replace") as log:
            log.write(text.rstrip("\n") + "\n")

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def surface_proxy_lines(self, since: int) -> None:
        """Show the proxy's warnings and errors written to the log after offset ``since``.

        Backend chatter stays in the log unless ``--verbose``; what the proxy
        warns about (a path it cannot remap, build state it ignores) is
        always worth a line, so it is shown even when the rest is hidden.
        """
        if self.verbose:
            return  # already on the terminal
        try:
            with self.log_path.open("rb") as log:
                log.seek(since)
                tail = log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return
        for line in tail.splitlines():
            if line.startswith(PROXY_LINE_PREFIXES):
                self.note(line)

    def keep_log(self) -> Path:
        """Copy the log to a fixed place that outlives the command, and return it."""
        kept = Path(tempfile.gettempdir()) / "remap-backend-last-build.log"
        try:
            shutil.copyfile(self.log_path, kept)
        except FileNotFoundError:
            kept.write_text("")
        return kept

    def log_tail(self, lines: int = 40) -> str:
        try:
            content = self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(content.splitlines()[-lines:])

    def run(self, cmd: Sequence[str], cwd: str | None = None, extra_environ: Mapping[str, str] | None = None) -> None:
        """A pyproject-hooks compatible runner: output to the log unless verbose."""
        env = dict(os.environ)
        if extra_environ:
            env.update(extra_environ)
        self.log("$ " + subprocess.list2cmdline(list(cmd)))
        if self.verbose:
            subprocess.run(list(cmd), cwd=cwd, env=env, check=True)
            return
        try:
            with self.log_path.open("ab") as log:
                subprocess.run(list(cmd), cwd=cwd, env=env, check=True, stdout=log, stderr=subprocess.STDOUT)
        except subprocess.CalledProcessError:
            self.note(self.log_tail())
            raise


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
