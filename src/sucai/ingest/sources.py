"""Paths to stored files: folders walked, every file read bounded and judged by its content, archives handed on.

Decisions, so the report is predictable:
- Folders are walked depth first in name order. Hidden entries (.git, .DS_Store) are skipped silently;
  symbolic links inside a folder are reported as skipped and never followed (a path named on the command
  line is followed: the user chose it). Devices, pipes and sockets are skipped, never opened.
- What a file is comes from its bytes (`readers.detect`), never its name alone: a web page saved as .doc is
  HTML, a renamed docx a docx, a file without an extension whatever its content says.
- An archive (zip, 7z, by its first bytes) is not one stored file: `archive.expand` hands over its members,
  with origins "a.zip!dir/x.txt", and each member is judged like a file.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from sucai.errors import InputError, TooLarge
from sucai.ingest import archive
from sucai.ingest.limits import Limits, human_size
from sucai.ingest.readers import NotRead, detect, is_lock_file, known_binary
from sucai.model import Failed, Skipped
from sucai.store.base import StoredFile

Item = StoredFile | Failed | Skipped


def expand(paths: Sequence[str | Path], limits: Limits) -> Iterator[Item]:
    """Every file under the given paths (folders walked, archives opened) as a StoredFile, or why not.

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
    if is_lock_file(path.name):
        yield Skipped(origin, "an Office lock file (~$...), not a document")
        return
    if size == 0:
        yield Skipped(origin, "empty file")
        return
    try:
        handle = path.open("rb")  # an archive is read in place: it never has to fit in memory
    except OSError as exc:
        yield Failed(origin, f"cannot read it: {exc.strerror or exc}")
        return
    with handle:
        head = handle.read(16)
        if archive.archive_kind(head) is not None:
            if size > limits.max_archive_total_bytes:
                yield Failed(origin, _too_large(size, limits.max_archive_total_bytes) + " for an archive")
            else:
                yield from _judged(archive.expand(handle, origin, limits))
            return
        yield _file(handle, head, origin, path.name, size, limits)


def _file(handle: BinaryIO, head: bytes, origin: str, name: str, size: int, limits: Limits) -> Item:
    binary = known_binary(head)
    if binary is not None:  # an image or a program is skipped whatever its size, without reading it
        return Skipped(origin, binary)
    try:
        data = _read_bounded(handle, head, size, limits.max_file_bytes)
    except InputError as exc:
        return Failed(origin, str(exc))
    return _stored(origin, name, data)


def _read_bounded(handle: BinaryIO, head: bytes, size: int, limit: int) -> bytes:
    if size > limit:
        raise TooLarge(_too_large(size, limit))
    try:
        data = head + handle.read(limit + 1 - len(head))  # the file may have grown since stat
    except OSError as exc:
        raise InputError(f"cannot read it: {exc.strerror or exc}") from exc
    if len(data) > limit:
        raise TooLarge(_too_large(len(data), limit))
    return data


def _too_large(size: int, limit: int) -> str:
    return f"{human_size(size)}, exceeds the {human_size(limit)} limit"


def _judged(items: Iterator[archive.ArchiveItem]) -> Iterator[Item]:
    """An archive's members judged like files; the archive's own Failed and Skipped pass through."""
    for item in items:
        if not isinstance(item, archive.Member):
            yield item
        elif is_lock_file(item.name):
            yield Skipped(item.origin, "an Office lock file (~$...), not a document")
        elif not item.data:
            yield Skipped(item.origin, "empty file")
        else:
            yield _stored(item.origin, item.name, item.data)


def _stored(origin: str, name: str, data: bytes) -> Item:
    """The bytes as a StoredFile of the format they really are, or why sucai does not read them."""
    try:
        fmt = detect(data, name)
    except NotRead as exc:
        return Skipped(origin, str(exc))
    return StoredFile(origin, hashlib.sha256(data).hexdigest(), data, fmt)
