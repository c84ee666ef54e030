"""Fetch one sdist by requirement from a package index, without running any backend.

``pip download`` prepares metadata to choose a file, and for an sdist that
means running the backend (meson or CMake configure) just to fetch it. The
index's simple API already lists every file with its hash, so this module asks
it directly: PEP 691 JSON, PEP 503 HTML as the fallback, plus find-links
directories and pages. ``PIP_INDEX_URL`` (or ``index-url`` in pip.conf),
``UV_DEFAULT_INDEX``/``UV_INDEX_URL``, ``PIP_FIND_LINKS`` (or pip.conf's
``find-links``)/``UV_FIND_LINKS`` and ``PIP_CERT``/``SSL_CERT_FILE`` are honoured.
Three failures get three messages: the index could not be reached, no such
version, and no sdist for that version.
"""

from __future__ import annotations

import hashlib
import html.parser
import json
import os
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from remap_backend.atomic import atomic_path

from .errors import RemapError

DEFAULT_INDEX = "https://pypi.org/simple/"
ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"
_CHUNK = 1 << 16


@dataclass(frozen=True)
class File:
    """One distribution file an index or find-links location offers."""

    filename: str
    url: str
    hashes: Dict[str, str] = field(default_factory=dict, compare=False)
    yanked: bool = False


class Unreachable(Exception):
    """The index or find-links location did not answer (network, DNS, TLS, HTTP 5xx)."""


# --- where to look ----------------------------------------------------------------------------

def pip_config_files(environ: Mapping[str, str]) -> List[Path]:
    """pip's configuration files, lowest priority first (global, user, site), or only ``PIP_CONFIG_FILE``."""
    if environ.get("PIP_CONFIG_FILE"):
        return [Path(environ["PIP_CONFIG_FILE"])]
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    config_home = Path(environ.get("XDG_CONFIG_HOME") or home / ".config")
    files = [Path("/etc/pip.conf"), home / ".pip" / "pip.conf", config_home / "pip" / "pip.conf"]
    if environ.get("VIRTUAL_ENV"):
        files.append(Path(environ["VIRTUAL_ENV"]) / "pip.conf")
    return files


def pip_config(environ: Mapping[str, str], key: str) -> Optional[str]:
    """``key`` from the ``[global]`` or ``[download]`` section of pip's config files (last file wins)."""
    import configparser

    value = None
    for path in pip_config_files(environ):
        parser = configparser.RawConfigParser()
        try:
            parser.read(path, encoding="utf-8")
        except (OSError, configparser.Error):
            continue
        for section in ("global", "download"):
            if parser.has_option(section, key):
                value = parser.get(section, key)
    return value


def index_url(environ: Mapping[str, str]) -> str:
    """The one index to ask: pip's setting (environment, then pip.conf), then uv's, then PyPI."""
    for key in ("PIP_INDEX_URL",):
        if environ.get(key, "").strip():
            return environ[key].strip()
    configured = pip_config(environ, "index-url")
    if configured and configured.strip():
        return configured.strip()
    for key in ("UV_DEFAULT_INDEX", "UV_INDEX_URL"):
        if environ.get(key, "").strip():
            return environ[key].strip()
    return DEFAULT_INDEX


def find_links(environ: Mapping[str, str]) -> List[str]:
    """Directories or pages from ``PIP_FIND_LINKS`` (whitespace-separated) and ``UV_FIND_LINKS`` (commas), in order."""
    seen: List[str] = []
    pip_links = environ.get("PIP_FIND_LINKS") if "PIP_FIND_LINKS" in environ else pip_config(environ, "find-links")
    for text in (pip_links or "", environ.get("UV_FIND_LINKS", "").replace(",", " ")):
        for entry in text.split():
            if entry not in seen:
                seen.append(entry)
    return seen


def no_index(environ: Mapping[str, str]) -> bool:
    return environ.get("PIP_NO_INDEX", "").strip().lower() in ("1", "true", "yes", "on") or \
        environ.get("UV_NO_INDEX", "").strip().lower() in ("1", "true", "yes", "on")


# --- parsing (pure) ---------------------------------------------------------------------------

def parse_json_page(text: str, base_url: str) -> List[File]:
    """A PEP 691 project page."""
    try:
        data = json.loads(text)
        return [
            File(item["filename"], urllib.parse.urljoin(base_url, item["url"]), dict(item.get("hashes") or {}),
                 bool(item.get("yanked")))
            for item in data["files"]
        ]
    except (ValueError, KeyError, TypeError) as exc:
        raise RemapError(f"{base_url} answered with an invalid PEP 691 page ({exc}); check the index URL") from None


class _Anchors(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.anchors: List[Tuple[str, Dict[str, Optional[str]]]] = []
        self.base: Optional[str] = None

    def handle_starttag(self, tag: str, attrs: List[Tuple[str, Optional[str]]]) -> None:
        found = dict(attrs)
        if tag == "base" and found.get("href"):
            self.base = found["href"]
        if tag == "a" and found.get("href"):
            self.anchors.append((found["href"] or "", found))


def parse_html_page(text: str, base_url: str) -> List[File]:
    """A PEP 503 project page (or a find-links page): anchors, hashes in the URL fragment."""
    parser = _Anchors()
    parser.feed(text)
    base = urllib.parse.urljoin(base_url, parser.base) if parser.base else base_url
    files = []
    for href, attrs in parser.anchors:
        url, _, fragment = urllib.parse.urljoin(base, href).partition("#")
        algorithm, _, digest = fragment.partition("=")
        filename = urllib.parse.unquote(url.rstrip("/").rsplit("/", 1)[-1])
        hashes = {algorithm: digest} if digest else {}
        files.append(File(filename, url, hashes, "data-yanked" in attrs))
    return files


def _sdist_of(filename: str) -> Optional[Tuple[str, object]]:
    from packaging.utils import InvalidSdistFilename, parse_sdist_filename

    if not filename.lower().endswith((".tar.gz", ".zip")):
        return None
    try:
        return parse_sdist_filename(filename)
    except InvalidSdistFilename:
        return None


def _version_of(filename: str, project: str) -> Optional[object]:
    """The version in a wheel or sdist file name of ``project`` (canonical), else None."""
    from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

    if filename.endswith(".whl"):
        try:
            name, version, _, _ = parse_wheel_filename(filename)
        except InvalidWheelFilename:
            return None
    else:
        parsed = _sdist_of(filename)
        if parsed is None:
            return None
        name, version = parsed
    return version if canonicalize_name(name) == project else None


def choose_sdist(requirement: str, files: Iterable[File], where: str) -> File:
    """The newest sdist matching ``requirement``; RemapError naming which of the two things is missing."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    wanted = Requirement(requirement)
    project = canonicalize_name(wanted.name)
    pinned = any(spec.operator in ("==", "===") for spec in wanted.specifier)
    versions: Dict[object, List[File]] = {}
    for item in files:
        version = _version_of(item.filename, project)
        if version is None or (item.yanked and not pinned):
            continue
        if wanted.specifier.contains(version, prereleases=True if pinned else None):
            versions.setdefault(version, []).append(item)
    if not versions:
        known = sorted({v for v in (_version_of(f.filename, project) for f in files) if v is not None})
        latest = f" (latest there: {known[-1]})" if known else ""
        if not known:
            raise RemapError(f"no such project: {wanted.name!r} has no files on {where}; check the name")
        raise RemapError(f"no such version: {wanted.name} has no release matching "
                         f"{str(wanted.specifier) or 'any version'} on {where}{latest}; check the version")
    for version in sorted(versions, reverse=True):
        sdists = [item for item in versions[version] if _sdist_of(item.filename)]
        if sdists:
            sdists.sort(key=lambda item: (not item.filename.endswith(".tar.gz"), item.filename))
            return sdists[0]
    newest = max(versions)
    raise RemapError(f"no sdist for this version: {wanted.name} {newest} on {where} has only wheels; "
                     "pick a version that publishes an sdist, or give the sdist file")


# --- the network and the file system (side effects) -------------------------------------------

def _ssl_context(environ: Mapping[str, str]) -> ssl.SSLContext:
    cafile = environ.get("PIP_CERT") or environ.get("SSL_CERT_FILE") or environ.get("REQUESTS_CA_BUNDLE")
    return ssl.create_default_context(cafile=cafile if cafile and os.path.isfile(cafile) else None)


def _timeout(environ: Mapping[str, str]) -> float:
    try:
        return float(environ.get("PIP_DEFAULT_TIMEOUT") or environ.get("UV_HTTP_TIMEOUT") or 30)
    except ValueError:
        return 30.0


def _open(url: str, environ: Mapping[str, str], accept: str = "*/*"):
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "remap-backend"})
    try:
        return urllib.request.urlopen(request, timeout=_timeout(environ), context=_ssl_context(environ))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise Unreachable(f"HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(str(reason)) from None


def project_files(index: str, project: str, environ: Mapping[str, str]) -> List[File]:
    """Every file the index lists for ``project`` ([] for a project it does not know)."""
    url = index.rstrip("/") + "/" + project + "/"
    response = _open(url, environ, ACCEPT)
    if response is None:
        return []
    with response:
        body = response.read().decode("utf-8", "replace")
        content_type = response.headers.get("Content-Type", "")
        final_url = response.geturl()
    if "json" in content_type:
        return parse_json_page(body, final_url)
    return parse_html_page(body, final_url)


def find_links_files(location: str, environ: Mapping[str, str]) -> List[File]:
    """The files in a find-links directory, or linked from a find-links page."""
    parsed = urllib.parse.urlparse(location)
    if parsed.scheme in ("", "file"):
        directory = Path(urllib.request.url2pathname(parsed.path) if parsed.scheme else location)
        if not directory.is_dir():
            return []
        return [File(path.name, path.resolve().as_uri()) for path in sorted(directory.iterdir()) if path.is_file()]
    response = _open(location, environ, "text/html")
    if response is None:
        return []
    with response:
        return parse_html_page(response.read().decode("utf-8", "replace"), response.geturl())


def _check_hash(path: Path, hashes: Mapping[str, str], url: str) -> None:
    for algorithm in ("sha256", "sha384", "sha512"):
        if algorithm in hashes:
            digest = hashlib.new(algorithm)
            with open(path, "rb") as stream:
                for chunk in iter(lambda: stream.read(_CHUNK), b""):
                    digest.update(chunk)
            if digest.hexdigest() != hashes[algorithm].lower():
                raise RemapError(f"{url} does not match the {algorithm} the index lists for it "
                                 f"({hashes[algorithm]}); the download is corrupt or was tampered with")
            return


def download(item: File, directory: Path, environ: Mapping[str, str]) -> Path:
    """``item`` into ``directory`` (atomically, hash checked); an earlier good download is reused."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / item.filename
    if target.is_file():
        try:
            _check_hash(target, item.hashes, item.url)
            if item.hashes:
                return target
        except RemapError:
            target.unlink()
    try:
        response = _open(item.url, environ)
    except Unreachable as exc:
        raise RemapError(f"the index could not be reached: {item.url} ({exc}); check the network or the index URL") from None
    if response is None:
        raise RemapError(f"the index lists {item.filename} but {item.url} is missing (HTTP 404); try again later")
    with atomic_path(target) as temp:
        with response, open(temp, "wb") as out:
            for chunk in iter(lambda: response.read(_CHUNK), b""):
                out.write(chunk)
        _check_hash(temp, item.hashes, item.url)
    return target


def fetch_sdist(requirement: str, directory: Path, environ: Optional[Mapping[str, str]] = None) -> Path:
    """Resolve ``requirement`` to one sdist on the index and find-links, download it, return its path."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    env = os.environ if environ is None else environ
    project = canonicalize_name(Requirement(requirement).name)
    files: List[File] = []
    places: List[str] = []
    for location in find_links(env):
        places.append(location)
        try:
            files += find_links_files(location, env)
        except Unreachable as exc:
            raise RemapError(f"the index could not be reached: find-links {location} ({exc}); "
                             "check the network or PIP_FIND_LINKS/UV_FIND_LINKS") from None
    if not no_index(env):
        index = index_url(env)
        places.append(index)
        try:
            files += project_files(index, project, env)
        except Unreachable as exc:
            raise RemapError(f"the index could not be reached: {index} ({exc}); check the network, "
                             "or set PIP_INDEX_URL to an index you can reach") from None
    if not places:
        raise RemapError("PIP_NO_INDEX/UV_NO_INDEX is set and no find-links are given; "
                         "set PIP_FIND_LINKS to a directory holding the sdist")
    return download(choose_sdist(requirement, files, " and ".join(places)), directory, env)
