"""The /docs page in Chinese: the OpenAPI document's operations with Chinese descriptions, `code` as code.

The OpenAPI document itself (/openapi.json) stays as FastAPI writes it, for machines; what people read is
worded here, by method and path. An operation without a Chinese entry shows its English summary.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

INTRO = """接口返回的对象与命令行 `--json` 的输出相同，都在 `/api` 之下。

身份：请求头带 `Authorization: Bearer 令牌`（令牌由 `sucai user token 账户名` 或“我的账户”页面生成）；\
不带令牌即为游客。没有权限的访问者看不到会员内容段落。

出错时返回 `{"error": "..."}` 和相应的 HTTP 状态码：400 查询或参数有误，401/403 未登录或无权限，404 不存在，\
413 内容过大，429 超出当日下载次数。"""

SUMMARIES: dict[tuple[str, str], str] = {
    ("GET", "/api/search"): "精准搜索：包含查询字串的每一篇，排序并给出高亮片段",
    ("GET", "/api/documents"): "材料列表，最新的在前（即 `list` 对象）",
    ("GET", "/api/documents/{doc_id}"): "一篇材料，按调用者的权限显示（即 `show` 对象）",
    ("GET", "/api/documents/{doc_id}/export"): "下载（带下载追踪，计入当日下载次数）",
    ("GET", "/api/suggest"): "输入提示：匹配的标题和提纲，支持拼音首字母",
    ("POST", "/api/check"): "查重：草稿与全库比对；需要登录",
    ("POST", "/api/lint"): "公文检查：占位符、编号、标点、引号、用词等",
    ("GET", "/api/me"): "当前调用者：等级、到期日、今日已下载次数和每日限额",
    ("GET", "/api/phrases"): "金句库：排比句和引语，附出处",
}

PARAMETERS: dict[str, str] = {
    "q": "查询：多个词用空格（同时包含），`\"短语\"`，`-词` 排除，`A OR B`，筛选 `genre:` `year:` `tag:` `title:`",
    "limit": "每页条数",
    "offset": "跳过的条数（翻页）",
    "doc_id": "材料编号",
    "format": "格式：`docx`、`txt` 或 `md`",
    "kind": "金句类型：`parallel`（排比）、`quote`（引语），留空为两者",
}
PHRASE_QUERY = "金句中包含的文字（按字面匹配）"
PLACES = {"query": "查询参数", "path": "路径", "header": "请求头", "cookie": "Cookie"}
_CODE = re.compile(r"`([^`\n]+)`")


def code_spans(text: str) -> Markup:
    """Text escaped for HTML, with `backticked` parts as <code> (markdown's inline code, nothing else)."""
    out, pos = [], 0
    for m in _CODE.finditer(text):
        out += [escape(text[pos : m.start()]), Markup("<code>"), escape(m.group(1)), Markup("</code>")]
        pos = m.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _parameter(path: str, param: dict[str, Any]) -> dict[str, Any]:
    name = str(param.get("name", ""))
    described = PHRASE_QUERY if (path, name) == ("/api/phrases", "q") else PARAMETERS.get(name)
    return {
        "name": name, "place": PLACES.get(str(param.get("in")), param.get("in")),
        "required": bool(param.get("required")),
        "description": code_spans(described or str(param.get("description") or "")),
    }


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation of the spec as the page shows it: method, path, Chinese summary, parameters, body."""
    found = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            key = (method.upper(), path)
            found.append({
                "method": key[0], "path": path,
                "summary": code_spans(SUMMARIES.get(key) or str(op.get("summary") or "")),
                "parameters": [_parameter(path, p) for p in op.get("parameters", [])],
                "body": "requestBody" in op,
            })
    return found


def context(spec: dict[str, Any]) -> dict[str, Any]:
    """What apidocs.html needs."""
    title = str(spec.get("info", {}).get("title", "API"))
    return {"title": title, "intro": [code_spans(p) for p in INTRO.split("\n\n")], "operations": operations(spec)}
