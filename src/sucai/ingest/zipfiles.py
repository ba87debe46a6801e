"""Zip files treated as hostile: bounded counts, sizes, ratios and names; members read into memory, never disk.

The zip primitives under archive.py (zip archives and the zips inside them) and the docx reader (a docx is a zip).
Python's zipfile caps what a member yields at the size its header declares, so the declared sizes are a
true upper bound; reads are still bounded by our own limits, and only stored/deflated members are read
(zipfile inflates bzip2/lzma chunks without an output bound).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from typing import IO

from sucai.errors import InputError, TooLarge, UnsafeArchive
from sucai.ingest.limits import Budget, Limits, human_size

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; the end record of an empty archive
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"
_MIN_CD_ENTRY = 46  # bytes of one central-directory record with an empty name
_CD_BYTES_PER_ENTRY = 512  # a central directory larger than entries * this is not a sane archive
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_UNICODE_PATH_EXTRA = 0x7075  # Info-ZIP's UTF-8 name, written by 7-Zip and WinRAR beside a local-codepage name
_DRIVE = re.compile(r"^[A-Za-z]:")


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def open_zip(source: IO[bytes], limits: Limits) -> zipfile.ZipFile:
    """A ZipFile, opened only after its end record shows a central directory of bounded size.

    zipfile loads the whole central directory into memory on open; a crafted one with millions of
    entries would cost gigabytes before any of our checks could run.
    """
    count, cd_size = _end_record(source)
    if count > limits.max_archive_entries or cd_size > limits.max_archive_entries * _CD_BYTES_PER_ENTRY:
        raise UnsafeArchive(
            f"the archive declares {count} entries ({human_size(cd_size)} of directory), more than the limit "
            f"of {limits.max_archive_entries} entries; refused as a possible zip bomb"
        )
    source.seek(0)
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"not a readable zip archive ({exc})") from exc


def _end_record(source: IO[bytes]) -> tuple[int, int]:
    """(entries, central directory bytes) from the end-of-central-directory record (zip64 aware)."""
    size = source.seek(0, 2)
    tail_size = min(size, 22 + 0xFFFF)  # the record plus the longest archive comment
    source.seek(size - tail_size)
    tail = source.read(tail_size)
    pos = tail.rfind(_EOCD)
    if pos < 0 or len(tail) - pos < 22:
        raise InputError("not a zip archive (no end-of-archive record)")
    count, cd_size = struct.unpack_from("<HI", tail, pos + 10)
    zip64 = count == 0xFFFF or cd_size == 0xFFFFFFFF
    if zip64 and pos >= 20 and tail[pos - 20 : pos - 16] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, pos - 20 + 8)
        source.seek(offset)
        record = source.read(56)
        if record[:4] == _ZIP64_EOCD and len(record) == 56:
            count, cd_size = struct.unpack_from("<QQ", record, 32)
    return count, cd_size


def check_archive(zf: zipfile.ZipFile, origin: str, limits: Limits, budget: Budget) -> list[zipfile.ZipInfo]:
    """The archive's file entries, after the archive-wide bomb checks; raises UnsafeArchive naming the entry."""
    files = [info for info in zf.infolist() if not info.is_dir()]
    budget.entries -= len(files)
    if budget.entries < 0:
        raise UnsafeArchive(
            f"{origin} holds more than {limits.max_archive_entries} entries (nested archives included); "
            "refused as a possible zip bomb"
        )
    for info in files:
        _check_ratio(info, f"{origin}!{member_name(info)}", limits)
    budget.bytes -= sum(info.file_size for info in files)
    if budget.bytes < 0:
        raise UnsafeArchive(
            f"{origin} would expand past the {human_size(limits.max_archive_total_bytes)} limit for one archive "
            "(nested archives included); refused as a possible zip bomb"
        )
    return files


def _check_ratio(info: zipfile.ZipInfo, origin: str, limits: Limits) -> None:
    if info.file_size < limits.ratio_check_min_bytes:
        return
    ratio = info.file_size / max(info.compress_size, 1)
    if ratio > limits.max_compression_ratio:
        raise UnsafeArchive(
            f"{origin} expands {ratio:.0f}:1 ({human_size(info.file_size)} from "
            f"{human_size(info.compress_size)}), above the {limits.max_compression_ratio}:1 limit: a zip bomb; "
            "the whole archive is refused"
        )


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """A member's bytes, at most `limit`; raises TooLarge, or InputError for encrypted or corrupt entries."""
    if info.flag_bits & 0x1:
        raise InputError("encrypted (password-protected) entry; sucai cannot read it")
    if info.compress_type not in _READABLE_METHODS:
        raise InputError(
            f"compressed with method {info.compress_type}, which sucai does not read; re-pack it as a plain zip"
        )
    if info.file_size > limit:
        raise TooLarge(f"{human_size(info.file_size)} expanded, exceeds the {human_size(limit)} limit")
    try:
        with zf.open(info) as member:
            data = member.read(limit + 1)  # never trust the header: one byte past the limit proves it lied
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError, NotImplementedError) as exc:
        raise InputError(f"corrupt entry in the archive ({exc})") from exc
    if len(data) > limit:
        raise TooLarge(f"expands past the {human_size(limit)} limit")
    return data


def member_name(info: zipfile.ZipInfo) -> str:
    """The entry name as its author wrote it: UTF-8 when flagged or recorded, else GBK from Chinese Windows."""
    if info.flag_bits & 0x800:
        return info.filename
    unicode_path = _unicode_path_extra(info.extra)
    if unicode_path is not None:
        return unicode_path
    try:
        raw = info.filename.encode("cp437")  # zipfile decoded the raw bytes as cp437; undo it
    except UnicodeEncodeError:
        return info.filename
    if raw.isascii():
        return info.filename
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def _unicode_path_extra(extra: bytes) -> str | None:
    pos = 0
    while pos + 4 <= len(extra):
        field_id, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4 : pos + 4 + size]
        if field_id == _UNICODE_PATH_EXTRA and size > 5 and body[0] == 1:
            try:
                return body[5:].decode("utf-8")
            except UnicodeDecodeError:
                return None
        pos += 4 + size
    return None


def unsafe_name_reason(name: str) -> str | None:
    """Why an entry name could escape an extraction folder, or None when it is safe."""
    path = name.replace("\\", "/")
    if path.startswith("/"):
        return "an absolute path"
    if _DRIVE.match(path):
        return "a Windows drive letter"
    if ".." in path.split("/"):
        return "a path traversal (..)"
    if any(ord(ch) < 32 for ch in path):
        return "control characters"
    return None


def is_hidden_member(name: str) -> bool:
    """Metadata that archivers add (__MACOSX/, .DS_Store, ._x): never content, so skipped silently."""
    parts = name.replace("\\", "/").split("/")
    return any((part.startswith(".") and part not in (".", "..")) or part == "__MACOSX" for part in parts)


_OOXML_PARTS = (("word/document.xml", "docx"), ("xl/workbook.xml", "xlsx"), ("ppt/presentation.xml", "pptx"))
_ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt", "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp", "application/epub+zip": "epub",
}


def package_kind(zf: zipfile.ZipFile) -> str | None:
    """What a zip is when it is one document, not an archive: docx, xlsx, pptx, odt, ods, odp, epub; else None.

    OOXML names its parts in [Content_Types].xml; ODF and EPUB store a `mimetype` member first.
    """
    names = set(zf.namelist())
    if "[Content_Types].xml" in names:
        return next((kind for part, kind in _OOXML_PARTS if part in names), "ooxml")
    if "mimetype" in names:
        info = zf.getinfo("mimetype")
        if info.file_size <= 200:
            try:
                mimetype = read_member(zf, info, 200).decode("ascii", "replace").strip()
            except InputError:
                return None
            return _ODF_TYPES.get(mimetype, "odf" if "opendocument" in mimetype else None)
    return None


def peek_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 4) -> bytes:
    """The first bytes of a member, or b"" when it cannot be read (the full read reports why)."""
    if info.flag_bits & 0x1 or info.compress_type not in _READABLE_METHODS:
        return b""
    try:
        with zf.open(info) as member:
            return member.read(size)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, ValueError, NotImplementedError):
        return b""
