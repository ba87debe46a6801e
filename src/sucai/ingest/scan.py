"""Which characters a rule's regex can start with: lets cleaning scan a text once for every rule's first
characters instead of running each rule over every line (shared by advertisement and page-chrome rules)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def scan_form(pattern: re.Pattern[str]) -> tuple[frozenset[str], str] | None:
    """For a suspect scan over many rules at once: the characters a match of `pattern` can start with, and a
    one-character pattern that matches where the rule does. None when those characters cannot be told (a
    pattern with groups, or starting with a case-insensitive letter, \\S, \\w, \\d ...): the rule is then
    searched alone. Read from the standard library's regex parser, where anything unexpected only costs speed;
    worked out once per pattern."""
    from importlib import import_module  # the parser is only needed here, once per rule

    inside = {  # where, inside an item of each kind, a match can start (zero-width items: nowhere)
        "BRANCH": lambda v, fl: [(alt, fl) for alt in v[1]],
        "SUBPATTERN": lambda v, fl: [(v[3], (fl | v[1]) & ~v[2])],
        "ATOMIC_GROUP": lambda v, fl: [(v, fl)],
        **dict.fromkeys(("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"), lambda v, fl: [(v[2], fl)]),
        **dict.fromkeys(("AT", "ASSERT", "ASSERT_NOT"), lambda v, fl: []),
    }
    first = set[str]()
    try:
        parser = import_module("re._parser")
        tree = parser.parse(pattern.pattern, pattern.flags)
        if pattern.groups or pattern.flags & re.VERBOSE or tree.getwidth()[0] == 0:
            return None  # group numbers would shift in a combined pattern; an empty match starts anywhere
        todo = [(tree, 0, pattern.flags)]  # (a sequence, the index of the item that may start the match, flags)
        while todo:
            seq, i, flags = todo.pop()
            if i == len(seq):
                continue
            kind, value = str(seq[i][0]), seq[i][1]
            if parser.SubPattern(tree.state, [seq[i]]).getwidth()[0] == 0:
                todo.append((seq, i + 1, flags))  # the item can match nothing, so the next one may start it
            if kind in inside:
                todo.extend((sub, 0, fl) for sub, fl in inside[kind](value, flags))
                continue
            if kind not in ("LITERAL", "IN"):
                return None
            for member, v in [(kind, value)] if kind == "LITERAL" else [(str(k), v) for k, v in value]:
                if str(v) == "CATEGORY_SPACE":
                    first.update(c for c in map(chr, range(0x3001)) if c.isspace())
                    continue
                lo, hi = (v, v) if member == "LITERAL" else v if member == "RANGE" else (1, 0)
                chars = [chr(c) for c in range(lo, hi + 1)] if hi - lo < 3000 else []
                if not chars or (flags & re.IGNORECASE and any(c.lower() != c or c.upper() != c for c in chars)):
                    return None
                first.update(chars)
        body = re.sub(r"\A(?:\(\?[aiLmsux]+\))+", "", pattern.pattern)  # global flags become scoped ones
        letters = "".join(c for f, c in ((re.I, "i"), (re.M, "m"), (re.S, "s"), (re.A, "a")) if pattern.flags & f)
        # one character wide, so that it can sit in the scan's look-behind: [its first characters], then the rule
        attempt = f"[{re.escape(''.join(sorted(first)))}](?<=(?=(?{letters}:{body}))[\\s\\S])"
        re.compile(f"(?<={attempt})")
    except Exception:  # another Python version's parser, or a pattern that cannot be combined: searched alone
        return None
    return frozenset(first), attempt
