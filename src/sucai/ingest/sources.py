"""Paths to stored files: folders walked, zips opened in memory, every input bounded and accounted for.

Decisions, so the report is predictable:
- Folders are walked depth first in name order. Hidden entries (.git, .DS_Store) are skipped silently;
  symbolic links inside a folder are reported as skipped and never followed (a path named on the command
  line is followed: the user chose it). Devices, pipes and sockets are skipped, never opened.
- A zip is not one stored file: each member is, with origin "a.zip!dir/x.txt" ("a.zip!b.zip!c.txt" when
  nested). Before any member is read the whole archive, nested archives included, is checked against the
  archive limits (entries, per-member compression ratio, expanded total, nesting depth); an archive that
  breaks one is a possible zip bomb and fails whole, with a message naming the member.
- Problems of one member (a ../ or absolute name, encryption, corruption, over the file size limit, an
  unsupported type, empty) fail or skip that member only; the archive's other members proceed.
- Nothing is extracted to disk; every read is bounded by the limits, whatever the headers claim.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from sucai.errors import InputError, TooLarge, UnsafeArchive
from sucai.ingest.archive import (
    Budget,
    check_archive,
    is_docx_zip,
    is_hidden_member,
    is_zip,
    member_name,
    open_zip,
    peek_member,
    read_member,
    unsafe_name_reason,
)
from sucai.ingest.limits import Limits, human_size
from sucai.ingest.readers import format_for_name, sniff, unsupported_reason
from sucai.model import Failed, Skipped
from sucai.store.base import StoredFile

Item = StoredFile | Failed | Skipped


def expand(paths: Sequence[str | Path], limits: Limits) -> Iterator[Item]:
    """Every file under the given paths (folders walked, zips opened) as a StoredFile, or why not.

    One item per file or archive member, in a deterministic order; a missing path, an oversize file or a
    hostile archive is a Failed item and the rest of the batch carries on.
    """
    for raw in paths:
        yield from _expand_path(Path(raw), limits)


def _expand_path(path: Path, limits: Limits) -> Iterator[Item]:
    try:
        info = path.stat()
    except FileNotFoundError:
        yield Failed(str(path), "no such file or folder")
        return
    except OSError as exc:
        yield Failed(str(path), f"cannot read it: {exc.strerror or exc}")
        return
    if stat.S_ISDIR(info.st_mode):
        yield from _walk(path, limits)
    elif stat.S_ISREG(info.st_mode):
        yield from _expand_file(path, info.st_size, limits)
    else:
        yield Skipped(str(path), "not a regular file (a device, pipe or socket)")


def _walk(folder: Path, limits: Limits) -> Iterator[Item]:
    """Depth first with an explicit stack (no recursion limit on deep trees), entries in name order."""
    stack: list[Iterator[os.DirEntry[str]]] = []
    listing = _listing(folder)
    if isinstance(listing, Failed):
        yield listing
        return
    stack.append(iter(listing))
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        if entry.name.startswith("."):
            continue
        path = Path(entry.path)
        kind = _entry_kind(entry)
        if kind == "dir":
            listing = _listing(path)
            if isinstance(listing, Failed):
                yield listing
            else:
                stack.append(iter(listing))
        elif isinstance(kind, int):
            yield from _expand_file(path, kind, limits)
        else:
            yield Skipped(str(path), kind)


def _listing(folder: Path) -> list[os.DirEntry[str]] | Failed:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as exc:
        return Failed(str(folder), f"cannot list the folder: {exc.strerror or exc}")


def _entry_kind(entry: os.DirEntry[str]) -> int | str:
    """'dir', a regular file's size, or the reason the entry is skipped."""
    try:
        if entry.is_symlink():
            return "symbolic link, not followed"
        if entry.is_dir(follow_symlinks=False):
            return "dir"
        if entry.is_file(follow_symlinks=False):
            return entry.stat(follow_symlinks=False).st_size
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    return "not a regular file (a device, pipe or socket)"


def _expand_file(path: Path, size: int, limits: Limits) -> Iterator[Item]:
    origin = str(path)
    fmt = format_for_name(path.name)
    if fmt is None:
        yield Skipped(origin, unsupported_reason(path.name))
    elif size == 0:
        yield Skipped(origin, "empty file")
    elif fmt == "zip":
        yield from _expand_zip_path(path, size, limits)
    else:
        try:
            data = _read_bounded(path, size, limits.max_file_bytes)
        except InputError as exc:
            yield Failed(origin, str(exc))
            return
        yield from _emit(data, origin, fmt, limits, depth=0)


def _read_bounded(path: Path, size: int, limit: int) -> bytes:
    if size > limit:
        raise TooLarge(_too_large(size, limit))
    try:
        with path.open("rb") as handle:
            data = handle.read(limit + 1)  # the file may have grown since stat
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise TooLarge(_too_large(len(data), limit))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"{human_size(size)}, exceeds the {human_size(limit)} limit"


def _emit(data: bytes, origin: str, fmt: str, limits: Limits, depth: int) -> Iterator[Item]:
    """A file's bytes as a StoredFile, or, when they are really a zip, the archive's members."""
    if not data:
        yield Skipped(origin, "empty file")
        return
    actual = sniff(data, fmt)
    if actual != "zip":
        yield StoredFile(origin, hashlib.sha256(data).hexdigest(), data, actual)
    elif depth == 0:
        yield from _expand_archive(io.BytesIO(data), origin, limits)
    else:
        yield from _expand_nested(data, origin, limits, depth + 1)


def _expand_zip_path(path: Path, size: int, limits: Limits) -> Iterator[Item]:
    origin = str(path)
    if size > limits.max_archive_total_bytes:
        yield Failed(origin, _too_large(size, limits.max_archive_total_bytes) + " for an archive")
        return
    try:
        handle = path.open("rb")  # read in place: the archive itself never has to fit in memory
    except OSError as exc:
        yield Failed(origin, f"cannot read it: {exc.strerror or exc}")
        return
    with handle:
        yield from _expand_archive(handle, origin, limits)


def _expand_archive(source: IO[bytes], origin: str, limits: Limits) -> Iterator[Item]:
    """A top-level archive: checked whole (nested archives included) before its first member is read."""
    try:
        zf = open_zip(source, limits)
    except InputError as exc:
        yield Failed(origin, str(exc))
        return
    with zf:
        if is_docx_zip(zf):  # a Word document renamed .zip
            yield from _renamed_docx(source, origin, limits)
            return
        try:
            _survey(zf, origin, limits, 1, Budget.of(limits))
        except UnsafeArchive as exc:
            yield Failed(origin, str(exc))
            return
        yield from _or_empty(_members(zf, origin, limits, 1), origin)


def _renamed_docx(source: IO[bytes], origin: str, limits: Limits) -> Iterator[Item]:
    source.seek(0)
    data = source.read(limits.max_file_bytes + 1)
    if len(data) > limits.max_file_bytes:
        yield Failed(origin, _too_large(len(data), limits.max_file_bytes))
    else:
        yield StoredFile(origin, hashlib.sha256(data).hexdigest(), data, "docx")


def _survey(zf: zipfile.ZipFile, origin: str, limits: Limits, depth: int, budget: Budget) -> None:
    """Raise UnsafeArchive when the archive or one nested in it is bomb-shaped; member problems wait."""
    for info in check_archive(zf, origin, limits, budget):
        name = member_name(info)
        data = _nested_archive_bytes(zf, info, name, limits)
        if data is None:
            continue
        inner_origin = f"{origin}!{name}"
        if depth >= limits.max_archive_depth:
            raise UnsafeArchive(
                f"{inner_origin} nests archives more than {limits.max_archive_depth} deep; the whole archive "
                "is refused (a recursive zip bomb?)"
            )
        try:
            inner = open_zip(io.BytesIO(data), limits)
        except UnsafeArchive as exc:
            raise UnsafeArchive(f"{inner_origin}: {exc}") from exc
        except InputError:
            continue  # a corrupt inner archive fails alone when its turn comes
        with inner:
            _survey(inner, inner_origin, limits, depth + 1, budget)


def _nested_archive_bytes(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, limits: Limits) -> bytes | None:
    """The member's bytes when it is a zip that `_members` would open, else None (cheaply, by its head)."""
    fmt = format_for_name(name)
    if fmt is None or fmt == "docx" or unsafe_name_reason(name) or is_hidden_member(name):
        return None
    if fmt != "zip" and not is_zip(peek_member(zf, info)):
        return None
    try:
        data = read_member(zf, info, limits.max_file_bytes)
    except InputError:
        return None
    return data if sniff(data, fmt) == "zip" else None


def _members(zf: zipfile.ZipFile, origin: str, limits: Limits, depth: int) -> Iterator[Item]:
    for info in zf.infolist():
        if not info.is_dir():
            yield from _member(zf, info, origin, limits, depth)


def _member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, origin: str, limits: Limits, depth: int) -> Iterator[Item]:
    name = member_name(info)
    member_origin = f"{origin}!{name}"
    reason = unsafe_name_reason(name)
    if reason is not None:
        yield Failed(member_origin, f"unsafe entry name ({reason}); the entry was not read")
        return
    if is_hidden_member(name):
        return
    if stat.S_ISLNK(info.external_attr >> 16):  # its "content" is a path; never a document
        yield Skipped(member_origin, "symbolic link in the archive, not followed")
        return
    fmt = format_for_name(name)
    if fmt is None:
        yield Skipped(member_origin, unsupported_reason(name))
        return
    try:
        data = read_member(zf, info, limits.max_file_bytes)
    except InputError as exc:
        yield Failed(member_origin, str(exc))
        return
    yield from _emit(data, member_origin, fmt, limits, depth)


def _expand_nested(data: bytes, origin: str, limits: Limits, depth: int) -> Iterator[Item]:
    if depth > limits.max_archive_depth:  # the survey refused such archives; kept as a second guard
        yield Failed(origin, f"archives nested more than {limits.max_archive_depth} deep")
        return
    try:
        zf = open_zip(io.BytesIO(data), limits)
    except InputError as exc:
        yield Failed(origin, str(exc))
        return
    with zf:
        yield from _or_empty(_members(zf, origin, limits, depth), origin)


def _or_empty(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The items, or a Skipped for the archive itself when it holds nothing to report (every file has a fate)."""
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        yield Skipped(origin, "the archive holds no files")
