"""review.html: the executed notebook as a report page that opens offline.

nbconvert's `basic` template renders the outputs only (no code, no prompts, no Markdown
notes for notebook readers); this module wraps them in one self-contained page: inline CSS,
one <script> holding vl-convert's Vega bundle (cached on disk), and one `vegaEmbed` call per
chart div, with zh-CN number and date formats. Nothing on the page refers to http(s)://:
there is no require.js, MathJax, mermaid or widget manager, and chart action links are off.
"""

from __future__ import annotations

import copy
import functools
import html
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from workbook.text.catalogue import say

# d3-format and d3-time-format locales (zh-CN), so figures read 1,234.5 and dates 2020年6月.
ZH_FORMAT = {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["¥", ""]}
ZH_TIME_FORMAT = {
    "dateTime": "%x %A %X",
    "date": "%Y/%-m/%-d",
    "time": "%H:%M:%S",
    "periods": ["上午", "下午"],
    "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
    "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
    "months": [
        f"{m}月"
        for m in ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"]
    ],
    "shortMonths": [f"{m}月" for m in range(1, 13)],
}
# The charts' locales by the page's language tag (`html.lang`); none: Vega's own (English).
CHART_LOCALES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "zh-CN": (ZH_FORMAT, ZH_TIME_FORMAT)
}

CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;
 color:#222;background:#f6f6f4;margin:0}
main{max-width:1180px;margin:0 auto;padding:24px 32px 64px;background:#fff}
h1{font-size:24px;margin:8px 0 4px;color:#8b1a1a}
h2{font-size:19px;border-bottom:2px solid #c0392b;padding-bottom:4px;margin:36px 0 12px}
h3{font-size:16px;margin:20px 0 8px}
.wb-subtitle{color:#666;margin:0 0 8px}
.wb-note{color:#444;margin:8px 0}
.wb-key{font-weight:bold;color:#8b1a1a}
.wb-abstract{font-size:1.05em;line-height:1.7;margin:8px 0 12px;padding:8px 12px;background:#f5f7fa;border-left:3px solid #2c5282}
.wb-warn{color:#a04000;background:#fdf2e9;padding:6px 10px;border-left:3px solid #e67e22}
.wb-row{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start}
.wb-table{border-collapse:collapse;font-size:13px;margin:8px 0 16px;display:block;max-width:100%;overflow-x:auto;-webkit-overflow-scrolling:touch}
.wb-table th{background:#f2f3f4;border-bottom:2px solid #bbb;padding:5px 8px;text-align:left;white-space:nowrap}
.wb-table td{border-bottom:1px solid #e5e5e5;padding:4px 8px;white-space:nowrap}
.wb-table td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.wb-table td.date{white-space:nowrap}
.wb-table tr.wb-flag td{color:#c0392b;background:#fdedec}
.wb-chart{margin:8px 0 16px;min-height:40px;max-width:100%;overflow-x:auto}
.wb-chart .vega-embed{max-width:100%}
.wb-chart svg.marks{max-width:100%;height:auto}
.wb-chart[data-rendered=error]{color:#c0392b}
.output_area pre{white-space:pre-wrap;font-size:12px;color:#555}
footer{color:#888;font-size:12px;margin-top:40px;border-top:1px solid #ddd;padding-top:8px}
main{overflow-wrap:break-word}
@media (max-width:600px){main{padding:12px 12px 48px}h1{font-size:20px}h2{font-size:17px}.wb-row{gap:8px}}
@media print{body{background:#fff}main{padding:0}h2{break-after:avoid}.wb-chart,.wb-table{break-inside:avoid}}
"""

EMBED = """
(function () {
  var opts = %(options)s;
  document.querySelectorAll("div.wb-chart").forEach(function (div) {
    var target = document.createElement("div");
    div.appendChild(target);
    try {
      var spec = JSON.parse(div.querySelector("script.wb-spec").textContent);
      vegaEmbed(target, spec, opts).then(function () {
        div.setAttribute("data-rendered", "ok");
      }).catch(function (err) {
        div.setAttribute("data-rendered", "error");
        target.textContent = String(err);
      });
    } catch (err) {
      div.setAttribute("data-rendered", "error");
      target.textContent = String(err);
    }
  });
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="%(lang)s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>%(css)s</style>
<script>%(bundle)s</script>
</head>
<body>
<main>
%(body)s
<footer>%(footer)s</footer>
</main>
<script>%(embed)s</script>
</body>
</html>
"""

_EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//|@import\s+["']?(?:https?:)?//""",
    re.IGNORECASE,
)


def external_references(page: str) -> list[str]:
    """Every script, style, font, image or link reference to another host in a page."""
    return [page[max(m.start() - 40, 0) : m.end() + 60] for m in _EXTERNAL.finditer(page)]


def cache_dir() -> Path:
    """Where the review keeps what is costly to make and never changes for the same input:
    $XDG_CACHE_HOME/workbook (default ~/.cache/workbook)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "workbook"


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """vl-convert's Vega + Vega-Lite + vega-embed bundle (~0.9 MB), cached on disk by version
    (building it takes over a second)."""
    import vl_convert as vlc

    # vl_convert's type stubs leave out __version__ (the module has it).
    name = f"vega-bundle-vlc{vlc.__version__}.js"  # type: ignore[attr-defined]
    path = cache_dir() / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    # vl_convert's type stubs give `snippet` no default (it has one: the whole bundle).
    bundle = vlc.javascript_bundle()  # type: ignore[call-arg]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(bundle)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home still gets its report, only slower
    return bundle


def embed_options(lang: str) -> dict[str, Any]:
    opts: dict[str, Any] = {"mode": "vega-lite", "actions": False, "renderer": "svg"}
    locale = CHART_LOCALES.get(say("html.lang", lang))  # English: Vega's own formats
    if locale is not None:
        opts["formatLocale"], opts["timeFormatLocale"] = locale
    return opts


def report_body(nb: Any) -> str:
    """The notebook's outputs as HTML: no inputs, prompts, Markdown or stderr.

    A review's outputs are HTML fragments (and at most some plain text): written here as
    nbconvert's `basic` template writes them, the same text, without nbconvert's import and
    template engine (about a second of every review). Any other kind of output goes through
    nbconvert."""
    fast = _basic_body(nb)
    return fast if fast is not None else _nbconvert_body(nb)


def _output_html(o: Any) -> str | None:
    """One output as the `basic` template writes it, or None for a kind not written here."""
    kind = o.get("output_type")
    if kind == "stream":
        if o.get("name") == "stderr":
            return ""
        text = html.escape(o.get("text", ""), quote=False)
        return (
            '<div class="output_area">\n<div class="output_subarea output_stream '
            f'output_{o.get("name")} output_text">\n<pre>{text}</pre>\n</div>\n</div>\n'
        )
    if kind not in ("display_data", "execute_result"):
        return None
    data = o.get("data", {})
    if set(data) - {"text/html", "text/plain"}:
        return None
    extra = " output_execute_result" if kind == "execute_result" else ""
    if "text/html" in data:
        body = data["text/html"]
        return (
            '<div class="output_area">\n<div class="output_html rendered_html '
            f'output_subarea{extra}">{body}</div>\n</div>\n'
        )
    if "text/plain" in data:
        text = html.escape(data["text/plain"], quote=False)
        return (
            f'<div class="output_area">\n<div class="output_text output_subarea{extra}">\n'
            f"<pre>{text}</pre>\n</div>\n</div>\n"
        )
    return None


def _basic_body(nb: Any) -> str | None:
    out = []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        outputs = cell.get("outputs", [])
        parts = [_output_html(o) for o in outputs]
        if any(p is None for p in parts):
            return None
        cid = html.escape(str(cell.get("id", "")))
        tags = "".join(
            f" celltag_{html.escape(t)}" for t in cell.get("metadata", {}).get("tags", [])
        )
        head = f'<div class="cell border-box-sizing code_cell rendered{tags}" id="cell-id={cid}">\n'
        if not outputs:
            out.append(head + "</div>\n")
            continue
        body = "".join(p for p in parts if p is not None)
        wrap = '<div class="output_wrapper">\n<div class="output">\n'
        out.append(f"{head}{wrap}{body}</div>\n</div>\n</div>\n")
    return "".join(out)


def _nbconvert_body(nb: Any) -> str:
    from nbconvert import HTMLExporter

    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if cell.get("cell_type") == "code":
            cell.outputs = [
                o
                for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    exporter = HTMLExporter(
        template_name="basic",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        exclude_markdown=True,
        exclude_raw=True,
        exclude_unknown=True,
    )
    body, _ = exporter.from_notebook_node(nb)
    return body


def write_report(nb: Any, path: Path, *, title: str, lang: str, footer: str = "") -> Path:
    """Write the offline report page of an executed notebook to `path` (via a temp file)."""
    page = PAGE % {
        "lang": say("html.lang", lang),
        "title": html.escape(title),
        "css": CSS,
        "bundle": vega_bundle().replace("</script", "<\\/script"),
        "body": report_body(nb),
        "footer": html.escape(footer),
        "embed": EMBED % {"options": json.dumps(embed_options(lang), ensure_ascii=False)},
    }
    found = external_references(page)
    if found:
        raise RuntimeError(f"report would load from the network: {found[0]!r}")
    from workbook.review.output import readable

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(page)
    os.replace(readable(Path(tmp)), path)
    return path
