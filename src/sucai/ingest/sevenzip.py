"""7z archives treated as hostile, like zips: bounded header, entries, expanded total and ratio; read into memory.

7z is mostly solid (many files compressed as one stream), so per-member compressed sizes are unknown: the
ratio is judged on the whole archive, and every byte py7zr writes goes through a writer that counts it
against the limits (a header can lie about sizes; the writer cannot be lied to).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import IO, Any

from sucai.errors import InputError, TooLarge, UnsafeArchive
from sucai.ingest.limits import Budget, Limits, human_size

SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"
_START_HEADER = struct.Struct("<6s2sIQQI")  # magic, version, CRC, next header offset, size, CRC
_HEADER_BYTES_PER_ENTRY = 512  # like zip's central directory: a bigger header is not a sane archive


def is_7z(data: bytes) -> bool:
    return data.startswith(SEVEN_ZIP_MAGIC)


@dataclass(frozen=True)
class SevenZipEntry:
    name: str
    size: int  # declared expanded size
    link: bool


@dataclass
class SevenZip:
    """An opened 7z: its file entries, and after `extract` their bytes (one pass over the solid streams)."""

    entries: list[SevenZipEntry]
    packed: int  # bytes of the archive file
    _archive: Any
    _data: dict[str, bytes] = field(default_factory=dict)
    _over: set[str] = field(default_factory=set)  # members that grew past the per-file limit

    def close(self) -> None:
        self._archive.close()

    def extract(self, names: set[str], limits: Limits, budget: Budget) -> None:
        """Decompress the named members into memory; raises UnsafeArchive when the output outgrows the budget."""
        import py7zr

        factory = _BoundedFactory(limits.max_file_bytes, budget, limits)
        try:
            self._archive.reset()
            self._archive.extract(targets=names, factory=factory)
        except (UnsafeArchive, TooLarge):
            raise
        except py7zr.exceptions.DecompressionBombError as exc:
            raise UnsafeArchive(f"refused as a possible 7z bomb ({exc})") from exc
        except (py7zr.exceptions.ArchiveError, EOFError, OSError, ValueError, KeyError, MemoryError) as exc:
            raise InputError(f"corrupt 7z archive ({type(exc).__name__}: {exc})") from exc
        for name, writer in factory.writers.items():
            self._data[name] = bytes(writer.buffer)
            if writer.over:
                self._over.add(name)

    def read(self, entry: SevenZipEntry, limit: int) -> bytes:
        if entry.name in self._over or entry.size > limit:
            raise TooLarge(f"{human_size(max(entry.size, limit + 1))} expanded, exceeds the {human_size(limit)} limit")
        data = self._data.get(entry.name)
        if data is None:
            raise InputError("corrupt entry in the 7z archive (no data came out of it)")
        return data


def open_7z(source: IO[bytes], limits: Limits) -> SevenZip:
    """A SevenZip after the start header shows a header of bounded size; raises InputError/UnsafeArchive."""
    import py7zr

    size = source.seek(0, 2)
    source.seek(0)
    head = source.read(_START_HEADER.size)
    if len(head) < _START_HEADER.size or not is_7z(head):
        raise InputError("not a 7z archive")
    _, _, _, _, header_size, _ = _START_HEADER.unpack(head)
    if header_size > limits.max_archive_entries * _HEADER_BYTES_PER_ENTRY:
        raise UnsafeArchive(
            f"the 7z header is {human_size(header_size)}, more than {limits.max_archive_entries} entries need; "
            "refused as a possible 7z bomb"
        )
    source.seek(0)
    try:
        archive = py7zr.SevenZipFile(source, mode="r")
    except py7zr.exceptions.PasswordRequired as exc:
        raise InputError("an encrypted (password-protected) 7z archive; sucai cannot read it") from exc
    except (py7zr.exceptions.ArchiveError, EOFError, OSError, ValueError, KeyError, MemoryError) as exc:
        raise InputError(f"not a readable 7z archive ({type(exc).__name__}: {exc})") from exc
    if archive.needs_password():
        archive.close()
        raise InputError("an encrypted (password-protected) 7z archive; sucai cannot read it")
    entries = [
        SevenZipEntry(info.filename, int(info.uncompressed or 0), bool(info.is_symlink))
        for info in archive.list()
        if not info.is_directory
    ]
    return SevenZip(entries, size, archive)


def check_7z(archive: SevenZip, origin: str, limits: Limits, budget: Budget) -> None:
    """The archive-wide bomb checks on declared sizes (entries, expanded total, whole-archive ratio)."""
    budget.entries -= len(archive.entries)
    if budget.entries < 0:
        raise UnsafeArchive(
            f"{origin} holds more than {limits.max_archive_entries} entries (nested archives included); "
            "refused as a possible 7z bomb"
        )
    total = sum(entry.size for entry in archive.entries)
    ratio = total / max(archive.packed, 1)
    if total >= limits.ratio_check_min_bytes and ratio > limits.max_compression_ratio:
        raise UnsafeArchive(
            f"{origin} expands {ratio:.0f}:1 ({human_size(total)} from {human_size(archive.packed)}), above the "
            f"{limits.max_compression_ratio}:1 limit: a 7z bomb; the whole archive is refused"
        )
    if total > budget.bytes:
        raise UnsafeArchive(
            f"{origin} would expand past the {human_size(limits.max_archive_total_bytes)} limit for one archive "
            "(nested archives included); refused as a possible 7z bomb"
        )


class _BoundedWriter:
    """py7zr's Py7zIO for one member: keeps at most limit+1 bytes, counts every byte against the budget."""

    def __init__(self, limit: int, budget: Budget, limits: Limits) -> None:
        self.buffer = bytearray()
        self.over = False
        self._limit, self._budget, self._limits = limit, budget, limits
        self._written = 0

    def write(self, data: bytes | bytearray) -> int:
        self._written += len(data)
        self._budget.bytes -= len(data)
        if self._budget.bytes < 0:
            raise UnsafeArchive(
                f"expands past the {human_size(self._limits.max_archive_total_bytes)} limit for one archive, more "
                "than its header declared: a 7z bomb; the whole archive is refused"
            )
        if len(self.buffer) <= self._limit:
            self.buffer += data[: self._limit + 1 - len(self.buffer)]
        self.over = len(self.buffer) > self._limit
        return len(data)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self._written

    def close(self) -> None:
        return None


class _BoundedFactory:
    def __init__(self, limit: int, budget: Budget, limits: Limits) -> None:
        self.writers: dict[str, _BoundedWriter] = {}
        self._limit, self._budget, self._limits = limit, budget, limits

    def create(self, filename: str) -> _BoundedWriter:
        writer = _BoundedWriter(self._limit, self._budget, self._limits)
        self.writers[filename] = writer
        return writer

