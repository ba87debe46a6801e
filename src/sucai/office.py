"""LibreOffice, headless, as a converter: Word 97 .doc/.wps, RTF and ODT to .docx for reading, and the
GB/T 9704 .docx to PDF for downloads.

LibreOffice is found as $SUCAI_SOFFICE, else `soffice` or `libreoffice` on PATH. Each conversion gets its own
user profile folder (-env:UserInstallation): two conversions sharing one profile block or fail each other.
A conversion that outlives its time limit is killed with its process group.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from sucai.errors import InputError

KINDS = {"doc": "Word 97 .doc/.wps", "rtf": "RTF", "odt": "OpenDocument .odt"}
# The import filter, named so a damaged file fails instead of being imported as plain text (LibreOffice's
# fallback, which would store its bytes as a document); an OLE file without a Word stream is left to detection.
_FILTERS = {"doc": "MS Word 97", "rtf": "Rich Text Format", "odt": "writer8"}
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def soffice() -> str | None:
    """The LibreOffice program to convert with, or None when it is not installed."""
    configured = os.environ.get("SUCAI_SOFFICE")
    if configured:
        return configured if Path(configured).is_file() else shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(data: bytes, fmt: str, target: str, program: str, seconds: float) -> bytes:
    """The bytes converted by LibreOffice to `target` (docx, pdf, odt, txt ...); raises InputError."""
    with tempfile.TemporaryDirectory(prefix="sucai-soffice-") as work:
        folder = Path(work)
        source = folder / f"in.{fmt}"
        source.write_bytes(data)
        out = folder / "out"
        _seed_profile(folder / "profile")
        command = [
            program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--nodefault", "--nologo", *_infilter(data, fmt), "--convert-to", target,
            "--outdir", str(out), str(source),
        ]
        _run(command, seconds, folder)
        result = out / f"in.{target.split(':', 1)[0]}"
        if not result.is_file() or result.stat().st_size == 0:
            raise InputError(f"LibreOffice could not convert this {KINDS.get(fmt, fmt)} file (corrupt, encrypted "
                             "or not a text document)")
        _keep_profile(folder / "profile")
        return result.read_bytes()


_TEMPLATE: dict[str, Path] = {}  # a first-run profile this process made, copied into each new conversion's
_TEMPLATE_LOCK = threading.Lock()


def _seed_profile(profile: Path) -> None:
    """A private profile for this conversion, started from a copy of an earlier one: LibreOffice's first run
    in an empty profile costs about a third of a second more."""
    template = _TEMPLATE.get("profile")
    if template is not None and template.is_dir():
        shutil.copytree(template, profile, symlinks=True, ignore_dangling_symlinks=True)


def _keep_profile(profile: Path) -> None:
    with _TEMPLATE_LOCK:
        if "profile" in _TEMPLATE or not profile.is_dir():
            return
        keep = Path(tempfile.mkdtemp(prefix="sucai-soffice-profile-")) / "profile"
        shutil.copytree(profile, keep, symlinks=True, ignore_dangling_symlinks=True)
        _TEMPLATE["profile"] = keep
        atexit.register(shutil.rmtree, keep.parent, True)


def _infilter(data: bytes, fmt: str) -> list[str]:
    if fmt not in _FILTERS or (fmt == "doc" and _WORD_STREAM not in data):
        return []
    return [f"--infilter={_FILTERS[fmt]}"]


def _run(command: list[str], seconds: float, home: Path) -> None:
    environment = {**os.environ, "HOME": str(home)}  # LibreOffice writes beside $HOME too
    try:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            env=environment, start_new_session=True,
        )
    except OSError as exc:
        raise InputError(f"LibreOffice could not be started ({exc})") from exc
    try:
        _, errors = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired as exc:
        _kill_group(process)
        raise InputError(f"LibreOffice took longer than {seconds:g} s to convert this file and was stopped") from exc
    if process.returncode != 0:
        message = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or [f"exit {process.returncode}"]
        raise InputError(f"LibreOffice could not convert this file ({message[0][:200]})")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)  # soffice starts soffice.bin: end both
    except ProcessLookupError:
        pass
    process.communicate()
