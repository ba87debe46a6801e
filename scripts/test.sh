#!/usr/bin/env bash
# Installs everything the tests need (venv, the package with its test extras, Debian's chromium) and runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests use: chromium (browser tests), LibreOffice (.doc/.wps/.rtf/.odt readers, PDF
# export), CJK fonts (screenshots and converted documents).
if ! command -v chromium >/dev/null 2>&1 || ! command -v soffice >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      chromium libreoffice-writer-nogui fonts-wqy-microhei >/dev/null
  else
    echo "note: chromium or LibreOffice is missing and this is not root; browser and office-format tests will skip" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

# The PostgreSQL suites run against SUCAI_TEST_PG; where a local server answers and none is named, use it.
if [ -z "${SUCAI_TEST_PG:-}" ] && command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; then
  export SUCAI_TEST_PG="postgresql://postgres@127.0.0.1:5432/test"
  echo "note: PostgreSQL tests use $SUCAI_TEST_PG (set SUCAI_TEST_PG to choose another)" >&2
fi

.venv/bin/ruff check src tests bench
.venv/bin/mypy src/sucai
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
