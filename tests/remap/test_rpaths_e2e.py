"""The interpreter's rpath leaves setuptools extensions; a project's own rpaths, and the user's LDSHARED, stay.

This machine's pyenv CPython (``--enable-shared``) links every setuptools
extension with ``-Wl,-rpath,<its libdir>``: the plain backend's wheel names
the builder's home in ``DT_RUNPATH``. The test project
(``projects/deliberate-rpath``) also asks for ``$ORIGIN/../rpathed.libs``
(``runtime_library_dirs``) and ``/opt/rpathed-vendor/lib``
(``extra_link_args``, on the C++ extension), which must survive the proxy.
"""

from __future__ import annotations

import io
import shlex
import sysconfig
import zipfile
from pathlib import Path

import pytest

from support import frontends
from support.reproducibility import forbidden_paths, leaks_in_wheel, plain_sdist

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).parent / "projects" / "deliberate-rpath"
LIBDIR = sysconfig.get_config_var("LIBDIR") or ""
LDSHARED = sysconfig.get_config_var("LDSHARED") or ""
INTERPRETER_HAS_RPATH = any(w.startswith("-Wl,-rpath,") and LIBDIR in w for w in shlex.split(LDSHARED))
OWN_C = "$ORIGIN/../rpathed.libs"
OWN_CXX = "/opt/rpathed-vendor/lib"


def search_paths(wheel: Path) -> dict[str, list[str]]:
    """``{extension: DT_RUNPATH and DT_RPATH entries}`` for each extension in the wheel."""
    from elftools.elf.dynamic import DynamicSection
    from elftools.elf.elffile import ELFFile

    found = {}
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if not name.endswith(".so"):
                continue
            elf = ELFFile(io.BytesIO(archive.read(name)))
            entries = []
            for section in elf.iter_sections():
                if isinstance(section, DynamicSection):
                    for tag in section.iter_tags():
                        if tag.entry.d_tag in ("DT_RUNPATH", "DT_RPATH"):
                            entries.extend(getattr(tag, tag.entry.d_tag[3:].lower()).split(":"))
            found[name.split("/")[-1].split(".")[0]] = entries
    return found


@pytest.mark.skipif(not INTERPRETER_HAS_RPATH,
                    reason="this interpreter's LDSHARED has no -Wl,-rpath (a Python built with --enable-shared has)")
def test_interpreter_rpath_goes_and_the_projects_own_stay(proxy_wheelhouse, uv_cache, tmp_path):
    project = frontends.copy_project(PROJECT, tmp_path / "project")
    sdist = frontends.build_sdist(
        project, tmp_path / "sdist", frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "t-sdist"))
    needles = forbidden_paths(tmp_path, uv_cache)

    ours = frontends.wheel_from_sdist_with_build(
        sdist, frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "t-proxy"))
    plain = frontends.wheel_from_sdist_with_build(
        plain_sdist(sdist, tmp_path / "plain-sdist"), frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "t-plain"))

    # Without the proxy: the builder's home in DT_RUNPATH, beside the project's own entry.
    theirs = search_paths(plain)
    assert LIBDIR in theirs["_c"] and OWN_C in theirs["_c"], theirs
    assert any(leak.where == "dynamic DT_RUNPATH" for leak in leaks_in_wheel(plain, needles))
    # Through the proxy: exactly the project's own entries.
    assert search_paths(ours) == {"_c": [OWN_C], "_cxx": [OWN_CXX]}
    leaks = leaks_in_wheel(ours, needles)
    assert not leaks, "\n".join(map(str, leaks[:20]))


def test_an_ldshared_the_user_sets_is_theirs(proxy_wheelhouse, uv_cache, tmp_path):
    """The user's explicit LDSHARED wins, rpath and all (the leak is theirs to see)."""
    project = frontends.copy_project(PROJECT, tmp_path / "project")
    mine = "/srv/user-chosen/lib"
    env = frontends.frontend_env(proxy_wheelhouse, uv_cache, tmp_path / "t-user",
                                 {"LDSHARED": f"gcc -shared -Wl,-rpath,{mine}"})
    wheel = frontends.wheel_from_sdist_with_build(frontends.build_sdist(project, tmp_path / "sdist", env), env)
    assert search_paths(wheel)["_c"] == [mine, OWN_C]
