"""Run one PEP 517 build of a source tree: environment, requirements, hooks, outputs.

The isolated environment is pypa/build's ``DefaultIsolatedEnv`` (uv as the
installer when it is available, pip otherwise); the hooks are called through
pyproject-hooks. What gets called is decided by :mod:`.hookplan`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from . import proxywheel
from .errors import RemapError
from .hookplan import HookPlan
from .progress import Reporter
from .uvlocate import find_uv

DISTRIBUTIONS = ("sdist", "wheel")


@dataclass(frozen=True)
class BuildOptions:
    """How to run the build (what varies between verify runs lives here too)."""

    distributions: tuple[str, ...] = ("wheel",)
    config_settings: Mapping[str, Any] = field(default_factory=dict)
    isolation: bool = True
    python: str | None = None
    env_dir: Path | None = None  # where the isolated env goes; None = a random build-env-* dir
    hook_environment: Mapping[str, str] = field(default_factory=dict)  # e.g. TMPDIR, TZ for verify
    umask: int | None = None


def build(source_dir: Path, outdir: Path, plan: HookPlan, options: BuildOptions, reporter: Reporter) -> list[Path]:
    """Build the requested distributions of ``source_dir`` into ``outdir``; return their paths."""
    for distribution in options.distributions:
        if distribution not in DISTRIBUTIONS:
            raise RemapError(f"unknown distribution {distribution!r}; use sdist or wheel")
    with _BuildEnvironment(plan, options, reporter) as (python, install, extra_env):
        outdir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".remap-staging-", dir=outdir))
        try:
            hooks = _hook_caller(source_dir, plan, python, extra_env, options, reporter)
            built = []
            for distribution in options.distributions:
                built.append(_build_one(hooks, distribution, staging, install, options, reporter, source_dir))
            return [_publish(path, outdir) for path in built]
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def _build_one(hooks, distribution, staging, install, options, reporter, source_dir) -> Path:
    from pyproject_hooks import BackendUnavailable, HookMissing

    settings = dict(options.config_settings) or None
    name = source_dir.name
    try:
        with reporter.step(f"{name}: requirements for the {distribution}"):
            requires = getattr(hooks, f"get_requires_for_build_{distribution}")(settings)
            install(list(requires))
        with reporter.step(f"{name}: building the {distribution}"):
            filename = getattr(hooks, f"build_{distribution}")(str(staging), settings)
    except subprocess.CalledProcessError as exc:
        reporter.note(reporter.log_tail())
        raise RemapError(
            f"building the {distribution} of {name} failed (backend exited with {exc.returncode}); "
            f"full log: {reporter.keep_log()}"
        ) from None
    except BackendUnavailable as exc:
        raise RemapError(
            f"the backend {exc.backend_name!r} could not be imported in the build environment "
            f"({exc.message or 'import failed'}); check build-system.requires (log: {reporter.keep_log()})"
        ) from None
    except HookMissing as exc:
        raise RemapError(f"the backend has no {exc.hook_name} hook; it cannot build a {distribution}") from None
    return staging / filename


def _publish(artifact: Path, outdir: Path) -> Path:
    """Atomic move from the staging dir (same filesystem) into ``outdir``."""
    target = outdir / artifact.name
    os.replace(artifact, target)
    return target


def _hook_caller(source_dir, plan: HookPlan, python: str, extra_env: Mapping[str, str], options, reporter):
    from pyproject_hooks import BuildBackendHookCaller

    def runner(cmd, cwd=None, extra_environ=None):
        merged = dict(extra_environ or {})
        merged.update(extra_env)
        merged.update(plan.environment)
        merged.update(options.hook_environment)
        _run_hook(reporter, cmd, cwd, merged, plan.unset, options.umask)

    return BuildBackendHookCaller(
        str(source_dir),
        plan.backend,
        backend_path=list(plan.backend_path) if plan.backend_path else None,
        python_executable=python,
        runner=runner,
    )


def _run_hook(reporter: Reporter, cmd, cwd, extra: Mapping[str, str], unset, umask: int | None) -> None:
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(extra)
    reporter.log("$ " + subprocess.list2cmdline(list(cmd)))
    since = reporter.log_size()
    stdout = None if reporter.verbose else reporter.log_path.open("ab")
    try:
        subprocess.run(
            list(cmd), cwd=cwd, env=env, check=True, stdout=stdout,
            stderr=None if stdout is None else subprocess.STDOUT,
            preexec_fn=(lambda: os.umask(umask)) if umask is not None else None,
        )
    finally:
        if stdout is not None:
            stdout.close()
        reporter.surface_proxy_lines(since)


class _BuildEnvironment:
    """Context manager yielding (python, install(requirements), extra environment)."""

    def __init__(self, plan: HookPlan, options: BuildOptions, reporter: Reporter) -> None:
        self.plan, self.options, self.reporter = plan, options, reporter
        self._env = None
        self._scratch: Path | None = None

    def __enter__(self):
        if not self.options.isolation:
            return self._no_isolation()
        python = self.options.python
        if python and os.path.realpath(_which(python)) != os.path.realpath(sys.executable):
            from .foreignenv import ForeignPythonEnv

            self._env = ForeignPythonEnv(_which(python), path=self._env_path())
        else:
            self._env = _default_env(installer="uv" if find_uv() else "pip", path=self._env_path())
        with self.reporter.step("creating the isolated build environment"):
            self._guard(self._env.__enter__)
        env = self._env
        requirements = list(self.plan.requires)
        if self.plan.proxied:
            requirements.append(proxywheel.requirement_for(proxywheel.proxy_wheel()))

        def install(extra: list[str]) -> None:
            if extra:
                self._guard(lambda: env.install(extra))

        with self.reporter.step("installing build-system.requires" + (" and the proxy" if self.plan.proxied else "")):
            install(requirements)
        return env.python_executable, install, env.make_extra_environ()

    def __exit__(self, *exc_info):
        if self._env is not None:
            self._env.__exit__(*exc_info)
            if self.options.env_dir is not None:
                shutil.rmtree(self.options.env_dir, ignore_errors=True)
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)

    def _env_path(self) -> str | None:
        if self.options.env_dir is None:
            return None
        if self.options.env_dir.exists():
            shutil.rmtree(self.options.env_dir)
        return str(self.options.env_dir)

    def _no_isolation(self):
        python = _which(self.options.python) if self.options.python else sys.executable
        extra: dict[str, str] = {}
        if self.plan.proxied:
            # Only the proxy package on the path, not the rest of this interpreter's site-packages.
            self._scratch = Path(tempfile.mkdtemp(prefix="remap-proxy-path-"))
            shutil.copytree(proxywheel.package_dir(), self._scratch / "remap_backend",
                            ignore=shutil.ignore_patterns("__pycache__"))
            current = os.environ.get("PYTHONPATH")
            extra["PYTHONPATH"] = os.pathsep.join([str(self._scratch), *([current] if current else [])])

        def install(requirements: list[str]) -> None:
            self.reporter.log("not installing (no isolation): " + ", ".join(requirements))

        return python, install, extra

    def _guard(self, action):
        try:
            return action()
        except subprocess.CalledProcessError as exc:
            for stream in (exc.stdout, exc.stderr):
                if stream:
                    self.reporter.log(stream.decode(errors="replace") if isinstance(stream, bytes) else stream)
            self.reporter.note(self.reporter.log_tail())
            raise RemapError(
                f"installing build requirements failed ({subprocess.list2cmdline(map(str, exc.cmd))[:200]}); "
                f"check build-system.requires and your index settings (log: {self.reporter.keep_log()})"
            ) from None
        except Exception as exc:  # build.BuildException and friends
            if type(exc).__module__.startswith("build"):
                raise RemapError(f"creating the isolated environment failed: {exc}") from None
            raise


def _default_env(installer: str, path: str | None):
    """pypa/build's isolated env; its ``path=`` (build >= 1.3) places it where verify wants it."""
    from build.env import DefaultIsolatedEnv

    if path is None:
        return DefaultIsolatedEnv(installer=installer)
    try:
        return DefaultIsolatedEnv(installer=installer, path=path)
    except TypeError:  # older build: a random build-env-* directory, which varies the path anyway
        return DefaultIsolatedEnv(installer=installer)


def _which(python: str) -> str:
    found = shutil.which(python)
    if found is None:
        raise RemapError(f"--python {python}: no such interpreter; give a path or a name on PATH like python3.12")
    return found

