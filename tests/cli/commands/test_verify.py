"""``remap-backend verify``: varied builds compared; ``--json`` shares ``diff --json``'s schema; pip, build and uv compared."""

from __future__ import annotations

import json

import pytest

from remap_backend_cli.commands.verify import Variation

from ..conftest import PROJECTS, REPO


def test_frontends_refuse_options_they_cannot_honour(cli):
    done = cli("verify", REPO / "examples" / "setuptools-c", "--frontends", "pip,uv", "--vs-plain")
    assert done.returncode == 2 and "leave out --vs-plain" in done.stderr


def _diff_keys(cli, tmp_path) -> set:
    from ..native import make_wheel

    a = make_wheel(tmp_path / "a.whl", {"x.txt": b"1\n"})
    b = make_wheel(tmp_path / "b.whl", {"x.txt": b"2\n"})
    document = json.loads(cli("diff", "--json", a, b).stdout)
    assert document["schema"] == "remap-backend.diff/1"
    return set(document) - {"schema"}


@pytest.mark.e2e
def test_frontends_agree_on_a_c_extension_and_json_has_one_schema(cli, tmp_path):
    # No find-links: each build's copy carries the proxy (vendored), so no index needs to have it.
    done = cli("verify", REPO / "examples" / "setuptools-c", "--frontends", "pip,build,uv", "--json",
               env_extra={"PIP_FIND_LINKS": "", "UV_FIND_LINKS": ""})
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert document["schema"] == "remap-backend.verify/1" and document["identical"] is True
    assert [build["label"] for build in document["builds"]] == ["run 1 (pip)", "run 2 (build)", "run 3 (uv)"]
    digests = {artifact["sha256"] for build in document["builds"] for artifact in build["artifacts"].values()}
    assert len(digests) == 1 and document["comparisons"] == []


@pytest.mark.e2e
def test_frontends_find_a_stamped_build_and_comparisons_are_diff_objects(cli, tmp_path):
    done = cli("verify", PROJECTS / "stamped", "--frontends", "pip,uv", "--json")
    assert done.returncode == 1, done.stderr[-3000:]
    document = json.loads(done.stdout)
    assert document["identical"] is False
    (comparison,) = document["comparisons"]
    assert comparison["between"] == ["run 1 (pip)", "run 2 (uv)"]
    assert set(comparison) - {"between"} == _diff_keys(cli, tmp_path)
    assert "stamped/_build_info.py" in [change["name"] for change in comparison["changed"]]

    text = cli("verify", PROJECTS / "stamped", "--frontends", "pip,build")
    assert text.returncode == 1 and "built by pip" in text.stdout and "built by build" in text.stdout


def test_verify_runs_vary_everything_but_the_epoch(tmp_path):
    first, second = Variation.for_run(0, tmp_path / "r0"), Variation.for_run(1, tmp_path / "r1")
    env_a, env_b = first.hook_environment(1700000000), second.hook_environment(1700000000)
    assert env_a["SOURCE_DATE_EPOCH"] == env_b["SOURCE_DATE_EPOCH"] == "1700000000"
    for key in ("TMPDIR", "TZ", "LANG", "LC_ALL", "PYTHONHASHSEED"):
        assert env_a[key] != env_b[key], key
    assert first.umask != second.umask and first.mtime_shift != second.mtime_shift
    assert first.source_parent != second.source_parent and first.env_dir != second.env_dir
    assert len(first.source_parent.parts) != len(second.source_parent.parts)  # different depth, not only names


@pytest.mark.e2e
def test_verify_passes_on_the_example_and_plain_builds_differ(cli):
    done = cli("verify", REPO / "examples" / "setuptools-c", "--vs-plain")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproducible: hello_c-1.0.0-" in done.stdout and "identical in 2 builds" in done.stdout
    assert "without the proxy: the 2 plain builds DIFFER" in done.stdout
    assert "build paths in debug info differ" in done.stdout


@pytest.mark.e2e
def test_verify_fails_and_names_the_cause_on_a_stamped_build(cli):
    done = cli("verify", PROJECTS / "stamped")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "NOT reproducible" in done.stdout
    assert "changed: stamped/_build_info.py" in done.stdout
    assert "likely cause: stamped/_build_info.py: a timestamp is written into this file" in done.stdout
