"""Pure logic of map ordering and path discovery (no builds)."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from remap_backend.remap import discovery
from remap_backend.remap.discovery import Runtime, build_environment_roots, discover, environment_root
from remap_backend.remap.pathmap import PathMap, apply, ordered


def runtime(**changes) -> Runtime:
    values = dict(
        prefix="/opt/py", base_prefix="/opt/py", base_exec_prefix="/opt/py",
        include_dirs=("/opt/py/include/python3.11",), path=("/opt/py/lib/python3.11",),
        temp_dir="/var/tmp", base_site_dirs=("/opt/py/lib/python3.11/site-packages",),
    )
    values.update(changes)
    return Runtime(**values)


# -- ordering -----------------------------------------------------------------


def test_general_maps_come_before_specific_ones():
    maps = [PathMap("/a/b/c", "/C"), PathMap("/a", "/A"), PathMap("/a/b", "/B")]
    assert [m.source for m in ordered(maps)] == ["/a", "/a/b", "/a/b/c"]


def test_a_source_is_given_once_and_the_first_wins():
    maps = [PathMap("/a/b", "/mine", "user"), PathMap("/a/b/", "/remap/source"), PathMap("/a", "/A")]
    result = ordered(maps)
    assert [(m.source, m.target) for m in result] == [("/a", "/A"), ("/a/b", "/mine")]


segment = st.sampled_from(["a", "b", "ab", "tmp", "x1"])
paths = st.lists(segment, min_size=1, max_size=4).map(lambda parts: "/" + "/".join(parts))


@given(sources=st.lists(paths, min_size=1, max_size=6, unique=True), probe=paths)
def test_last_match_wins_over_ordered_maps_means_the_longest_match_wins(sources, probe):
    """What GCC, clang and rustc do with the emitted order is what the user expects."""
    maps = [PathMap(source, f"/T{index}") for index, source in enumerate(sources)]
    matching = [m for m in maps if probe.startswith(m.source)]
    expected = probe
    if matching:
        best = max(matching, key=lambda m: len(m.source))
        expected = best.target + probe[len(best.source):]
    assert apply(ordered(maps), probe) == expected


# -- discovery ----------------------------------------------------------------


def test_environment_root_of_site_packages_directories():
    assert environment_root("/tmp/pip-build-env-x/overlay/lib/python3.11/site-packages") == "/tmp/pip-build-env-x/overlay"
    assert environment_root("/venv/lib64/python3.9/site-packages") == "/venv"
    assert environment_root("/tmp/pip-build-env-x/site") == "/tmp/pip-build-env-x/site"


def test_pip_build_environment_directories_are_found_and_base_ones_are_not():
    """pip does not make a venv: its prefixes are only visible on sys.path."""
    pip_path = (
        "/tmp/pip-build-env-q1/site",
        "/opt/py/lib/python311.zip",
        "/opt/py/lib/python3.11",
        "/tmp/pip-build-env-q1/overlay/lib/python3.11/site-packages",
        "/tmp/pip-build-env-q1/normal/lib/python3.11/site-packages",
        "/src/proj/backend",
        "",
    )
    roots = build_environment_roots(runtime(path=pip_path), "/src/proj")
    assert roots == ["/tmp/pip-build-env-q1/site", "/tmp/pip-build-env-q1/overlay", "/tmp/pip-build-env-q1/normal"]


def test_every_varying_path_gets_its_placeholder(tmp_path):
    cargo = tmp_path / "home" / ".cargo"
    cargo.mkdir(parents=True)
    environ = {"HOME": str(tmp_path / "home"), "RUSTUP_HOME": "/opt/rustup"}
    venv = runtime(prefix="/uv/builds/.tmpAbc123", path=("/uv/builds/.tmpAbc123/lib/python3.11/site-packages",))
    found = discover(Path("/tmp/.tmpXyz/proj-1.0"), [Path("/tmp/remap-backend-build-1")], environ, (), venv)
    targets = {m.source: m.target for m in found.maps}
    assert targets == {
        "/tmp/.tmpXyz/proj-1.0": discovery.SOURCE,
        "/tmp/remap-backend-build-1": discovery.BUILD,
        "/uv/builds/.tmpAbc123": discovery.ENV,
        "/opt/py/include/python3.11": discovery.PYTHON_INCLUDE,
        "/opt/py/lib/python3.11/site-packages": "/remap/env/lib/python3.11/site-packages",
        "/opt/py": discovery.PYTHON,
        str(cargo): discovery.CARGO,
        "/opt/rustup": discovery.RUSTUP,
        str(tmp_path / "home"): discovery.HOME,
        "/var/tmp": discovery.TMP,
        **{os.path.realpath(tmp_path / "home"): discovery.HOME,
           os.path.realpath(cargo): discovery.CARGO},
    }
    lengths = [len(m.source) for m in found.maps]
    assert lengths == sorted(lengths)


def test_system_prefix_is_not_mapped_but_its_python_headers_are():
    system = runtime(prefix="/usr", base_prefix="/usr", base_exec_prefix="/usr",
                     include_dirs=("/usr/include/python3.11",), path=())
    found = discover(Path("/src"), [], {}, (), system)
    sources = {m.source for m in found.maps}
    assert "/usr" not in sources
    assert "/usr/include/python3.11" in sources


def test_user_maps_win_over_discovered_ones_for_the_same_path():
    found = discover(Path("/work/proj"), [], {}, (("/work/proj", "/src/proj"), ("/opt/sdk", "/sdk")), runtime())
    targets = {m.source: m.target for m in found.maps}
    assert targets["/work/proj"] == "/src/proj"
    assert targets["/opt/sdk"] == "/sdk"
    assert len([m for m in found.maps if m.source == "/work/proj"]) == 1


def test_paths_with_spaces_and_special_characters_are_kept_for_the_renderers():
    """Discovery no longer drops them: each carrier quotes or refuses them (tests/remap/test_carriers.py)."""
    found = discover(Path("/home/me/my project"), [], {"HOME": "/home/a=b"}, (), runtime())
    assert not found.skipped
    targets = {m.source: m.target for m in found.maps}
    assert targets["/home/me/my project"] == "/remap/source"
    assert targets["/home/a=b"] == "/remap/home"


def test_relative_paths_and_the_root_are_skipped_with_a_reason():
    found = discover(Path("/src"), [], {"HOME": "/"}, (("relative/dir", "/x"),), runtime())
    skipped = dict(found.skipped)
    assert skipped == {"relative/dir": "not an absolute path", "/": "the file system root"}


def test_a_symlinked_directory_is_mapped_under_both_spellings(tmp_path):
    real = tmp_path / "real-home"
    real.mkdir()
    link = tmp_path / "home"
    link.symlink_to(real)
    found = discover(Path("/src"), [], {"HOME": str(link)}, (), runtime())
    homes = {m.source for m in found.maps if m.target == discovery.HOME}
    assert homes == {str(link), os.path.realpath(link)}


def test_pip_and_venv_build_environments_give_the_same_placeholder_paths():
    """pip's overlay prefix reads like a venv after mapping, so pip, build and uv agree."""
    header = "lib/python3.11/site-packages/pybind11/include/pybind11/pybind11.h"
    pip = runtime(prefix="/opt/py", path=("/tmp/pip-build-env-q1/site",
                                          "/tmp/pip-build-env-q1/overlay/lib/python3.11/site-packages",
                                          "/tmp/pip-build-env-q1/normal/lib/python3.11/site-packages"))
    venv = runtime(prefix="/tmp/build-env-z9", path=("/tmp/build-env-z9/lib/python3.11/site-packages",))
    pip_maps = discover(Path("/src"), [], {}, (), pip).maps
    venv_maps = discover(Path("/src"), [], {}, (), venv).maps
    assert apply(pip_maps, f"/tmp/pip-build-env-q1/overlay/{header}") == f"/remap/env/{header}"
    assert apply(venv_maps, f"/tmp/build-env-z9/{header}") == f"/remap/env/{header}"


def test_build_requirements_in_the_base_interpreter_read_like_a_build_environment():
    """pip lets CMake find pybind11 in the base interpreter; --no-isolation uses it on purpose."""
    header = "pybind11/include/pybind11/pybind11.h"
    maps = discover(Path("/src"), [], {}, (), runtime()).maps
    assert apply(maps, f"/opt/py/lib/python3.11/site-packages/{header}") == \
        f"/remap/env/lib/python3.11/site-packages/{header}"
    assert apply(maps, "/opt/py/include/python3.11/Python.h") == "/remap/python/include/Python.h"


def test_every_discovered_map_says_what_kind_of_path_it_is(tmp_path):
    """Renderers choose maps by kind (rustc skips the build env); discovery labels each one."""
    from remap_backend.remap.pathmap import Kind

    runtime = discovery.Runtime(
        prefix="/envs/build-1", base_prefix="/opt/py", base_exec_prefix="/opt/py",
        include_dirs=("/opt/py/include/python3.11",), path=("/pip-overlay/lib/python3.11/site-packages",),
        temp_dir="/tmp", base_site_dirs=("/opt/py/lib/python3.11/site-packages",),
    )
    found = discovery.discover(tmp_path, [tmp_path / "build"], {"HOME": "/home/u", "CARGO_HOME": "/c"},
                               [("/mine", "/theirs")], runtime, temp_dirs=["/tmp/private"])
    kinds = {m.source: m.kind for m in found.maps}
    assert kinds == {
        str(tmp_path): Kind.SOURCE, str(tmp_path / "build"): Kind.BUILD, "/envs/build-1": Kind.ENV,
        "/pip-overlay": Kind.ENV, "/opt/py/lib/python3.11/site-packages": Kind.ENV,
        "/opt/py/include/python3.11": Kind.PYTHON, "/opt/py": Kind.PYTHON, "/c": Kind.TOOL,
        "/home/u": Kind.HOME, "/tmp": Kind.TMP, "/tmp/private": Kind.TMP, "/mine": Kind.USER,
    }


def test_a_compiler_cache_launcher_reads_the_same_wherever_it_is_installed():
    """In the interpreter's bin or a user's venv: either way ``/remap/tools/sccache`` (the file map wins)."""
    for launcher in ("/opt/py/bin/sccache", "/srv/venvs/tools/bin/sccache"):
        found = discover(Path("/src"), [], {}, (), runtime(), launchers=[launcher])
        assert apply(found.maps, f"{launcher} cc") == "/remap/tools/sccache cc"
        (tool,) = [m for m in found.maps if m.source == launcher]
        assert tool.kind.value == "tool"
    without = discover(Path("/src"), [], {}, (), runtime()).maps
    assert not any(m.target.startswith(discovery.TOOLS) for m in without)


def test_meson_python_maps_the_caches_meson_would_find_on_path(tmp_path):
    from remap_backend.adapters.mesonpy import MesonPythonAdapter

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("ccache", "sccache", "gcc"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)

    class Context:
        environ = {"PATH": str(bin_dir)}

    assert MesonPythonAdapter().launchers(Context()) == [str(bin_dir / "sccache"), str(bin_dir / "ccache")]
    Context.environ = {"PATH": str(tmp_path / "empty")}
    assert MesonPythonAdapter().launchers(Context()) == []
