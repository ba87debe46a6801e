"""The writing desk's helpers: draft lint, placeholder filling, the phrase bank (金句)."""

from sucai.compose.fill import Field, fill, find_fields
from sucai.compose.lint import lint
from sucai.compose.lint_rules import LintRules, load_lint_rules
from sucai.compose.phrases import Phrase, extract_phrases

__all__ = ["Field", "LintRules", "Phrase", "extract_phrases", "fill", "find_fields", "lint", "load_lint_rules"]
