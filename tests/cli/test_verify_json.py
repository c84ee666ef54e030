"""``verify --json`` and ``verify --frontends``: one schema with ``diff --json``; pip, build and uv compared."""

from __future__ import annotations

import json

import pytest

from remap_backend_cli import frontends
from remap_backend_cli.errors import RemapError

from .conftest import PROJECTS, REPO


def test_frontends_list_is_checked():
    assert frontends.parse("pip,build,uv") == ["pip", "build", "uv"]
    for bad, message in (("pip,poetry", "unknown frontend 'poetry'"), ("pip", "two or more"), ("uv,uv", "two or more")):
        with pytest.raises(RemapError, match=message):
            frontends.parse(bad)


def test_frontends_refuse_options_they_cannot_honour(cli):
    done = cli("verify", REPO / "examples" / "setuptools-c", "--frontends", "pip,uv", "--vs-plain")
    assert done.returncode == 2 and "leave out --vs-plain" in done.stderr


def _diff_keys(cli, tmp_path) -> set:
    from .native import make_wheel

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
