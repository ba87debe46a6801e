"""The lint's rules as data: the shipped src/sucai/rules/lint.toml, extended by lint.toml in extra folders.

Obfuscated terms are read from obfuscations.tsv through the ingest cleaner's loader, so the lint flags
exactly what ingest repairs. Loaded once per set of folders and file modification times.
"""

from __future__ import annotations

import re
import threading
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sucai.errors import InputError

if TYPE_CHECKING:
    from sucai.ingest.deobfuscate import Deobfuscator

LINT_FILE = "lint.toml"
OBFUSCATIONS_FILE = "obfuscations.tsv"  # read by sucai.ingest.clean.load_rules
DEFAULT_MAX_SENTENCE = 250


@dataclass(frozen=True)
class PatternRule:
    pattern: re.Pattern[str]
    message: str
    suggestion: str


@dataclass(frozen=True)
class LintRules:
    placeholders: tuple[PatternRule, ...] = ()
    outdated: tuple[PatternRule, ...] = ()
    de_di_de: tuple[PatternRule, ...] = ()  # 的/地/得 misuse; a suggestion may name groups (\\1地\\2)
    obfuscations: tuple[tuple[str, str], ...] = ()  # (found, replacement)
    obfuscation_pattern: re.Pattern[str] | None = None
    deobfuscator: Deobfuscator | None = None  # disguised vocabulary terms beyond the table (ingest's repairer)
    doubled: frozenset[str] = frozenset()
    doubled_exceptions: tuple[str, ...] = ()
    halfwidth: tuple[tuple[str, str], ...] = ()  # (half-width, full-width)
    max_sentence_chars: int = DEFAULT_MAX_SENTENCE


def shipped_dir() -> Path:
    return Path(str(resources.files("sucai") / "rules"))


def load_lint_rules(extra_dirs: Sequence[Path] = ()) -> LintRules:
    """The shipped lint rules, extended by lint.toml (and obfuscations.tsv) in each of `extra_dirs`."""
    folders = [shipped_dir(), *(Path(d) for d in extra_dirs)]
    key = tuple((str(f), _mtime(f / LINT_FILE), _mtime(f / OBFUSCATIONS_FILE)) for f in folders)
    with _LOCK:
        rules = _CACHE.get(key)
        if rules is None:
            rules = _load(folders, extra_dirs)
            _CACHE[key] = rules
    return rules


_CACHE: dict[tuple[tuple[str, int, int], ...], LintRules] = {}
_LOCK = threading.Lock()


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read lint rules {path}: {exc}") from exc


def _pattern_rules(entries: list[dict[str, Any]], where: Path) -> list[PatternRule]:
    rules = []
    for entry in entries:
        try:
            pattern = re.compile(entry["pattern"])
        except (KeyError, re.error) as exc:
            raise InputError(f"{where}: bad lint pattern {entry!r}: {exc}") from exc
        rules.append(PatternRule(pattern, str(entry.get("message", "")), str(entry.get("suggestion", ""))))
    return rules


def _load(folders: Sequence[Path], extra_dirs: Sequence[Path]) -> LintRules:
    from sucai.ingest.clean import load_rules  # the cleaner owns obfuscations.tsv and its format

    placeholders: list[PatternRule] = []
    outdated: list[PatternRule] = []
    de_di_de: list[PatternRule] = []
    doubled: set[str] = set()
    exceptions: list[str] = []
    halfwidth: dict[str, str] = {}
    max_sentence = DEFAULT_MAX_SENTENCE
    for folder in folders:
        path = folder / LINT_FILE
        data = _read(path)
        placeholders += _pattern_rules(data.get("placeholder", []), path)
        outdated += _pattern_rules(data.get("outdated", []), path)
        de_di_de += _pattern_rules(data.get("de_di_de", []), path)
        doubled.update(data.get("doubled", {}).get("chars", []))
        exceptions += data.get("doubled", {}).get("exceptions", [])
        halfwidth.update(data.get("halfwidth", {}))
        max_sentence = int(data.get("settings", {}).get("max_sentence_chars", max_sentence))
    cleaner = load_rules(tuple(Path(d) for d in extra_dirs))
    return LintRules(
        placeholders=tuple(placeholders),
        outdated=tuple(outdated),
        de_di_de=tuple(de_di_de),
        obfuscations=cleaner.obfuscations,
        obfuscation_pattern=cleaner.repair_pattern,
        deobfuscator=cleaner.deobfuscator,
        doubled=frozenset(doubled),
        doubled_exceptions=tuple(exceptions),
        halfwidth=tuple(halfwidth.items()),
        max_sentence_chars=max_sentence,
    )
