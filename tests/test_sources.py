"""expand(): folders and zips to stored files; every hostile input is one clear Failed or Skipped item and the
rest of the batch still comes through."""

from __future__ import annotations

import io
import os
import struct
import zipfile
from pathlib import Path

import pytest

from conftest import ALL_PAID, COMPILATION, shared_path
from sucai.errors import InputError
from sucai.ingest.limits import Limits
from sucai.ingest.readers import read
from sucai.ingest.sources import expand
from sucai.model import Skipped
from sucai.store.base import StoredFile

GOOD = "学习心得\n同志们：\n这是一篇正常的心得体会。\n".encode()


def outcome(paths: list[Path | str], limits: Limits | None = None, root: Path | None = None) -> dict[str, str]:
    """origin -> "stored:<fmt>", "skipped: reason" or "failed: error", with origins relative to root."""
    result: dict[str, str] = {}
    for item in expand(paths, limits or Limits()):
        if isinstance(item, StoredFile):
            key, value = item.origin, f"stored:{item.fmt}"
        elif isinstance(item, Skipped):
            key, value = item.path, f"skipped: {item.reason}"
        else:
            key, value = item.path, f"failed: {item.error}"
        if root is not None:
            key = key.removeprefix(str(root) + os.sep)
        assert key not in result, f"{key} reported twice"
        result[key] = value
    return result


def write_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


# -- files and folders -------------------------------------------------------------------------------------


def test_folder_walk_is_sorted_and_reports_every_file(tmp_path: Path) -> None:
    root = tmp_path / "in"
    (root / "b" / "deep").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_bytes(GOOD)
    (root / ".hidden.txt").write_bytes(GOOD)
    (root / "a.txt").write_bytes(GOOD)
    (root / "b" / "deep" / "c.md").write_bytes(GOOD)
    (root / "b" / "d.HTML").write_bytes(b"<p>x</p>")
    (root / "empty.txt").write_bytes(b"")
    (root / "tool.exe").write_bytes(b"MZ")
    (root / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"))
    (root / "README").write_bytes(b"x")
    (root / "page.doc").write_bytes(b"<html><body><p>x</p></body></html>")  # a web page saved as .doc
    assert outcome([root], root=root) == {
        "README": "stored:txt",  # no extension: judged by its content
        "a.txt": "stored:txt",
        "b/d.HTML": "stored:html",
        "b/deep/c.md": "stored:md",
        "empty.txt": "skipped: empty file",
        "old.doc": "stored:doc",
        "page.doc": "stored:html",
        "tool.exe": "skipped: a Windows program, not a document sucai reads",
    }
    assert [item.origin for item in expand([root], Limits()) if isinstance(item, StoredFile)] == [
        str(root / "README"), str(root / "a.txt"), str(root / "b" / "d.HTML"), str(root / "b" / "deep" / "c.md"),
        str(root / "old.doc"), str(root / "page.doc"),
    ]


def test_stored_file_carries_bytes_and_their_hash(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "a.txt").write_bytes(GOOD)
    [item] = expand([tmp_path / "a.txt"], Limits())
    assert isinstance(item, StoredFile)
    assert (item.data, item.sha256, item.fmt) == (GOOD, hashlib.sha256(GOOD).hexdigest(), "txt")


def test_missing_path_oversize_file_and_the_rest_of_the_batch(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_bytes(b"a" * 5000)
    (tmp_path / "ok.txt").write_bytes(GOOD)
    result = outcome([tmp_path / "nope.txt", tmp_path / "big.txt", tmp_path / "ok.txt"],
                     Limits(max_file_bytes=4096), root=tmp_path)
    assert result == {
        "nope.txt": "failed: no such file or folder",
        "big.txt": "failed: 4.9 KB, exceeds the 4 KB limit",
        "ok.txt": "stored:txt",
    }


def test_symlinks_inside_folders_are_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(GOOD)
    root = tmp_path / "in"
    root.mkdir()
    (root / "link-dir").symlink_to(outside, target_is_directory=True)
    (root / "link.txt").symlink_to(outside / "secret.txt")
    (root / "own.txt").write_bytes(GOOD)
    assert outcome([root], root=root) == {
        "link-dir": "skipped: symbolic link, not followed",
        "link.txt": "skipped: symbolic link, not followed",
        "own.txt": "stored:txt",
    }
    # a link the user names is what the user chose
    assert outcome([root / "link.txt"], root=root) == {"link.txt": "stored:txt"}


def test_a_fifo_is_skipped_not_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_bytes(GOOD)
    assert outcome([tmp_path], root=tmp_path) == {
        "ok.txt": "stored:txt",
        "pipe.txt": "skipped: not a regular file (a device, pipe or socket)",
    }


def test_renamed_files_are_stored_as_what_they_are(tmp_path: Path) -> None:
    write_zip(tmp_path / "really-a-zip.txt", {"inner.txt": GOOD})
    docx_bytes = docx_file()
    (tmp_path / "really-a-docx.txt").write_bytes(docx_bytes)
    (tmp_path / "docx-named.zip").write_bytes(docx_bytes)
    assert outcome([tmp_path], root=tmp_path) == {
        "docx-named.zip": "stored:docx",
        "really-a-docx.txt": "stored:docx",
        "really-a-zip.txt!inner.txt": "stored:txt",
    }


def docx_file() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("正文")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- archives ------------------------------------------------------------------------------------------------


def test_zip_members_become_stored_files(tmp_path: Path) -> None:
    archive = tmp_path / "batch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("docs/", b"")
        zf.writestr("docs/a.txt", GOOD)
        zf.writestr("docs/b.docx", docx_file())
        zf.writestr("__MACOSX/docs/._a.txt", b"\x00\x05")
        zf.writestr("docs/.DS_Store", b"\x00")
        zf.writestr("docs/picture.png", b"\x89PNG")
        zf.writestr("docs/empty.md", b"")
        zf.writestr("学习资料/心得.txt", GOOD)  # UTF-8 name, flagged
    assert outcome([archive], root=tmp_path) == {
        "batch.zip!docs/a.txt": "stored:txt",
        "batch.zip!docs/b.docx": "stored:docx",
        "batch.zip!docs/picture.png": "skipped: a PNG image, not a document sucai reads",
        "batch.zip!docs/empty.md": "skipped: empty file",
        "batch.zip!学习资料/心得.txt": "stored:txt",
    }
    [text] = read(next(i for i in expand([archive], Limits()) if isinstance(i, StoredFile)), Limits())
    assert text.origin == f"{archive}!docs/a.txt"


def test_lock_files_symlink_members_and_empty_archives_are_reported(tmp_path: Path) -> None:
    (tmp_path / "~$发言稿.docx").write_bytes(b"\x05owner")
    link = zipfile.ZipInfo("link.txt")
    link.external_attr = 0o120777 << 16  # a symbolic link, as Info-ZIP stores one
    with zipfile.ZipFile(tmp_path / "links.zip", "w") as zf:
        zf.writestr(link, "/etc/passwd")
        zf.writestr("~$lock.docx", b"x")
    write_zip(tmp_path / "empty.zip", {"dir/": b"", ".DS_Store": b"x"})
    nested_empty = write_zip(tmp_path / "outer.zip", {"inner.zip": zip_bytes({})})
    assert outcome([tmp_path], root=tmp_path) == {
        "empty.zip": "skipped: the archive holds no files",
        "links.zip!link.txt": "skipped: symbolic link in the archive, not followed",
        "links.zip!~$lock.docx": "skipped: an Office lock file (~$...), not a document",
        "outer.zip!inner.zip": "skipped: the archive holds no files",
        "~$发言稿.docx": "skipped: an Office lock file (~$...), not a document",
    }
    assert nested_empty.exists()


def test_gbk_named_entries_from_chinese_windows(tmp_path: Path) -> None:
    name = "学习材料/发言稿.txt"
    raw = name.encode("gbk")
    placeholder = "X" * (len(raw) - 4) + ".txt"
    data = zip_bytes({placeholder: GOOD})
    assert data.count(placeholder.encode()) == 2  # local header and central directory, no UTF-8 flag
    (tmp_path / "gbk.zip").write_bytes(data.replace(placeholder.encode(), raw))
    assert outcome([tmp_path / "gbk.zip"], root=tmp_path) == {f"gbk.zip!{name}": "stored:txt"}


def test_traversal_absolute_and_drive_names_fail_alone(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "evil.zip", {
        "../escape.txt": GOOD,
        "ok/../../escape2.txt": GOOD,
        "/etc/passwd.txt": GOOD,
        "C:\\Windows\\win.txt": GOOD,
        "good.txt": GOOD,
    })
    result = outcome([archive], root=tmp_path)
    assert result.pop("evil.zip!good.txt") == "stored:txt"
    assert result == {
        "evil.zip!../escape.txt": "failed: unsafe entry name (a path traversal (..)); the entry was not read",
        "evil.zip!ok/../../escape2.txt": "failed: unsafe entry name (a path traversal (..)); the entry was not read",
        "evil.zip!/etc/passwd.txt": "failed: unsafe entry name (an absolute path); the entry was not read",
        "evil.zip!C:\\Windows\\win.txt": "failed: unsafe entry name (a Windows drive letter); the entry was not read",
    }


def write_zeros_member(zf: zipfile.ZipFile, name: str, size: int) -> None:
    with zf.open(name, "w", force_zip64=True) as member:
        chunk = b"\x00" * (1024 * 1024)
        for _ in range(size // len(chunk)):
            member.write(chunk)


def test_zip_bomb_fails_the_whole_archive_and_the_batch_goes_on(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a-good.txt", GOOD)
        write_zeros_member(zf, "zeros.txt", 20 * 1024 * 1024)
    assert bomb.stat().st_size < 100_000
    (tmp_path / "next.txt").write_bytes(GOOD)
    result = outcome([bomb, tmp_path / "next.txt"], root=tmp_path)
    assert list(result) == ["bomb.zip", "next.txt"]
    assert result["bomb.zip"].startswith(f"failed: {bomb}!zeros.txt expands ")
    assert "above the 200:1 limit: a zip bomb; the whole archive is refused" in result["bomb.zip"]
    assert result["next.txt"] == "stored:txt"


def test_total_expanded_size_counts_nested_archives(tmp_path: Path) -> None:
    text = bytes(range(32, 127)) * 100  # 9.5 KB that barely compresses
    inner = zip_bytes({f"{i}.txt": text for i in range(3)})
    archive = write_zip(tmp_path / "big.zip", {"top.txt": text, "inner.zip": inner})
    limits = Limits(max_archive_total_bytes=35_000)
    result = outcome([archive], limits, root=tmp_path)
    assert list(result) == ["big.zip"]
    assert "big.zip!inner.zip would expand past the 34.2 KB limit" in result["big.zip"]
    assert len(outcome([archive], Limits(max_archive_total_bytes=60_000))) == 4


def test_too_many_entries_is_refused_before_the_directory_is_loaded(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "many.zip", {f"{i}.txt": GOOD for i in range(12)})
    result = outcome([archive], Limits(max_archive_entries=10), root=tmp_path)
    assert result == {"many.zip": "failed: the archive declares 12 entries (614 bytes of directory), more than "
                                  "the limit of 10 entries; refused as a possible zip bomb"}
    nested = write_zip(tmp_path / "nested.zip", {
        "a.txt": GOOD, "inner.zip": zip_bytes({f"{i}.txt": GOOD for i in range(8)}),
    })
    result = outcome([nested], Limits(max_archive_entries=9), root=tmp_path)
    assert result["nested.zip"].startswith(f"failed: {nested}!inner.zip holds more than 9 entries")


def test_nested_zips_open_up_to_the_depth_limit(tmp_path: Path) -> None:
    level3 = zip_bytes({"c.txt": GOOD})
    level2 = zip_bytes({"b.zip": level3, "b.txt": GOOD})
    archive = write_zip(tmp_path / "a.zip", {"a.zip": level2})  # same name inside: origins stay distinct
    assert outcome([archive], root=tmp_path) == {
        "a.zip!a.zip!b.zip!c.txt": "stored:txt",
        "a.zip!a.zip!b.txt": "stored:txt",
    }
    result = outcome([archive], Limits(max_archive_depth=2), root=tmp_path)
    assert result == {"a.zip": f"failed: {archive}!a.zip!b.zip nests archives more than 2 deep; the whole "
                                "archive is refused (a recursive zip bomb?)"}


def test_archive_in_disguise_inside_an_archive_counts_for_depth(tmp_path: Path) -> None:
    hidden = zip_bytes({"x.txt": GOOD})
    archive = write_zip(tmp_path / "a.zip", {"looks-like-text.txt": hidden})
    assert outcome([archive], root=tmp_path) == {"a.zip!looks-like-text.txt!x.txt": "stored:txt"}
    assert list(outcome([archive], Limits(max_archive_depth=1), root=tmp_path)) == ["a.zip"]


def test_corrupt_archives_fail_clearly(tmp_path: Path) -> None:
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 this is not a zip at all")
    (tmp_path / "truncated.zip").write_bytes(zip_bytes({"a.txt": GOOD * 50})[:-30])
    inner_broken = write_zip(tmp_path / "outer.zip", {"in.zip": b"PK\x03\x04junk", "ok.txt": GOOD})
    result = outcome([tmp_path / "broken.zip", tmp_path / "truncated.zip", inner_broken], root=tmp_path)
    assert result["broken.zip"] == "failed: not a zip archive (no end-of-archive record)"
    assert result["truncated.zip"].startswith("failed: not a")
    assert result["outer.zip!in.zip"] == "failed: not a zip archive (no end-of-archive record)"
    assert result["outer.zip!ok.txt"] == "stored:txt"


def test_member_whose_header_lies_about_its_size_fails_alone(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"liar.txt": "诚实".encode() * 5000, "ok.txt": GOOD}))
    central = data.find(b"PK\x01\x02")  # the first central-directory record is liar.txt's
    struct.pack_into("<I", data, central + 24, 100)  # uncompressed size: claims 100 bytes
    (tmp_path / "liar.zip").write_bytes(bytes(data))
    result = outcome([tmp_path / "liar.zip"], root=tmp_path)
    assert result["liar.zip!liar.txt"].startswith("failed: corrupt entry in the archive")
    assert result["liar.zip!ok.txt"] == "stored:txt"


def test_encrypted_oversize_and_exotic_members_fail_alone(tmp_path: Path) -> None:
    random_text = os.urandom(6000).hex().encode()  # compresses about 2:1
    archive = tmp_path / "mixed.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("secret.txt", GOOD)
        zf.writestr("huge.txt", random_text)
        zf.writestr("bz.txt", GOOD, compress_type=zipfile.ZIP_BZIP2)
        zf.writestr("ok.txt", GOOD)
    data = bytearray(archive.read_bytes())
    central = data.find(b"PK\x01\x02")  # secret.txt's central-directory record: mark it encrypted
    data[central + 8] |= 0x1
    archive.write_bytes(bytes(data))
    result = outcome([archive], Limits(max_file_bytes=8192), root=tmp_path)
    assert result == {
        "mixed.zip!secret.txt": "failed: encrypted (password-protected) entry; sucai cannot read it",
        "mixed.zip!huge.txt": "failed: 11.7 KB expanded, exceeds the 8 KB limit",
        "mixed.zip!bz.txt": "failed: compressed with method 12, which sucai does not read; re-pack it as a plain zip",
        "mixed.zip!ok.txt": "stored:txt",
    }


def test_archive_file_over_the_archive_limit(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "a.zip", {"a.txt": os.urandom(3000)}, zipfile.ZIP_STORED)
    result = outcome([archive], Limits(max_archive_total_bytes=2048), root=tmp_path)
    assert list(result) == ["a.zip"]
    assert result["a.zip"].endswith(" KB, exceeds the 2 KB limit for an archive")


# -- a hostile batch, through expand and read ----------------------------------------------------------------


def test_hostile_batch_every_file_has_a_fate_and_the_good_ones_read(tmp_path: Path, compilation_text: str) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "compilation-gb.txt").write_bytes(compilation_text.replace("\n", "\r\n").encode("gb18030"))
    (batch / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (batch / "empty.txt").write_bytes(b"")
    (batch / "bad.docx").write_bytes(b"PK\x03\x04 not really a docx")
    (batch / "deep.html").write_bytes(b"<div>" * 100_000)
    write_zip(batch / "evil.zip", {"../x.txt": GOOD, "fine.txt": GOOD})
    fates: dict[str, str] = {}
    for item in expand([batch], Limits()):
        if isinstance(item, StoredFile):
            try:
                texts = read(item, Limits())
            except InputError as exc:
                fates[Path(item.origin).name] = f"failed: {exc}"
            else:
                fates[Path(item.origin).name] = f"{len(texts)} text"
        else:
            fates[Path(item.path).name] = type(item).__name__.lower()
    assert fates == {
        "bad.docx": "failed",  # zip magic, no archive behind it: expanding it says why
        "deep.html": "failed: HTML nested deeper than 255 elements; refused rather than read only part of it",
        "empty.txt": "skipped",
        "x.txt": "failed",  # evil.zip!../x.txt
        "evil.zip!fine.txt": "1 text",
        "junk.txt": "skipped",  # binary data, judged by content
        "compilation-gb.txt": "1 text",
    }


@pytest.mark.parametrize("path", [COMPILATION, ALL_PAID], ids=["compilation", "all-paid"])
def test_a_project_document_comes_through_whole(path: Path) -> None:
    [item] = expand([path], Limits())
    assert isinstance(item, StoredFile)
    [text] = read(item, Limits())
    assert text.text == path.read_text(encoding="utf-8")


def test_the_real_sample_comes_through_whole() -> None:
    path = shared_path("samples/000_c3783159abc01423.txt")
    [item] = expand([path], Limits())
    assert isinstance(item, StoredFile)
    [text] = read(item, Limits())
    assert text.text == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["a.txt", "a.zip"])
def test_unreadable_file_fails(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(GOOD)
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root: permissions do not stop reads")
    result = outcome([path], root=tmp_path)
    assert result == {name: "failed: cannot read it: Permission denied"}
