"""Fetching ``name==version`` from an index's simple API, without running a backend.

A real HTTP index is served on 127.0.0.1 by the test (PEP 691 JSON and PEP 503
HTML pages, files with hashes); the real PyPI is asked for one small sdist;
and a meson-python sdist built by name shows that meson configures once.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import socket
import subprocess
import sys
import tarfile
import threading
from pathlib import Path

import pytest

from remap_backend_cli import index
from remap_backend_cli.errors import RemapError

from support.frontends import copy_project, EXAMPLES




def _sdist_bytes(name: str, version: str) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        data = f'[project]\nname = "{name}"\nversion = "{version}"\n'.encode()
        info = tarfile.TarInfo(f"{name}-{version}/pyproject.toml")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class Index:
    """Files and pages of a tiny index; ``pages`` maps a project to its files."""

    def __init__(self) -> None:
        self.files = {
            "demo-1.0.tar.gz": _sdist_bytes("demo", "1.0"),
            "demo-1.0-py3-none-any.whl": b"not really a wheel",
            "demo-2.0-py3-none-any.whl": b"only a wheel for 2.0",
            "demo-3.0.tar.gz": _sdist_bytes("demo", "3.0"),  # yanked
        }
        self.yanked = {"demo-3.0.tar.gz"}
        self.wrong_hash: set[str] = set()
        self.requests: list[str] = []

    def sha256(self, name: str) -> str:
        if name in self.wrong_hash:
            return "0" * 64
        return hashlib.sha256(self.files[name]).hexdigest()

    def json_page(self) -> bytes:
        files = [{"filename": n, "url": f"../../../files/{n}", "hashes": {"sha256": self.sha256(n)},
                  "yanked": n in self.yanked} for n in self.files]
        return json.dumps({"meta": {"api-version": "1.0"}, "name": "demo", "files": files}).encode()

    def html_page(self) -> bytes:
        links = "".join(
            f'<a href="/files/{n}#sha256={self.sha256(n)}"{" data-yanked" if n in self.yanked else ""}>{n}</a><br>'
            for n in self.files)
        return f"<!DOCTYPE html><html><body>{links}</body></html>".encode()


@pytest.fixture
def served():
    """(base URL, Index) of an index on 127.0.0.1: /json/simple/, /html/simple/, /broken/simple/."""
    state = Index()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            state.requests.append(self.path)
            parts = self.path.strip("/").split("/")
            if parts[0] == "files" and parts[-1] in state.files:
                return self._send(200, "application/octet-stream", state.files[parts[-1]])
            if parts[0] == "broken":
                return self._send(503, "text/plain", b"down for maintenance")
            if len(parts) == 3 and parts[1] == "simple" and parts[2] == "demo":
                if parts[0] == "json" and "application/vnd.pypi.simple.v1+json" in self.headers.get("Accept", ""):
                    return self._send(200, "application/vnd.pypi.simple.v1+json", state.json_page())
                if parts[0] == "html":
                    return self._send(200, "text/html", state.html_page())
            return self._send(404, "text/plain", b"not found")

        def _send(self, code, content_type, body):
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()
        server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("flavour", ["json", "html"])
def test_fetches_the_sdist_and_checks_its_hash(served, tmp_path, flavour):
    base, state = served
    path = index.fetch_sdist("demo==1.0", tmp_path, {"PIP_INDEX_URL": f"{base}/{flavour}/simple/"})
    assert path.name == "demo-1.0.tar.gz" and path.read_bytes() == state.files["demo-1.0.tar.gz"]
    assert f"/{flavour}/simple/demo/" in state.requests


def test_a_wrong_hash_is_refused_and_nothing_is_left(served, tmp_path):
    base, state = served
    state.wrong_hash.add("demo-1.0.tar.gz")
    with pytest.raises(RemapError, match="does not match the sha256"):
        index.fetch_sdist("demo==1.0", tmp_path, {"PIP_INDEX_URL": f"{base}/json/simple/"})
    assert list(tmp_path.iterdir()) == []


def test_yanked_files_count_only_when_pinned(served, tmp_path):
    base, _ = served
    env = {"PIP_INDEX_URL": f"{base}/json/simple/"}
    assert index.fetch_sdist("demo>=1", tmp_path, env).name == "demo-1.0.tar.gz"
    assert index.fetch_sdist("demo==3.0", tmp_path, env).name == "demo-3.0.tar.gz"


def test_uv_index_url_is_used_when_pip_has_none(served, tmp_path):
    base, state = served
    index.fetch_sdist("demo==1.0", tmp_path, {"UV_INDEX_URL": f"{base}/html/simple/"})
    assert "/html/simple/demo/" in state.requests


def test_find_links_directory_alone(tmp_path):
    links = tmp_path / "links"
    links.mkdir()
    (links / "demo-1.0.tar.gz").write_bytes(_sdist_bytes("demo", "1.0"))
    env = {"PIP_FIND_LINKS": str(links), "PIP_NO_INDEX": "1"}
    assert index.fetch_sdist("demo==1.0", tmp_path / "out", env).read_bytes() == (links / "demo-1.0.tar.gz").read_bytes()


def test_find_links_from_pip_and_uv_settings():
    env = {"PIP_FIND_LINKS": "/a /b", "UV_FIND_LINKS": "/b,https://c/links/"}
    assert index.find_links(env) == ["/a", "/b", "https://c/links/"]


def test_pip_conf_index_url_and_find_links(tmp_path):
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nindex-url = https://mirror.example/simple/\nfind-links = /wheels\n")
    env = {"PIP_CONFIG_FILE": str(config)}
    assert index.index_url(env) == "https://mirror.example/simple/"
    assert index.find_links(env) == ["/wheels"]
    assert index.index_url({**env, "PIP_INDEX_URL": "https://env/simple/"}) == "https://env/simple/"
    assert index.find_links({**env, "PIP_FIND_LINKS": ""}) == []


def test_name_is_matched_canonically():
    files = [index.File("Demo_Pkg-1.0.tar.gz", "u"), index.File("other-1.0.tar.gz", "v")]
    assert index.choose_sdist("demo.pkg==1.0", files, "here").filename == "Demo_Pkg-1.0.tar.gz"


def test_html_page_hashes_and_relative_urls():
    page = '<a href="../../f/x-1.0.tar.gz#sha256=ab">x</a><a href="https://cdn/x-1.0-py3-none-any.whl" data-yanked="">y</a>'
    files = index.parse_html_page(page, "https://idx/simple/x/")
    assert files[0] == index.File("x-1.0.tar.gz", "https://idx/f/x-1.0.tar.gz")
    assert files[0].hashes == {"sha256": "ab"} and files[1].yanked


# --- the three failures, each its own message, each one line and exit 2 from the CLI ---------------

@pytest.mark.parametrize(
    "requirement, where, message",
    [
        ("demo==9.9", "json", "no such version: demo has no release matching ==9.9"),
        ("demo==2.0", "html", "no sdist for this version: demo 2.0"),
        ("demo==1.0", "broken", "the index could not be reached"),
        ("demo==1.0", "closed", "the index could not be reached"),
        ("nothere==1.0", "json", "no such project"),
    ],
)
def test_cli_names_which_thing_is_missing(cli, served, tmp_path, requirement, where, message):
    base, _ = served
    url = f"http://127.0.0.1:{_closed_port()}/simple/" if where == "closed" else f"{base}/{where}/simple/"
    done = cli("build", requirement, "-o", tmp_path, env_extra={"PIP_INDEX_URL": url, "PIP_FIND_LINKS": ""})
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.e2e
def test_real_index_small_sdist(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_FIND_LINKS", "UV_", "PIP_INDEX_URL"))}
    path = index.fetch_sdist("markupsafe==3.0.2", tmp_path, env)
    assert path.name == "markupsafe-3.0.2.tar.gz"
    with tarfile.open(path) as archive:
        assert "markupsafe-3.0.2/pyproject.toml" in archive.getnames()
    with pytest.raises(RemapError, match="no such version"):
        index.fetch_sdist("markupsafe==0.0.0.1", tmp_path, env)


# --- Done when: a meson-python sdist built by name configures exactly once ---------------------------

MESON_BANNER = "The Meson build system"


@pytest.mark.e2e
def test_meson_sdist_by_name_configures_once(cli, tmp_path, proxy_wheelhouse):
    project = copy_project(EXAMPLES / "meson-python-c", tmp_path / "src")
    # meson-python's sdist is `meson dist`, which wants a git checkout.
    for command in (["init", "-q"], ["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=project, check=True)
    links = tmp_path / "links"
    made = cli("build", project, "--sdist", "-o", links)
    assert made.returncode == 0, made.stderr
    (sdist,) = links.glob("hello_meson-1.0.0.tar.gz")

    # What `pip download` did before: it configures the project just to read its metadata.
    before = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-v", "--no-deps", "--no-binary", "hello-meson",
         "-d", tmp_path / "pip-download", "hello-meson==1.0.0"],
        env={**os.environ, "PIP_FIND_LINKS": f"{links} {proxy_wheelhouse}"}, capture_output=True, text=True)
    assert before.returncode == 0, before.stderr[-3000:]
    assert MESON_BANNER in before.stdout + before.stderr

    env = {"PIP_FIND_LINKS": str(links), "UV_FIND_LINKS": str(links)}
    built = cli("build", "hello-meson==1.0.0", "-v", "-o", tmp_path / "out", env_extra=env)
    assert built.returncode == 0, built.stderr[-3000:]
    assert (built.stdout + built.stderr).count(MESON_BANNER) == 1
    assert len(list((tmp_path / "out").glob("hello_meson-1.0.0-*.whl"))) == 1
