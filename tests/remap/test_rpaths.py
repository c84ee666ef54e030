"""Link commands lose exactly the rpath entries that point into the build's varying directories."""

from __future__ import annotations

import shlex

import pytest
from remap_backend.remap.pathmap import PathMap
from remap_backend.remap.rpaths import (
    is_varying,
    ldshared_without_varying_rpaths,
    setuptools_link_commands,
    setuptools_link_environment,
)

PYENV = "/home/alice/.pyenv/versions/3.11.7"
MAPS = (
    PathMap("/home/alice", "/remap/home"),
    PathMap(PYENV, "/remap/python"),
    PathMap("/tmp/build-env-x1", "/remap/env"),
    PathMap("/tmp/src-y2/pkg-1.0", "/remap/source"),
    PathMap("/tmp", "/remap/tmp"),
)
#: What pyenv's --enable-shared CPython 3.11 records (this machine's, with another home).
PYENV_LDSHARED = f"gcc -shared -L{PYENV}/lib -Wl,-rpath,{PYENV}/lib -L{PYENV}/lib -Wl,-rpath,{PYENV}/lib"


def no_files(path: str) -> bool:
    return False


def clean(command: str, is_file=no_files) -> str:
    return ldshared_without_varying_rpaths(command, MAPS, is_file)


def test_pyenv_ldshared_loses_its_rpaths_and_keeps_the_library_dirs():
    assert clean(PYENV_LDSHARED) == f"gcc -shared -L{PYENV}/lib -L{PYENV}/lib"


@pytest.mark.parametrize("spelling", [
    "-Wl,-rpath,{d}", "-Wl,-rpath={d}", "-Wl,--rpath,{d}", "-Wl,--rpath={d}", "-Wl,-R,{d}", "-Wl,-R{d}",
    "-R{d}", "-Wl,-rpath -Wl,{d}", "-Xlinker -rpath -Xlinker {d}", "-Xlinker -rpath={d}",
])
def test_every_spelling_of_a_varying_rpath_goes(spelling):
    for directory in (f"{PYENV}/lib", "/tmp/build-env-x1/lib", "/tmp/src-y2/pkg-1.0/build/lib", "/tmp/other",
                      "/home/alice/lib"):
        command = f"cc -shared -O2 {spelling.format(d=directory)} -lm"
        assert clean(command) == "cc -shared -O2 -lm", command


@pytest.mark.parametrize("kept", [
    "-Wl,-rpath,$ORIGIN/../lib", "-Wl,-rpath,/opt/vendor/lib", "-Wl,-rpath,/usr/lib64", "-Wl,-R,/home/alicex/lib",
    "-Wl,-rpath-link,/tmp/x", "-Wl,--rpath-link=/tmp/x", "-L/tmp/x", "-Wl,-rpath,lib/relative",
])
def test_deliberate_and_system_rpaths_stay_and_the_command_is_returned_verbatim(kept):
    command = f"cc  -shared {kept}   -lm"
    assert clean(command) == command


def test_only_the_varying_part_of_one_word_goes():
    command = f"cc -shared -Wl,--enable-new-dtags,-rpath,{PYENV}/lib,-rpath,$ORIGIN/../lib,-z,now"
    assert shlex.split(clean(command)) == ["cc", "-shared", "-Wl,--enable-new-dtags,-rpath,$ORIGIN/../lib,-z,now"]


def test_a_search_path_list_keeps_its_stable_entries():
    command = f"cc -shared -Wl,-rpath,/opt/a/lib:{PYENV}/lib:$ORIGIN -Wl,-rpath,/tmp/x:{PYENV}/lib"
    assert shlex.split(clean(command)) == ["cc", "-shared", "-Wl,-rpath,/opt/a/lib:$ORIGIN"]


def test_dash_capital_r_naming_a_file_is_just_symbols_and_stays():
    command = "cc -shared -Wl,-R,/tmp/symbols.o -Wl,-R/tmp/symbols.o -Wl,-R,/tmp/dir"
    kept = clean(command, is_file=lambda path: path.endswith(".o"))
    assert shlex.split(kept) == ["cc", "-shared", "-Wl,-R,/tmp/symbols.o", "-Wl,-R/tmp/symbols.o"]


def test_quoted_words_survive_the_rewrite():
    command = f"env 'MACOSX_DEPLOYMENT_TARGET=11 x' gcc -shared -Wl,-rpath,{PYENV}/lib '-DNAME=a b'"
    assert shlex.split(clean(command)) == ["env", "MACOSX_DEPLOYMENT_TARGET=11 x", "gcc", "-shared", "-DNAME=a b"]


def test_an_unparsable_command_is_left_alone():
    assert clean(f"gcc -shared -Wl,-rpath,{PYENV}/lib 'unterminated") == f"gcc -shared -Wl,-rpath,{PYENV}/lib 'unterminated"


def test_is_varying_compares_whole_path_components():
    assert is_varying(f"{PYENV}/lib", MAPS)
    assert is_varying("/home/alice", MAPS)
    assert not is_varying("/home/alicex/lib", MAPS)
    assert not is_varying("$ORIGIN/../lib", MAPS)
    assert not is_varying("/anything", (PathMap("/", "/remap/root"),))


CONFIG = {"CC": "gcc", "LDSHARED": PYENV_LDSHARED, "LDCXXSHARED": f"g++ -shared -Wl,-rpath,{PYENV}/lib"}


def test_setuptools_commands_follow_its_cc_rule():
    assert setuptools_link_commands(CONFIG, {}) == {"LDSHARED": PYENV_LDSHARED, "LDCXXSHARED": CONFIG["LDCXXSHARED"]}
    # $CC replaces a leading config CC in LDSHARED (not in LDCXXSHARED), as setuptools does.
    commands = setuptools_link_commands(CONFIG, {"CC": "ccache gcc-12"})
    assert commands["LDSHARED"] == "ccache gcc-12" + PYENV_LDSHARED[len("gcc"):]
    assert commands["LDCXXSHARED"] == CONFIG["LDCXXSHARED"]
    # ... only when LDSHARED starts with it, and never when the user set LDSHARED.
    assert setuptools_link_commands({**CONFIG, "LDSHARED": "cc -shared"}, {"CC": "clang"})["LDSHARED"] == "cc -shared"
    assert setuptools_link_commands(CONFIG, {"CC": "clang", "LDSHARED": "ld.lld"})["LDSHARED"] == "ld.lld"


def test_setuptools_environment_cleans_both_linkers_without_the_flag_variables():
    environment = setuptools_link_environment(CONFIG, {"LDFLAGS": f"-Wl,-rpath,{PYENV}/mine", "CC": "clang"}, MAPS)
    # setuptools appends $LDFLAGS, $CFLAGS, $CPPFLAGS itself after reading LDSHARED: not repeated here.
    assert environment == {"LDSHARED": f"clang -shared -L{PYENV}/lib -L{PYENV}/lib", "LDCXXSHARED": "g++ -shared"}


def test_setuptools_environment_never_replaces_what_the_user_set():
    user = {"LDSHARED": f"gcc -shared -Wl,-rpath,{PYENV}/lib"}
    assert setuptools_link_environment(CONFIG, user, MAPS) == {"LDCXXSHARED": "g++ -shared"}
    assert setuptools_link_environment(CONFIG, {**user, "LDCXXSHARED": "g++ -shared"}, MAPS) == {}


def test_setuptools_environment_is_empty_when_nothing_varies():
    config = {"CC": "gcc", "LDSHARED": "gcc -shared", "LDCXXSHARED": "g++ -shared"}
    assert setuptools_link_environment(config, {}, MAPS) == {}
    assert setuptools_link_environment({"CC": None, "LDSHARED": None}, {}, MAPS) == {}
