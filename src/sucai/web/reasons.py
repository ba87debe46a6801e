"""Ingest reasons in Chinese for the web: the readers word their skip and failure reasons in English (the
CLI's report and logs); the admin's upload report speaks Chinese.

Known reasons are matched by pattern, first match wins; details (sizes, names, line numbers) carry over.
A reason nobody has worded yet keeps its English after a Chinese lead, so nothing is lost.
"""

from __future__ import annotations

import re

from sucai.web.problems import chinese_part

_FILE_TYPES = {
    ".doc": "旧版 Word .doc 格式；请用 Word 或 WPS 打开后另存为 .docx",
    ".wps": "WPS 格式；请另存为 .docx",
    ".pdf": "不读取 PDF；请导出为 .docx 或 .txt",
    ".rtf": "不读取 RTF；请另存为 .docx",
    ".rar": "不读取 RAR 压缩包；请重新打包为 .zip",
    ".7z": "不读取 7z 压缩包；请重新打包为 .zip",
}
# What a file really is, as the readers name it ("a Windows program, not a document sucai reads").
_FOREIGN = {
    "a PDF document": "PDF 文档", "a PNG image": "PNG 图片", "a JPEG image": "JPEG 图片", "a GIF image": "GIF 图片",
    "a TIFF image": "TIFF 图片", "a WebP image": "WebP 图片", "an image": "图片",
    "an RTF document": "RTF 文档", "an old Office file": "旧版 Office 文件（.doc/.wps/.xls）",
    "a RAR archive": "RAR 压缩包", "a gzip file": "gzip 压缩文件", "a bzip2 file": "bzip2 压缩文件",
    "an xz file": "xz 压缩文件", "a Windows program": "Windows 程序", "a program": "程序", "a script": "脚本",
    "an audio or video file": "音视频文件", "a video or audio file": "音视频文件", "an audio file": "音频文件",
    "a database file": "数据库文件", "an Excel spreadsheet": "Excel 表格", "a spreadsheet": "电子表格",
    "a PowerPoint deck": "PowerPoint 演示文稿", "a presentation": "演示文稿", "an e-book": "电子书（EPUB）",
    "an Outlook message": "Outlook 邮件", "a stylesheet": "样式表", "a data file": "数据文件",
    "a settings file": "配置文件", "a source map": "源码映射文件", "a log file": "日志文件",
    "a web archive": "网页存档（.mht）；请另存为 .docx 或 .html",
}
_HINTS = {
    "unpack it first": "请先解压", "re-pack it as .zip or .7z": "请重新打包为 .zip 或 .7z",
    "run OCR on it and ingest the text": "扫描件请先做文字识别（OCR）再导入",
}

_SIZE = r"[\d.,]+ ?(?:[KMGT]?i?B|bytes?)"
REASONS: tuple[tuple[str, str], ...] = (
    (r"empty file", "空文件"),
    (r"binary data, not text", "二进制数据，不是文本"),
    (r"no text found", "没有找到文字"),
    (r"already ingested \(same bytes\)", "已经入库（内容完全相同）"),
    (r"the archive holds no files", "压缩包里没有文件"),
    (r"symbolic link in the archive, not followed", "压缩包中的符号链接，未读取"),
    (r"symbolic link, not followed", "符号链接，未读取"),
    (r"not a regular file.*", "不是普通文件（设备、管道或套接字）"),
    (r"an Office lock file.*", "Office 临时锁文件（~$ 开头），不是文档"),
    (r"unsupported file type \(no extension\)", "不支持的文件类型（没有扩展名）"),
    (r"no such file or folder", "文件或文件夹不存在"),
    (r"cannot read it: (?P<why>.*)", "无法读取：{why}"),
    (r"cannot list the folder: (?P<why>.*)", "无法列出文件夹：{why}"),
    (rf"(?P<size>{_SIZE}),? exceeds the (?P<limit>{_SIZE}) limit(?P<archive> for an archive)?",
     "{size}，超过{archive}上限 {limit}"),
    (r"unsafe entry name \((?P<why>.*)\); the entry was not read", "不安全的条目名（{why}），未读取"),
    (r"archives nested more than (?P<n>\d+) deep", "压缩包嵌套超过 {n} 层"),
    (r"an old Word \.doc \(or WPS\) file named \.docx.*",
     "这是旧版 Word .doc（或 WPS）文件，却以 .docx 命名；请用 Word 或 WPS 打开后另存为 .docx"),
    (r"not a valid \.docx.*", "不是有效的 .docx 文件"),
    (r"not a Word document.*", "不是 Word 文档"),
    (r"corrupt or hostile docx.*", "docx 文件损坏或含有不安全的内容"),
    (r"corrupt docx.*", "docx 文件损坏"),
    (r"the docx nests tables too deeply to read", "docx 中的表格嵌套过深，无法读取"),
    (r"(?:an )?encrypted \(password-protected\).*", "文件已加密（设有密码），无法读取"),
    (r"(?:corrupt|not a readable|not a) (?:entry in the )?(?:zip|7z) archive.*", "压缩包损坏或无法读取"),
    (r"corrupt entry in the archive.*", "压缩包中的条目损坏"),
    (r"not a readable (?P<what>PDF|docx|Word document).*", "无法读取的 {what} 文件（可能已损坏或加密）"),
    (r"line (?P<n>\d+): .*", "第 {n} 行格式有误（应为含 title 和 content 的 JSON）；整个文件未导入"),
    (r"HTML nested deeper than .*", "HTML 嵌套过深，拒绝读取"),
    (r"HTML could not be parsed.*", "HTML 无法解析"),
    (r"starts with a (?P<bom>\S+) byte-order mark but is not valid.*",
     "以 {bom} 字节顺序标记开头，却不是有效的 {bom} 文本"),
    (r"undecodable bytes.*",
     "无法识别的编码：不是 UTF-8、GB18030（GBK/GB2312）或 Big5 文本；请另存为 UTF-8 后重新导入"),
    (r"could not store: (?P<why>.*)", "无法存入素材库：{why}"),
    (r"internal error while parsing.*", "解析时出现内部错误；请告知管理员"),
)
_COMPILED = tuple((re.compile(pattern, re.S), chinese) for pattern, chinese in REASONS)
_UNSUPPORTED = re.compile(r"unsupported (?:file type|format) '?(?P<ext>[^':]+)'?(?::.*)?")
_FOREIGN_NAMED = re.compile(r"this is (?P<real>.+?)(?:; save it as \.docx)?, not (?P<declared>.+)")


def chinese_reason(reason: str) -> str:
    """A skip or failure reason in Chinese (a bilingual one shows its Chinese part)."""
    text = reason.strip()
    if own := chinese_part(text):
        return own
    for pattern, chinese in _COMPILED:
        if m := pattern.fullmatch(text):
            details = {k: v or "" for k, v in m.groupdict().items()}
            if "archive" in details:
                details["archive"] = "压缩包的" if details["archive"] else ""
            return chinese.format(**details)
    if m := _UNSUPPORTED.fullmatch(text):
        ext = m.group("ext").strip()
        hint = _FILE_TYPES.get(ext.lower())
        return f"不支持的文件类型 {ext}" + (f"：{hint}" if hint else "")
    if kind := _foreign_kind(text):
        hints = [zh for en, zh in _HINTS.items() if en in text]
        space = " " if kind[0].isascii() else ""
        return f"文件是{space}{kind}，不是素材库能读取的文档" + (f"：{hints[0]}" if hints else "")
    if m := _FOREIGN_NAMED.fullmatch(text):
        real = next((zh for en, zh in _FOREIGN.items() if m.group("real").startswith(en)), m.group("real"))
        return f"文件实际是 {real}，不是 {m.group('declared')}"
    return f"无法导入（{text}）"


def _foreign_kind(text: str) -> str:
    """The Chinese name of what a file really is, when the reason starts by naming it."""
    for en in sorted(_FOREIGN, key=len, reverse=True):
        if text.startswith(en) and text[len(en) : len(en) + 1] in ("", ",", ";", " ", "("):
            return _FOREIGN[en]
    return ""
