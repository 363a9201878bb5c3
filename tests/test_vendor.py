"""The vendored site assets: pinned, checksum-verified, laid out for html_extra_path; the offline zip."""

import base64
import hashlib
import io
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from d2lhelpers.pipeline import vendor as vendoring


def fake_tarball(path, files):
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def test_the_manifest_pins_every_package_with_a_checksum():
    packages = vendoring.vendor_manifest()
    assert {p["name"] for p in packages} >= {"mathjax", "requirejs", "@jupyter-widgets/html-manager",
                                              "@fontsource/noto-sans-sc"}
    for package in packages:
        assert package["integrity"].startswith("sha512-") and package["version"][0].isdigit()
    assert next(p for p in packages if p["name"] == "mathjax")["version"].startswith("3.2."), (
        "MathJax 4 loads its fonts from a CDN")


def test_install_copies_the_listed_files_only(tmp_path):
    tarball = tmp_path / "x.tgz"
    fake_tarball(tarball, {"dist/a.js": b"a", "dist/a.js.map": b"m", "dist/sub/b.woff2": b"b",
                           "README.md": b"r", "LICENSE": b"l"})
    package = {"name": "x", "copy": {"dist/": "x/dist/", "LICENSE": "x/LICENSE"}, "skip": [".map"]}
    assert vendoring.install(package, tarball, tmp_path / "out") == 3
    assert (tmp_path / "out" / "x" / "dist" / "sub" / "b.woff2").read_bytes() == b"b"
    assert not (tmp_path / "out" / "x" / "dist" / "a.js.map").exists()
    assert not (tmp_path / "out" / "README.md").exists()


def test_fetch_uses_a_verified_cache_and_rejects_a_wrong_checksum(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cache.mkdir()
    integrity = fake_tarball(cache / "scope-pkg-1.0.0.tgz", {"index.js": b"x"})
    package = {"name": "@scope/pkg", "version": "1.0.0", "integrity": integrity}
    calls = []

    def fake_npm(command, **kwargs):  # what `npm pack` does: write the tarball into --pack-destination
        calls.append(command)
        fake_tarball(Path(command[-1]) / "scope-pkg-1.0.0.tgz", {"index.js": b"other"})
        return subprocess.CompletedProcess(command, 0, "", "")
    monkeypatch.setattr(vendoring.subprocess, "run", fake_npm)
    assert vendoring.fetch(package, cache) == cache / "scope-pkg-1.0.0.tgz"
    assert calls == [], "a cached tarball with the pinned checksum is used as it is"
    tampered = dict(package, integrity="sha512-" + base64.b64encode(b"0" * 64).decode())
    with pytest.raises(vendoring.VendorError, match="is not the pinned"):
        vendoring.fetch(tampered, cache)
    assert calls and calls[0][:2] == ["npm", "pack"] and calls[0][2] == "@scope/pkg@1.0.0"
    assert not (cache / "scope-pkg-1.0.0.tgz").exists(), "a tarball that fails its checksum is deleted"


def test_font_css_keeps_only_the_shipped_woff2(tmp_path):
    css = tmp_path / "400.css"
    css.write_text("src: url(./files/a-400-normal.woff2) format('woff2'), url(./files/a-400-normal.woff) format('woff');")
    vendoring._woff2_only(css)
    assert css.read_text() == "src: url(./files/a-400-normal.woff2) format('woff2');"


def test_bundle_zips_the_site_deterministically(tmp_path):
    site = tmp_path / "html"
    (site / "chapters").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "chapters" / "a.html").write_text("a")
    first = vendoring.bundle(site, "book.zip").read_bytes()
    second = vendoring.bundle(site, "book.zip").read_bytes()
    assert first == second, "the same site gives the same bytes"
    names = zipfile.ZipFile(site / "book.zip").namelist()
    assert names == ["book/chapters/a.html", "book/index.html"], "the zip holds itself not"
    with pytest.raises(vendoring.VendorError, match="build the book first"):
        vendoring.bundle(tmp_path / "empty")
