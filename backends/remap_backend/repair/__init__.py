"""Repair state that an earlier build environment left in the source tree.

Two failures motivate it. A CMake cache records absolute paths into the build
environment that configured it (``CMAKE_MAKE_PROGRAM=/tmp/.../bin/ninja``); the
next isolated build gets a new random environment and the old one is gone
(uv#14269). And setuptools reuses ``build/temp.*`` by timestamp, so a build
dependency upgraded in place is never compiled against (uv#16850).

:func:`session` wraps one hook call: under a lock on the tree, it relocates
vanished-environment paths in CMake caches, removes intermediates built for
another environment, lets the build run, and records the environment after a
successful build.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Sequence

from .. import log, statedir
from ..adapters.base import Adapter
from ..context import BuildContext
from . import environments, fingerprint, invalidate, locations, lock, statefile
from .files import read_text, replace_all
from .generated import generated_files

if TYPE_CHECKING:
    from ..remap.plan import RemapPlan

#: Every hook, since each runs the project's code: setuptools executes setup.py in
#: ``get_requires_for_build_*`` (egg_info) and ``build_sdist`` too, and a
#: PyTorch-style setup.py drives CMake on every run (uv#14269).
REPAIRING_HOOKS = frozenset({
    "get_requires_for_build_wheel", "get_requires_for_build_sdist", "get_requires_for_build_editable",
    "prepare_metadata_for_build_wheel", "prepare_metadata_for_build_editable",
    "build_wheel", "build_editable", "build_sdist",
})
#: Hooks that compile, and so read and write intermediate artifacts.
COMPILING_HOOKS = frozenset({"build_wheel", "build_editable"})


@contextlib.contextmanager
def session(ctx: BuildContext, adapter: Adapter, plan: RemapPlan | None) -> Iterator[None]:
    """Hold the tree's lock around the wrapped hook; repair before it, record after it succeeds.

    ``plan`` is None for a hook that makes no plan (``get_requires_for_build_*``,
    which compiles nothing and so records no fingerprint).
    """
    if ctx.hook not in REPAIRING_HOOKS:
        yield
        return
    workdir = ctx.state_dir
    if not statedir.prepare(workdir):  # a read-only tree: build as the backend would
        yield
        return
    with lock.exclusive(workdir / statedir.LOCK_NAME):
        state = statefile.load(workdir)
        current = environments.current()
        dirs = locations.state_dirs(ctx, adapter)
        now = current_fingerprint(ctx, plan, current) if plan is not None and ctx.hook in COMPILING_HOOKS else None
        repair(ctx, adapter, dirs, state, current, now)
        yield
        state = state.with_environment(current.roots)
        if now is not None:
            built = locations.state_dirs(ctx, adapter)
            state = state.with_fingerprints({statefile.key_for(d, ctx.source_dir): now for d in built})
        state = state.without_missing_dirs(ctx.source_dir)
        statefile.save(workdir, state)


def repair(
    ctx: BuildContext,
    adapter: Adapter,
    dirs: Sequence[Path],
    state: statefile.State,
    current: environments.Environment,
    now: dict[str, Any] | None,
) -> None:
    """Check every cache, drop what a changed environment made stale, relocate what moved."""
    for cache in locations.cmake_caches(dirs):  # every problem reported before anything changes
        check_cache_owner(cache, ctx)
    if now is not None:
        caches = locations.cmake_caches(dirs)
        for directory in dirs:
            recorded = state.fingerprints.get(statefile.key_for(directory, ctx.source_dir))
            invalidate_stale(adapter, directory, caches, recorded, now)
    for cache in locations.cmake_caches(dirs):
        relocate_cache(cache, ctx, state.old_roots(), current)


def check_cache_owner(cache_path: Path, ctx: BuildContext) -> None:
    """Refuse a cache configured for another source tree (CMake's modules load only for trees with one)."""
    from . import cmakecache

    cmakecache.check_owner(cmakecache.read(cache_path), ctx.source_dir)


def relocate_cache(cache_path: Path, ctx: BuildContext, remembered: Sequence[str], current: environments.Environment) -> None:
    """Point a CMake cache (and the files generated from it) at the current environment."""
    from . import cmakecache
    from .relocation import Relocation

    cache = cmakecache.read(cache_path)
    relocation = Relocation(
        old_roots=tuple(remembered) + tuple(environments.infer_roots(cmakecache.paths_in(cache))),
        new_roots=current.roots,
        executable=current.executable,
        search_path=ctx.environ.get("PATH"),
    )
    text, changes = cmakecache.relocated(cache, relocation)
    if not changes:
        return
    updates = []
    for path in generated_files(cache_path.parent):
        rewritten, moved = relocation.rewrite_text(read_text(path))
        if moved:
            updates.append((path, rewritten))
    updates.append((cache_path, text))  # last: the newest input, so CMake regenerates
    replace_all(updates, backup=[cache_path], why=f"relocate {cache_path.name} to this build environment")
    log.info(f"relocated {len(changes)} paths in {cache_path} from a vanished build environment")
    for change in changes:
        log.debug(f"{change.key}: {change.old} -> {change.new}")
    for path, _ in updates[:-1]:
        log.debug(f"rewrote {path}")


def current_fingerprint(ctx: BuildContext, plan: RemapPlan, current: environments.Environment) -> dict[str, Any]:
    """This build's fingerprint, with every varying path replaced by a stable stand-in."""
    replacements = [(m.source, m.target) for m in plan.maps]
    replacements += [(root, "<build-env>") for root in current.roots]
    replacements.append((str(ctx.source_dir), "<source>"))
    project = ctx.pyproject.get("project", {})
    own_name = project.get("name") if isinstance(project, dict) else None
    return fingerprint.compute(
        environ=ctx.environ,
        injected=plan.environment,
        config_settings=plan.config_settings,
        replacements=replacements,
        exclude_distributions=[own_name] if isinstance(own_name, str) else [],
    )


def invalidate_stale(
    adapter: Adapter, directory: Path, caches: Sequence[Path], recorded: Any, now: dict[str, Any]
) -> None:
    changed = fingerprint.changed_parts(recorded, now)
    stale = invalidate.stale_artifacts(
        directory, caches, changed, known=isinstance(recorded, dict), intermediates=adapter.intermediates(directory)
    )
    if stale:
        invalidate.remove(stale, f"built in another environment: {fingerprint.describe_change(recorded, now)}")
