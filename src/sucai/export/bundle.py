"""A .zip of several downloads: unique member names, the trace token in the archive comment."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from pathlib import PurePosixPath

_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def unique_names(names: Sequence[str]) -> list[str]:
    """The names with repeats told apart: 'a.docx', 'a (2).docx', … (case-insensitive, as Windows is)."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        path = PurePosixPath(name)
        candidate, n = name, 1
        while candidate.casefold() in seen:
            n += 1
            candidate = f"{path.stem} ({n}){path.suffix}"
        seen.add(candidate.casefold())
        out.append(candidate)
    return out


def _zip_time(time: str) -> tuple[int, int, int, int, int, int]:
    """Member timestamps from the download time (UTC), so one download always zips the same way."""
    try:
        at = datetime.fromisoformat(time)
    except ValueError:
        return _ZIP_EPOCH
    if at.year < 1980:
        return _ZIP_EPOCH
    return (at.year, at.month, at.day, at.hour, at.minute, at.second)


def zip_files(files: Sequence[tuple[str, bytes]], comment: str, time: str = "") -> bytes:
    """The files (name, data) deflated into one archive; names are stored as UTF-8."""
    out = io.BytesIO()
    stamp = _zip_time(time)
    names = unique_names([name for name, _ in files])
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, (_, data) in zip(names, files, strict=True):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
        zf.comment = comment.encode("ascii")
    return out.getvalue()
