"""Archives (zip, 7z) to their members' bytes: checked whole first, nested archives opened, names made safe.

One job: `expand` turns an archive into Member items (origin "a.zip!dir/x.txt", "a.7z!b.zip!c.txt") or
the reason a member, or the whole archive, is not handed over. What a member *is* (a document, an image)
is not decided here: `sources` judges every member by its content.

- Before any member is handed over, the whole archive, nested archives included, is checked against the
  archive limits (entries, compression ratio, expanded total, nesting depth); an archive that breaks one is
  a possible bomb and fails whole, with a message naming the member.
- Problems of one member (a ../ or absolute name, encryption, corruption, over the file size limit) fail
  that member only; metadata that archivers add (__MACOSX/, .DS_Store) is passed over silently.
- An office document in zip clothing (a docx, an odt named .zip) is one member: the document itself.
- Nothing is extracted to disk; every read is bounded by the limits, whatever the headers claim.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from sucai.errors import InputError, UnsafeArchive
from sucai.ingest.limits import Budget, Limits, human_size
from sucai.ingest.sevenzip import SevenZip, SevenZipEntry, check_7z, is_7z, open_7z
from sucai.ingest.zipfiles import (
    check_archive,
    is_hidden_member,
    is_zip,
    member_name,
    open_zip,
    package_kind,
    peek_member,
    read_member,
    unsafe_name_reason,
)
from sucai.model import Failed, Skipped

_LINK_MODE = 0o120000
_MODE_MASK = 0o170000


@dataclass(frozen=True)
class Member:
    """A file inside an archive, or an office document that arrived as one."""

    origin: str
    name: str  # its own name inside the archive (the archive's name for an office document)
    data: bytes


ArchiveItem = Member | Failed | Skipped


def archive_kind(head: bytes) -> str | None:
    """'zip' or '7z' when the first bytes are an archive's (a docx starts like a zip: `expand` tells them apart)."""
    if is_zip(head):
        return "zip"
    if is_7z(head):
        return "7z"
    return None


def expand(source: IO[bytes], origin: str, limits: Limits) -> Iterator[ArchiveItem]:
    """A top-level archive's members, after the whole archive (nested ones included) passed the limits."""
    try:
        archive = _open(source, limits)
    except InputError as exc:
        yield Failed(origin, str(exc))
        return
    try:
        if isinstance(archive, zipfile.ZipFile) and package_kind(archive) is not None:
            yield _whole(source, origin, limits)
            return
        try:
            _survey(archive, origin, limits, 1, Budget.of(limits))
        except InputError as exc:
            yield Failed(origin, str(exc))
            return
        yield from _or_empty(_members(archive, origin, limits, 1), origin)
    finally:
        archive.close()


Opened = zipfile.ZipFile | SevenZip
Entry = zipfile.ZipInfo | SevenZipEntry


def _open(source: IO[bytes], limits: Limits) -> Opened:
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    if is_7z(head):
        return open_7z(source, limits)
    return open_zip(source, limits)


def _whole(source: IO[bytes], origin: str, limits: Limits) -> ArchiveItem:
    source.seek(0)
    data = source.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        return Failed(origin, f"{human_size(len(data))}, exceeds the {human_size(limits.max_file_bytes)} limit")
    return Member(origin, origin.rsplit("!", 1)[-1], data)


def _entries(archive: Opened) -> list[Entry]:
    if isinstance(archive, SevenZip):
        return list(archive.entries)
    return [info for info in archive.infolist() if not info.is_dir()]


def _name(entry: Entry) -> str:
    return entry.name if isinstance(entry, SevenZipEntry) else member_name(entry)


def _check(archive: Opened, origin: str, limits: Limits, budget: Budget) -> None:
    """The archive-wide bomb checks; a 7z is decompressed here (solid streams are read in one pass)."""
    if isinstance(archive, SevenZip):
        check_7z(archive, origin, limits, budget)
        wanted = {e.name for e in archive.entries if _passes_names(e.name) and not e.link}
        try:
            archive.extract(wanted, limits, budget)
        except UnsafeArchive as exc:
            raise UnsafeArchive(f"{origin} {exc}") from exc
    else:
        check_archive(archive, origin, limits, budget)


def _passes_names(name: str) -> bool:
    return unsafe_name_reason(name) is None and not is_hidden_member(name)


def _head(archive: Opened, entry: Entry) -> bytes:
    """The member's first bytes (a 7z's members are in memory already; a zip's are peeked)."""
    if isinstance(archive, SevenZip) and isinstance(entry, SevenZipEntry):
        try:
            return archive.read(entry, entry.size)[:8]
        except InputError:
            return b""
    assert isinstance(archive, zipfile.ZipFile) and isinstance(entry, zipfile.ZipInfo)
    return peek_member(archive, entry, 8)


def _read(archive: Opened, entry: Entry, limits: Limits) -> bytes:
    if isinstance(archive, SevenZip) and isinstance(entry, SevenZipEntry):
        return archive.read(entry, limits.max_file_bytes)
    assert isinstance(archive, zipfile.ZipFile) and isinstance(entry, zipfile.ZipInfo)
    return read_member(archive, entry, limits.max_file_bytes)


def _survey(archive: Opened, origin: str, limits: Limits, depth: int, budget: Budget) -> None:
    """Raise UnsafeArchive when the archive or one nested in it is bomb-shaped; member problems wait."""
    _check(archive, origin, limits, budget)
    for entry in _entries(archive):
        name = _name(entry)
        if not _passes_names(name) or _is_link(entry) or archive_kind(_head(archive, entry)) is None:
            continue
        inner_origin = f"{origin}!{name}"
        try:
            inner = _nested(archive, entry, inner_origin, limits, depth)
            if inner is not None:
                try:
                    _survey(inner, inner_origin, limits, depth + 1, budget)
                finally:
                    inner.close()
        except UnsafeArchive:
            raise
        except InputError:
            continue  # a corrupt inner archive fails alone when its turn comes


def _nested(archive: Opened, entry: Entry, origin: str, limits: Limits, depth: int) -> Opened | None:
    """The member opened as an archive, or None when it is an office document; raises past the depth limit."""
    data = _read(archive, entry, limits)
    inner = _open(io.BytesIO(data), limits)
    if isinstance(inner, zipfile.ZipFile) and package_kind(inner) is not None:
        inner.close()
        return None
    if depth >= limits.max_archive_depth:
        inner.close()
        raise UnsafeArchive(
            f"{origin} nests archives more than {limits.max_archive_depth} deep; the whole archive "
            "is refused (a recursive zip bomb?)"
        )
    return inner


def _members(archive: Opened, origin: str, limits: Limits, depth: int) -> Iterator[ArchiveItem]:
    for entry in _entries(archive):
        yield from _member(archive, entry, origin, limits, depth)


def _member(archive: Opened, entry: Entry, origin: str, limits: Limits, depth: int) -> Iterator[ArchiveItem]:
    name = _name(entry)
    member_origin = f"{origin}!{name}"
    reason = unsafe_name_reason(name)
    if reason is not None:
        yield Failed(member_origin, f"unsafe entry name ({reason}); the entry was not read")
        return
    if is_hidden_member(name):
        return
    if _is_link(entry):  # its "content" is a path; never a document
        yield Skipped(member_origin, "symbolic link in the archive, not followed")
        return
    try:
        data = _read(archive, entry, limits)
    except InputError as exc:
        yield Failed(member_origin, str(exc))
        return
    if archive_kind(data[:8]) is None:
        yield Member(member_origin, name, data)
        return
    yield from _expand_nested(data, member_origin, name, limits, depth + 1)


def _expand_nested(data: bytes, origin: str, name: str, limits: Limits, depth: int) -> Iterator[ArchiveItem]:
    try:
        inner = _open(io.BytesIO(data), limits)
    except InputError as exc:
        yield Failed(origin, str(exc))
        return
    try:
        if isinstance(inner, zipfile.ZipFile) and package_kind(inner) is not None:
            yield Member(origin, name, data)
            return
        if depth > limits.max_archive_depth:  # the survey refused such archives; kept as a second guard
            yield Failed(origin, f"archives nested more than {limits.max_archive_depth} deep")
            return
        if isinstance(inner, SevenZip):  # its bytes were never surveyed on their own: read them now, bounded
            try:
                _check(inner, origin, limits, Budget.of(limits))
            except InputError as exc:
                yield Failed(origin, str(exc))
                return
        yield from _or_empty(_members(inner, origin, limits, depth), origin)
    finally:
        inner.close()


def _is_link(entry: Entry) -> bool:
    if isinstance(entry, SevenZipEntry):
        return entry.link
    return (entry.external_attr >> 16) & _MODE_MASK == _LINK_MODE


def _or_empty(items: Iterator[ArchiveItem], origin: str) -> Iterator[ArchiveItem]:
    """The items, or a Skipped for the archive itself when it holds nothing to report (every file has a fate)."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield Skipped(origin, "the archive holds no files")

