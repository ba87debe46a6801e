"""Word 97 .doc, WPS .wps, RTF and ODT through LibreOffice (sucai.office) to .docx, then the docx reader.
Without LibreOffice the file is skipped with a reason that says what to install."""

from __future__ import annotations

from sucai.ingest.limits import Limits
from sucai.ingest.readers.base import NotRead, SourceText
from sucai.ingest.readers.docx import docx_to_text
from sucai.office import KINDS, convert, soffice
from sucai.store.base import StoredFile


def read_office(file: StoredFile, limits: Limits) -> list[SourceText]:
    program = soffice()
    if program is None:
        kind = KINDS.get(file.fmt, file.fmt)
        raise NotRead(
            f"未安装 LibreOffice，无法读取 {kind} 文件。LibreOffice is not installed: to read {kind} files install "
            "libreoffice-writer-nogui (apt-get install libreoffice-writer-nogui) or set SUCAI_SOFFICE; "
            "or save the file as .docx."
        )
    docx = convert(file.data, file.fmt, "docx", program, limits.convert_seconds)
    document = docx_to_text(docx, limits)
    return [SourceText(file.origin, document.text, file.fmt, None, document.title)]
