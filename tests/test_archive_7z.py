""".7z archives under the zip rules: members judged by content, bombs and deep nesting refused whole, a bad
member (a ../ name, too large) fails alone; archives inside archives of either kind are opened."""

from __future__ import annotations

import io
import os
import struct
import zipfile
import zlib
from pathlib import Path

import py7zr
import pytest

import sucai
from sample_formats import as_docx
from sucai.ingest.limits import Limits
from sucai.ingest.sources import expand
from sucai.model import Skipped
from sucai.store.base import StoredFile

GOOD = "学习心得\n同志们：\n这是一篇正常的心得体会。\n".encode()


def seven_zip(members: dict[str, bytes], password: str | None = None, plain_header: bool = False) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password) as archive:
        if plain_header:
            archive.set_encoded_header_mode(False)
        for name, data in members.items():
            archive.writestr(data, name)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def renamed(archive: bytes, old: str, new: str) -> bytes:
    """The 7z with one member renamed in its (plain) header and the checksums made right again: what a hostile
    archiver writes, since py7zr refuses to write a ../ name."""
    data = bytearray(archive.replace(old.encode("utf-16-le"), new.encode("utf-16-le")))
    offset, size = struct.unpack_from("<QQ", data, 12)
    header = bytes(data[32 + offset : 32 + offset + size])
    struct.pack_into("<I", data, 28, zlib.crc32(header))
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:32])))
    return bytes(data)


def outcome(path: Path, limits: Limits | None = None) -> dict[str, str]:
    result = {}
    for item in expand([path], limits or Limits()):
        if isinstance(item, StoredFile):
            key, value = item.origin, f"stored:{item.fmt}"
        elif isinstance(item, Skipped):
            key, value = item.path, f"skipped: {item.reason}"
        else:
            key, value = item.path, f"failed: {item.error}"
        result[key.removeprefix(str(path.parent) + os.sep)] = value
    return result


def test_7z_members_are_judged_by_content_and_nested_archives_opened(tmp_path: Path) -> None:
    inner_zip = zip_of({"c.txt": GOOD})
    archive = tmp_path / "batch.7z"
    archive.write_bytes(seven_zip({
        "材料/a.txt": GOOD, "材料/b.docx": as_docx("通知\n各单位："), "材料/inner.zip": inner_zip,
        "材料/inner.7z": seven_zip({"d.md": b"# T\n\nx"}), "pic.jpg": b"\xff\xd8\xff\xe0" + bytes(32),
        "__MACOSX/._a.txt": b"\x00\x05",
    }))
    assert outcome(archive) == {
        "batch.7z!材料/a.txt": "stored:txt",
        "batch.7z!材料/b.docx": "stored:docx",
        "batch.7z!材料/inner.zip!c.txt": "stored:txt",
        "batch.7z!材料/inner.7z!d.md": "stored:md",
        "batch.7z!pic.jpg": "skipped: a JPEG image, not a document sucai reads",
    }
    (tmp_path / "outer.zip").write_bytes(zip_of({"x/in.7z": seven_zip({"e.txt": GOOD})}))
    assert outcome(tmp_path / "outer.zip") == {"outer.zip!x/in.7z!e.txt": "stored:txt"}


def test_a_7z_bomb_is_refused_whole(tmp_path: Path) -> None:
    (tmp_path / "bomb.7z").write_bytes(seven_zip({"ok.txt": GOOD, "zeros.txt": bytes(30 * 1024 * 1024)}))
    [(name, fate)] = outcome(tmp_path / "bomb.7z").items()
    assert name == "bomb.7z"
    assert fate.startswith("failed: ") and "bomb.7z expands" in fate
    assert "7z bomb; the whole archive is refused" in fate


def test_entry_total_and_depth_limits_hold_across_both_kinds(tmp_path: Path) -> None:
    (tmp_path / "many.7z").write_bytes(seven_zip({f"{i}.txt": GOOD + bytes([65 + i]) for i in range(8)}))
    assert "more than 5 entries" in outcome(tmp_path / "many.7z", Limits(max_archive_entries=5))["many.7z"]
    (tmp_path / "big.7z").write_bytes(seven_zip({"a.txt": b"a" * 3000, "b.txt": b"b" * 3000}))
    fate = outcome(tmp_path / "big.7z", Limits(max_archive_total_bytes=5000))["big.7z"]
    assert "would expand past the 4.9 KB limit" in fate
    (tmp_path / "deep.zip").write_bytes(zip_of({"a.7z": seven_zip({"b.zip": zip_of({"c.txt": GOOD})})}))
    fate = outcome(tmp_path / "deep.zip", Limits(max_archive_depth=2))["deep.zip"]
    assert "nests archives more than 2 deep" in fate


def test_a_bad_member_fails_alone(tmp_path: Path) -> None:
    archive = seven_zip({"zz/evil.txt": GOOD, "fine.txt": GOOD, "huge.txt": os.urandom(5000)}, plain_header=True)
    (tmp_path / "mixed.7z").write_bytes(renamed(archive, "zz/evil.txt", "../evil.txt"))
    assert outcome(tmp_path / "mixed.7z", Limits(max_file_bytes=4096)) == {
        "mixed.7z!../evil.txt": "failed: unsafe entry name (a path traversal (..)); the entry was not read",
        "mixed.7z!fine.txt": "stored:txt",
        "mixed.7z!huge.txt": "failed: 4.9 KB expanded, exceeds the 4 KB limit",
    }


def test_encrypted_corrupt_and_empty_7z_each_have_a_fate(tmp_path: Path) -> None:
    (tmp_path / "secret.7z").write_bytes(seven_zip({"a.txt": GOOD}, password="口令"))
    good = seven_zip({"a.txt": GOOD * 50})
    (tmp_path / "cut.7z").write_bytes(good[: len(good) // 2])
    (tmp_path / "empty.7z").write_bytes(seven_zip({}))
    result = {name: fate.split(":", 1)[0] for name, fate in outcome(tmp_path / "secret.7z").items()}
    assert result == {"secret.7z": "failed"}
    assert "encrypted" in outcome(tmp_path / "secret.7z")["secret.7z"]
    assert outcome(tmp_path / "cut.7z")["cut.7z"].startswith("failed: ")
    assert outcome(tmp_path / "empty.7z") == {"empty.7z": "skipped: the archive holds no files"}
    with sucai.open(tmp_path / "lib.db") as lib:
        report = lib.ingest([tmp_path / name for name in ("secret.7z", "cut.7z", "empty.7z")])
    assert sorted(Path(f.path).name for f in report.failed) == ["cut.7z", "secret.7z"]


@pytest.mark.parametrize("name", ["材料.7z", "材料.zip", "材料"])
def test_a_7z_is_an_archive_whatever_its_name(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(seven_zip({"a.txt": GOOD}))
    assert outcome(tmp_path / name) == {f"{name}!a.txt": "stored:txt"}


def test_a_corrupt_7z_inside_a_zip_fails_alone(tmp_path: Path) -> None:
    good = seven_zip({"a.txt": GOOD * 50})
    (tmp_path / "outer.zip").write_bytes(zip_of({"cut.7z": good[: len(good) // 2], "fine.txt": GOOD}))
    result = outcome(tmp_path / "outer.zip")
    assert result["outer.zip!fine.txt"] == "stored:txt"
    assert result["outer.zip!cut.7z"].startswith("failed: ") and len(result) == 2
