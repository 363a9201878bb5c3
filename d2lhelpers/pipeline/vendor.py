"""``d2l-notebooks vendor``: the JavaScript and fonts the website serves itself.

Each package of ``vendor.json`` is fetched with the ordinary npm client
(``npm pack NAME@VERSION``, into a cache folder), checked against its pinned
SHA-512, and the listed files are copied into ``_vendor/vendor/``. Sphinx copies
``_vendor/`` into the site as extra files (``html_extra_path``), never through
``_static``: Jupyter Book 1 adds every script and style sheet of the static
folders to every page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

VENDOR_DIR = "_vendor"
SITE_FOLDER = "vendor"


class VendorError(RuntimeError):
    """A vendored package could not be fetched or did not match its pinned checksum."""


def vendor_manifest() -> list[dict[str, Any]]:
    """The pinned packages (``vendor.json`` beside this module)."""
    return json.loads(Path(__file__).with_name("vendor.json").read_text())["packages"]


def integrity(path: Path) -> str:
    """The npm-style integrity string (``sha512-<base64>``) of a file."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _cache_dir() -> Path:
    import os

    cache = os.environ.get("XDG_CACHE_HOME", "").strip() or Path.home() / ".cache"
    return Path(cache).expanduser() / "d2l-notes" / "npm"


def fetch(package: dict[str, Any], cache: Path | None = None) -> Path:
    """The package's tarball, from the cache or ``npm pack``, after checking its SHA-512."""
    cache = cache or _cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    name, version = package["name"], package["version"]
    tarball = cache / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if not tarball.is_file() or integrity(tarball) != package["integrity"]:
        with tempfile.TemporaryDirectory() as scratch:
            try:
                done = subprocess.run(["npm", "pack", f"{name}@{version}", "--silent",
                                       "--pack-destination", scratch],
                                      capture_output=True, text=True, timeout=600)
            except FileNotFoundError as error:
                raise VendorError("npm is not installed: install Node.js and npm, then run "
                                  "`d2l-notebooks vendor` again.") from error
            packed = list(Path(scratch).glob("*.tgz"))
            if done.returncode != 0 or len(packed) != 1:
                raise VendorError(f"`npm pack {name}@{version}` failed: {done.stderr.strip()[-500:]}")
            shutil.move(packed[0], tarball)
    found = integrity(tarball)
    if found != package["integrity"]:
        tarball.unlink()
        raise VendorError(f"{name}@{version}: checksum {found} is not the pinned {package['integrity']}; "
                          "the download was altered or the pin is wrong.")
    return tarball


def _wanted(member: str, package: dict[str, Any]) -> bool:
    if any(member.endswith(s) or s in member for s in package.get("skip", [])):
        return False
    only = package.get("only")
    return not only or any(member.endswith(s) for s in only)


def install(package: dict[str, Any], tarball: Path, target: Path) -> int:
    """Copy the package's listed files from ``tarball`` under ``target``; returns how many."""
    copied = 0
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            inner = member.name.split("/", 1)[1]  # npm tarballs hold one folder, package/
            for source, destination in package["copy"].items():
                matches = inner.startswith(source) if source.endswith("/") else inner == source
                if not matches or not _wanted(inner, package):
                    continue
                out = target / (destination + inner[len(source):] if source.endswith("/") else destination)
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(archive.extractfile(member).read())
                copied += 1
    return copied


def _woff2_only(css: Path) -> None:
    """Keep only the woff2 source of each @font-face (the woff files are not shipped)."""
    css.write_text(re.sub(r", url\([^)]*\.woff\) format\('woff'\)", "", css.read_text()))


def vendor(root: Path, cache: Path | None = None) -> Path:
    """Fetch, verify and lay out every pinned package under ``root/_vendor/vendor``."""
    target = root / VENDOR_DIR / SITE_FOLDER
    if target.exists():
        shutil.rmtree(target)
    for package in vendor_manifest():
        count = install(package, fetch(package, cache), target)
        if count == 0:
            raise VendorError(f"{package['name']}: none of the listed files are in the tarball.")
    for css in (target / "fonts").rglob("*.css"):
        _woff2_only(css)
    return target


BUNDLE_NAME = "interactive-deep-learning-notes.zip"


def bundle(site: Path, name: str = BUNDLE_NAME) -> Path:
    """Zip the built site into ``site/name``: the whole book as one download that works offline.

    Entries are sorted and carry a fixed date, so the same site gives the same bytes.
    """
    import zipfile

    target = site / name
    if not (site / "index.html").is_file():
        raise VendorError(f"{site} holds no built site (index.html is missing): build the book first.")
    files = sorted(p for p in site.rglob("*") if p.is_file() and p != target)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(f"{target.stem}/{path.relative_to(site).as_posix()}", (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, path.read_bytes())
    return target
