"""How much one input may cost: every reader and the archive expander check these, never the bytes' own claims."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what one input may make sucai read, expand or parse.

    An archive that breaks an archive-wide bound (entries, ratio, total, depth) fails as a whole before any
    of its members is read; a single member that breaks `max_file_bytes` fails alone.
    """

    max_file_bytes: int = 50 * MB  # one file, or one member of an archive
    max_archive_total_bytes: int = 500 * MB  # expanded sizes in one archive, nested archives included
    max_archive_entries: int = 10_000  # members in one archive, nested archives included
    max_compression_ratio: int = 200  # uncompressed/compressed for one member (zip bomb)
    ratio_check_min_bytes: int = 1 * MB  # smaller members are harmless at any ratio (a page of spaces)
    max_archive_depth: int = 3  # a.zip is depth 1, a.zip!b.zip depth 2 ...
    max_html_depth: int = 255  # element nesting; libxml2 (without huge_tree) stops at 256 anyway
    pdf_seconds: float = 30.0  # reading one PDF's text layer (a hostile PDF can make a parser spin)
    convert_seconds: float = 120.0  # one LibreOffice conversion (.doc, .wps, .rtf, .odt)


@dataclass
class Budget:
    """What is left of one top-level archive's allowance; nested archives draw on the same budget."""

    entries: int
    bytes: int

    @classmethod
    def of(cls, limits: Limits) -> Budget:
        return cls(limits.max_archive_entries, limits.max_archive_total_bytes)


def human_size(n: int) -> str:
    """A byte count as people say it: 50 MB, 12.5 KB, 300 bytes."""
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KB"
    return f"{n} bytes"
