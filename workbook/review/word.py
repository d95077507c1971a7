"""review.docx: the review as a Word document an office can edit and forward (python-docx),
on the page of an official document (workbook.review.gbt9704: GB/T 9704-2012).

The document is made from the same section fragments as review.html (each section's `html`),
so it holds exactly what the page shows: the title, the abstract, every section's notes,
tables and charts. The fragments are a small, fixed subset of HTML (h1-h4, p with a class,
table.wb-table with thead/tbody, div.wb-chart holding a Vega-Lite spec), read with the
standard library's HTMLParser. Charts become PNG images by vl-convert (rendered on a few
threads: the renderer releases the GIL), each with its alt text (wp:docPr descr).

h1 is the title, h2 the "一、" headings, h3 the "（一）" ones (numbered here when the text is
not), h4 the "1." ones. A table too wide for the portrait type area sets in a landscape section
(the same type area turned), at the first size where no figure, date or id must break, its
columns filling the width; hyphens inside ids and dates do not break (w:noBreakHyphen). Prose
dates and quarters read 2020年6月30日 and 2020年第二季度. English with --lang en (the fragments
are already in the report language; the page is the same).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.review.gbt9704 import (
    BODY_PT,
    HEADING_FONTS,
    HYPHEN,  # how add_run splits a run's text
    PAGE_NUMBER_PT,
    TITLE_FONT,
    Page,
    add_run,
    author_of,
    child,
    clean_package,
    document_grid,
    first_page,
    indent,
    off_grid,
    set_core,
    set_page,
    set_settings,
    set_styles,
    tracking,
)
from workbook.text.catalogue import say
from workbook.text.dates import leader_words

if TYPE_CHECKING:
    from workbook.review.section import Context

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# ---- reading the fragments -------------------------------------------------------------------


@dataclass
class Table:
    header: list[str] = field(default_factory=list)
    rows: list[list[tuple[str, bool]]] = field(default_factory=list)  # (text, is a number)
    flagged: list[bool] = field(default_factory=list)


@dataclass
class Block:
    kind: str  # "h1" | "h2" | "h3" | "h4" | "p" | "table" | "chart"
    text: str = ""
    css: str = ""
    table: Table | None = None
    spec: str = ""
    name: str = ""
    alt: str = ""  # a chart's description (aria-label), else its title


class _Fragments(HTMLParser):
    """Blocks of a review fragment, in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._text: list[str] | None = None
        self._current: Block | None = None
        self._table: Table | None = None
        self._row: list[tuple[str, bool]] | None = None
        self._cell_num = False
        self._in_head = False
        self._chart: Block | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        css = a.get("class") or ""
        if tag in ("h1", "h2", "h3", "h4", "p") and self._table is None:
            self._current = Block(tag, css=css)
            self._text = []
        elif tag == "table":
            self._table = Table()
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self._table is not None:
            self._row = []
            if not self._in_head:
                self._table.flagged.append("wb-flag" in css)
        elif tag in ("td", "th") and self._row is not None:
            self._text = []
            self._cell_num = "num" in css
        elif tag == "div" and "wb-chart" in css:
            self._chart = Block(
                "chart", name=a.get("data-chart") or "", alt=a.get("aria-label") or ""
            )
        elif tag == "script" and self._chart is not None:
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if (
            tag in ("h1", "h2", "h3", "h4", "p")
            and self._current is not None
            and self._text is not None
        ):
            self._current.text = "".join(self._text).strip()
            self.blocks.append(self._current)
            self._current, self._text = None, None
        elif tag in ("td", "th") and self._row is not None and self._text is not None:
            self._row.append(("".join(self._text).strip(), self._cell_num))
            self._text = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._in_head:
                self._table.header = [t for t, _ in self._row]
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "thead":
            self._in_head = False
        elif tag == "table" and self._table is not None:
            self.blocks.append(Block("table", table=self._table))
            self._table = None
        elif tag == "script" and self._chart is not None and self._text is not None:
            self._chart.spec = "".join(self._text)
            self._text = None
        elif tag == "div" and self._chart is not None and self._chart.spec:
            self.blocks.append(self._chart)
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def blocks_of(fragment: str) -> list[Block]:
    """The blocks (headings, notes, tables, charts) of one review fragment, in order."""
    parser = _Fragments()
    parser.feed(fragment)
    parser.close()
    return parser.blocks


TABLE_PT = (10.5, 9.0, 7.5)  # 五号, 小五, then smaller: the first that lets a table fit
CELL_PAD_PT = 11.0  # a cell's left and right margins (Word's 0.19 cm each) and a little air
FLAG_RGB = (0xA0, 0x1C, 0x1C)  # rows with an overdue time node, as the page shows them
CHART_SCALE = 1.5  # PNG pixels per CSS pixel: about 150 dpi at 16 cm, sharp enough in print
_ORDINALS = "一二三四五六七八九十"


# ---- tables --------------------------------------------------------------------------------------


def text_points(text: str, size: float) -> float:
    """Roughly how wide `text` sets at `size` points: CJK a full em, the rest about half."""
    return sum(size if ord(ch) > 0x2E80 else 0.55 * size for ch in text)


_WORD = re.compile(r"[!-~\u2011]+")  # a run of Latin letters, digits and signs: one piece


def _least(text: str, size: float, whole_if_plain: bool, cjk_chars: int) -> float:
    """The narrowest a cell's text may set: a figure, date or id (one piece without spaces)
    whole; else its longest Latin word, and at least `cjk_chars` characters of a CJK name."""
    whole = text_points(text, size)
    if whole_if_plain and not re.search(r"\s|[\u2e80-\uffff]", text.strip()):
        return whole
    words = [text_points(w, size) for w in _WORD.findall(text)]
    return max(min(whole, cjk_chars * size), *words, 0.0)


def _widths(table: Table, size: float) -> tuple[list[float], list[float], list[float]]:
    """Each column's narrowest width (points) that breaks nothing a reader must see whole
    (figures, dates, ids, words: never; names: not under four characters), the width that
    keeps every body cell on one line, and the width that keeps the header on one line too."""
    cols = len(table.header)
    hard = [_least(h, size, False, 3) for h in table.header]
    body = list(hard)
    for cells in table.rows:
        for j, (text, number) in enumerate(cells[:cols]):
            whole = text_points(text, size)
            least = whole if number else _least(text, size, True, 4)
            hard[j] = max(hard[j], least)
            body[j] = max(body[j], whole, hard[j])
    full = [max(b, text_points(h, size)) for b, h in zip(body, table.header, strict=True)]
    return hard, body, full


def _share(room: float, hard: list[float], body: list[float], full: list[float]) -> list[float]:
    """Column widths filling `room`: every column its narrowest, then the room left to the
    columns that need least to keep their body cells on one line (as many as it reaches),
    then to the headers, the rest in proportion."""
    widths = list(hard)
    extra = room - sum(widths)
    for want in (body, full):
        for j in sorted(range(len(widths)), key=lambda j: want[j] - widths[j]):
            give = min(max(want[j] - widths[j], 0.0), extra)
            widths[j] += give
            extra -= give
    total = sum(widths)
    return [w + extra * w / total for w in widths] if extra > 0 else widths


@dataclass(frozen=True)
class TableLayout:
    landscape: bool
    size: float
    widths: tuple[int, ...]  # twips, each column


def table_layout(table: Table, landscape: bool | None = None) -> TableLayout:
    """How a table sets: the first of (portrait, 五号), (landscape, 五号), (landscape, 小五),
    (landscape, smaller) in which no figure, date or id has to break; its columns fill the
    type area's width, the room left over keeping as many columns as it can on one line."""
    cols = len(table.header)
    tries = [(False, TABLE_PT[0])] + [(True, s) for s in TABLE_PT]
    if landscape is not None:
        tries = [(landscape, s) for s in TABLE_PT]
    for orient, size in tries:
        hard, body, full = _widths(table, size)
        room = Page(orient).text_width / 20 - CELL_PAD_PT * cols
        if sum(hard) <= room or (orient, size) == tries[-1]:
            break
    if sum(hard) >= room:  # even the smallest size cannot keep every piece whole
        widths = [h * room / sum(hard) for h in hard]
    else:
        widths = _share(room, hard, body, full)
    return TableLayout(orient, size, tuple(round((w + CELL_PAD_PT) * 20) for w in widths))


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    child(tr_pr, "w:tblHeader").set(qn("w:val"), "true")


def _cell(cell: Any, width: int, text: str, layout: TableLayout, **run: Any) -> Any:
    from docx.shared import Pt, Twips

    cell.width = Twips(width)
    p = cell.paragraphs[0]
    p.paragraph_format.first_line_indent = Pt(0)
    p.paragraph_format.line_spacing = 1.0
    off_grid(p)
    if run.pop("no_wrap", False):
        child(cell._tc.get_or_add_tcPr(), "w:noWrap", before=("w:vAlign", "w:hideMark"))
    r = add_run(p, text, size=layout.size, **run)
    tracking(r._r.get_or_add_rPr(), 0)  # off the grid: no tightening
    return p, r


def _table(doc: Any, table: Table, layout: TableLayout) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import RGBColor, Twips

    cols = len(table.header)
    t = doc.add_table(rows=1 + len(table.rows), cols=cols)
    t.style = doc.styles["Table Grid"]
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    for j, w in enumerate(layout.widths):
        t.columns[j].width = Twips(w)
    # python-docx finds a row and a row's cells by walking the table's XML: taken once each
    # (cell by cell it was quadratic, most of review.docx's time on the larger tables).
    rows = list(t.rows)
    header = rows[0].cells
    for j, text in enumerate(table.header):
        p, _ = _cell(header[j], layout.widths[j], text, layout, east=HEADING_FONTS[0])
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(rows[0])
    # A body cell is made once per column and kind (no-wrap, figure, flagged row) through
    # python-docx; every other cell of that column and kind is a copy of it with its own text.
    made: dict[tuple[int, bool, bool, bool], Any] = {}
    for i, (cells, flagged) in enumerate(zip(table.rows, table.flagged, strict=False), start=1):
        row_cells = rows[i].cells
        for j, (text, number) in enumerate(cells[:cols]):
            whole = number or not re.search(r"[\u2e80-\uffff]", text)
            kind = (j, bool(whole), bool(number), bool(flagged))
            if kind in made:
                _copy_cell(made[kind], row_cells[j], text)
                continue
            p, r = _cell(row_cells[j], layout.widths[j], text, layout, no_wrap=whole)
            if number:
                p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if flagged:
                r.font.color.rgb = RGBColor(*FLAG_RGB)
            made[kind] = row_cells[j]._tc


def _copy_cell(model: Any, cell: Any, text: str) -> None:
    """Put in place of `cell` a copy of the finished cell `model` holding `text` instead, its
    run written as `add_run` writes one (pieces of text, a non-breaking hyphen between)."""
    import copy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tc = copy.deepcopy(model)
    r = tc.find(f"{qn('w:p')}/{qn('w:r')}")
    for el in list(r):
        if el.tag != qn("w:rPr"):
            r.remove(el)
    for i, piece in enumerate(HYPHEN.split(text)):
        if i:
            r.append(OxmlElement("w:noBreakHyphen"))
        if piece:
            t = OxmlElement("w:t")
            t.text = piece
            if len(piece.strip()) < len(piece):
                t.set(qn("xml:space"), "preserve")
            r.append(t)
    old = cell._tc
    old.getparent().replace(old, tc)


# ---- pictures ------------------------------------------------------------------------------------


def _images(specs: list[str]) -> list[bytes]:
    """Each chart spec as a PNG: from the cache by the spec's hash (`png_cache`), else drawn
    by vl-convert (the charts not cached, on a few threads) and kept there."""
    import vl_convert as vlc

    folder = png_cache()
    # vl_convert's type stubs leave out __version__ (the module has it).
    keys = [_png_key(spec, vlc.__version__) for spec in specs]  # type: ignore[attr-defined]
    out: dict[str, bytes] = {}
    for key in keys:
        with contextlib.suppress(OSError):
            data = (folder / f"{key}.png").read_bytes()
            if data.startswith(PNG_SIGNATURE):
                out[key] = data
    todo = {key: spec for key, spec in zip(keys, specs, strict=True) if key not in out}

    def png(spec: str) -> bytes:
        return vlc.vegalite_to_png(json.loads(spec), scale=CHART_SCALE)

    if todo:
        with ThreadPoolExecutor(max_workers=min(4, len(todo))) as pool:
            drawn = list(pool.map(png, todo.values()))
        for key, data in zip(todo, drawn, strict=True):
            out[key] = data
            _keep(folder / f"{key}.png", data)
    return [out[key] for key in keys]


def png_cache() -> Path:
    """The folder of chart pictures by spec hash (beside the Vega bundle's cache)."""
    from workbook.review.html import cache_dir

    return cache_dir() / "png"


def _png_key(spec: str, version: str) -> str:
    """A picture's cache key: the spec's text, the scale and vl-convert's version (which
    fixes the Vega, Vega-Lite and font handling that draw it)."""
    import hashlib

    text = f"vl-convert {version}\nscale {CHART_SCALE}\n{spec}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _keep(path: Path, data: bytes) -> None:
    """Write a cached picture whole (a temporary name, then moved); a read-only home only
    makes the next review slower."""
    import os
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        pass


def alt_text(block: Block) -> str:
    """What a chart's picture says in words: its description, else its title and subtitle."""
    if block.alt:
        return block.alt
    title = json.loads(block.spec).get("title") if block.spec else None
    if isinstance(title, dict):
        sub = title.get("subtitle") or []
        parts = [title.get("text") or "", *([sub] if isinstance(sub, str) else sub)]
        return " — ".join(str(p) for p in parts if p)
    return str(title or block.name)


def _picture(doc: Any, data: bytes, alt: str, page: Page) -> None:
    """A chart at its own size, shrunk to the type area (width, and 85% of its height)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, Twips

    width_px = int.from_bytes(data[16:20], "big")  # PNG IHDR width and height
    height_px = int.from_bytes(data[20:24], "big")
    natural = width_px / CHART_SCALE / 96 * 1440  # twips
    scale = min(
        1.0, page.text_width / natural, 0.85 * page.text_height / (natural * height_px / width_px)
    )
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.first_line_indent = Pt(0)
    off_grid(p)
    shape = p.add_run().add_picture(io.BytesIO(data), width=Twips(int(natural * scale)))
    shape._inline.docPr.set("descr", alt)  # the picture's alt text in Word and WPS
    shape._inline.docPr.set("title", alt[:80])


# ---- the document --------------------------------------------------------------------------------


def _parts(blocks: list[Block]) -> list[list[Block]]:
    """The blocks cut at each heading (a heading right after another stays with it)."""
    parts: list[list[Block]] = [[]]
    for b in blocks:
        headings_only = all(x.kind in ("h1", "h2", "h3", "h4") for x in parts[-1])
        if b.kind in ("h2", "h3", "h4") and not headings_only:
            parts.append([])
        parts[-1].append(b)
    return [p for p in parts if p]


def _spacer(doc: Any) -> None:
    """A half-line gap after a table (off the grid): a table never runs into the next one."""
    from docx.shared import Pt

    p = doc.add_paragraph()
    off_grid(p)
    p.paragraph_format.line_spacing = Pt(BODY_PT / 2)
    p.paragraph_format.first_line_indent = Pt(0)


def _landscape(part: list[Block]) -> list[bool]:
    """Which blocks of a part set on landscape pages: from its heading through its last wide
    table (a full page as often as not); what follows (prose, charts) is on portrait pages."""
    wide = [
        i
        for i, b in enumerate(part)
        if b.kind == "table"
        and b.table is not None
        and b.table.header
        and table_layout(b.table).landscape
    ]
    if not wide:
        return [False] * len(part)
    return [i <= wide[-1] for i in range(len(part))]


def _paragraph(doc: Any, b: Block, lang: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = doc.add_paragraph()
    text = leader_words(b.text, lang)
    if "wb-subtitle" in b.css:  # the run's data date and source: 楷体, centred, 四号
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(p, text, HEADING_FONTS[1], PAGE_NUMBER_PT)
        return p
    indent(p.paragraph_format, 2)
    run = add_run(p, text)
    if "wb-warn" in b.css:
        run.bold = True
        run.font.color.rgb = RGBColor(*FLAG_RGB)
    elif "wb-key" in b.css:
        run.bold = True
    elif "wb-why" in b.css:
        run.font.size = Pt(PAGE_NUMBER_PT)
    return p


def build_docx(ctx: Context, fragments: Sequence[str]) -> bytes:
    """The review as a .docx file (bytes), from the page's fragments in order, in the
    GB/T 9704-2012 layout (see the module docstring)."""
    from docx import Document
    from docx.enum.section import WD_SECTION

    lang = ctx.lang
    doc = Document()
    set_styles(doc, lang)
    set_settings(doc, lang)
    first_page(doc)
    parsed = [blocks_of(html) for html in fragments]
    specs = [b.spec for blocks in parsed for b in blocks if b.kind == "chart"]
    images = iter(_images(specs))
    page, title, h3 = Page(), "", 0
    for blocks in parsed:
        for part in _parts(blocks):
            for b, landscape in zip(part, _landscape(part), strict=True):
                if landscape != page.landscape:
                    page = Page(landscape)
                    set_page(doc.add_section(WD_SECTION.NEW_PAGE), page)
                if b.kind == "h1":
                    title = leader_words(b.text, lang)
                    add_run(doc.add_paragraph(style="Title"), title, TITLE_FONT)
                elif b.kind in ("h2", "h3", "h4"):
                    level = int(b.kind[1]) - 1
                    text = leader_words(b.text, lang)
                    if b.kind == "h2":
                        h3 = 0
                    elif b.kind == "h3":
                        h3 += 1
                        if not text.startswith("（") and h3 <= len(_ORDINALS):
                            text = say("review.word.h3", lang, n=_ORDINALS[h3 - 1], text=text)
                    p = doc.add_paragraph(style=f"Heading {level}")
                    add_run(p, text, HEADING_FONTS[level - 1], bold=level == 3)
                elif b.kind == "p":
                    _paragraph(doc, b, lang)
                elif b.kind == "table" and b.table is not None and b.table.header:
                    _table(doc, b.table, table_layout(b.table, page.landscape))
                    _spacer(doc)
                elif b.kind == "chart":
                    _picture(doc, next(images), alt_text(b), page)
    set_core(doc, ctx, title)
    clean_package(doc, author_of(ctx))
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_docx(path: Path, ctx: Context, fragments: Sequence[str]) -> Path:
    """Write review.docx whole to a temporary name beside `path`, then move it into place."""
    import os

    from workbook.review.output import readable, temp_beside

    data = build_docx(ctx, fragments)
    tmp = temp_beside(path)
    tmp.write_bytes(data)
    readable(tmp)
    os.replace(tmp, path)
    return path


__all__ = [
    "Block",
    "Page",
    "Table",
    "alt_text",
    "blocks_of",
    "build_docx",
    "document_grid",
    "leader_words",
    "table_layout",
    "write_docx",
]
