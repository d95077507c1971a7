"""The app's home page: the zone's name, the two planners (one line each on what they are for,
with links) and the latest quarterly reviews found under `reports/`; nothing else.

One self-contained HTML page in the app's language (Chinese by default, English with
`--lang en`): inline CSS, no script, no font, nothing fetched from anywhere (government
intranets). Every text that comes from a file (zone name, folder names) is escaped.
Pure functions: `workbook.planners.voila_app` serves the page and the review files.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path

from workbook.text.catalogue import CATALOGUE, say

REVIEW_FILE = "review.html"
LATEST_REVIEWS = 5
REPORTS_URL = "reports/"  # under the app's base URL: where voila_app serves reports/


def home_text(key: str, lang: str) -> str:
    """A text of the home page (catalogue id `home.<key>`), unformatted."""
    return CATALOGUE[f"home.{key}"].text(lang)


@dataclass(frozen=True)
class Review:
    """One review run under reports/: its folder (relative, '/'-separated) and when written."""

    folder: str
    written: dt.datetime

    @property
    def href(self) -> str:
        from urllib.parse import quote

        return REPORTS_URL + quote(f"{self.folder}/{REVIEW_FILE}")


def latest_reviews(reports_dir: Path, n: int = LATEST_REVIEWS) -> list[Review]:
    """The n most recently written review.html files under reports_dir, newest first."""
    if not reports_dir.is_dir():
        return []
    found = []
    root = reports_dir.resolve()
    for path in reports_dir.rglob(REVIEW_FILE):
        if not path.resolve().is_relative_to(root):  # a symlink out of the folder: not served
            continue
        if path.is_file() and not any(p.startswith(".") for p in path.parent.parts):
            written = dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)
            found.append(Review(path.parent.relative_to(reports_dir).as_posix(), written))
    found.sort(key=lambda r: (r.written, r.folder), reverse=True)
    return found[:n]


PLANNER_NOTEBOOKS = (  # relative to the zone's home page, /z/<zone>/
    ("scenario", "scenario"),
    ("roadshow", "roadshow"),
)

_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
sans-serif;margin:0;background:#f5f6f8;color:#1f2d3d}
main{max-width:860px;margin:0 auto;padding:32px 24px}
h1{font-size:26px;margin:0 0 24px}h2{font-size:18px;margin:28px 0 12px;color:#34495e}
.wb-planner{display:block;background:#fff;border:1px solid #d5dbe3;border-radius:6px;
padding:14px 18px;margin:0 0 12px;text-decoration:none;color:inherit}
.wb-planner:hover{border-color:#2e86c1}.wb-planner b{font-size:17px;color:#1f618d}
.wb-planner span{display:block;margin-top:4px;color:#4d5b6a}
ul{padding-left:20px}li{margin:6px 0}li time{color:#7f8c8d;margin-left:8px}
.wb-none{color:#7f8c8d}
.wb-account{float:right;color:#4d5b6a;font-size:14px}.wb-account a{color:#1f618d;margin-left:8px}
"""


def home_html(
    zone: str,
    reviews: list[Review],
    lang: str = "zh",
    account: str | None = None,
    root: str = "../../",
) -> str:
    """The whole home page; links are relative to the app's base URL (the page is served there).
    `account`: the user logged in (shown with a link to log out), None without logins."""
    t = lambda key: html.escape(home_text(key, lang))  # noqa: E731
    title = html.escape(home_text("title", lang).format(zone=zone))
    planners = "".join(
        f'<a class="wb-planner wb-planner-{key}" href="{href}"><b>{t(key)}</b>'
        f"<span>{t(key + '_line')}</span></a>"
        for key, href in PLANNER_NOTEBOOKS
    )
    if reviews:
        items = "".join(
            f'<li><a href="{html.escape(r.href)}">{html.escape(r.folder)}</a>'
            f'<time datetime="{r.written.isoformat()}">{r.written:%Y-%m-%d %H:%M}</time></li>'
            for r in reviews
        )
        review_block = f'<ul class="wb-reviews">{items}</ul>'
    else:
        review_block = f'<p class="wb-none">{t("no_reviews")}</p>'
    return (
        f'<!DOCTYPE html><html lang="{say("html.lang", lang)}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{title}</title><style>{_CSS}</style></head>'
        f"<body><main>{_account(account, lang, root)}<h1>{title}</h1>"
        f"<h2>{t('planners')}</h2>{planners}"
        f"<h2>{t('reviews')}</h2>{review_block}</main></body></html>"
    )


def zones_html(zones: list[tuple[str, str]], lang: str = "zh", account: str | None = None) -> str:
    """The app's front page: one link per zone (id, name) the user may open."""
    t = lambda key: html.escape(home_text(key, lang))  # noqa: E731
    if zones:
        from urllib.parse import quote

        links = "".join(
            f'<a class="wb-planner wb-zone" href="z/{quote(zid)}/"><b>{html.escape(name)}</b>'
            f"<span>{html.escape(zid)}</span></a>"
            for zid, name in zones
        )
    else:
        links = f'<p class="wb-none">{t("no_zones")}</p>'
    return (
        f'<!DOCTYPE html><html lang="{say("html.lang", lang)}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{t("zones_title")}</title><style>{_CSS}</style>'
        f"</head><body><main>{_account(account, lang)}<h1>{t('zones_title')}</h1>"
        f"<h2>{t('zones')}</h2>{links}</main></body></html>"
    )


def audit_html(zone: str, lines: list[dict], lang: str = "zh") -> str:
    """The zone's audit log as a table (newest first), every value escaped."""

    def t(key: str) -> str:
        return CATALOGUE[f"audit.{key}"].text(lang)

    title = html.escape(t("title").format(zone=zone))
    if lines:
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(str(v))}</td>"
                for v in (
                    item.get("at", ""),
                    t(item["event"])
                    if f"audit.{item.get('event')}" in CATALOGUE
                    else item.get("event"),
                    item.get("user", ""),
                    item.get("what", item.get("address", "")),
                )
            )
            + "</tr>"
            for item in lines
        )
        head = "".join(f"<th>{html.escape(t(k))}</th>" for k in ("at", "event", "user", "what"))
        body = (
            f'<table class="wb-audit"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        )
    else:
        body = f'<p class="wb-none">{html.escape(t("none"))}</p>'
    return (
        f'<!DOCTYPE html><html lang="{say("html.lang", lang)}"><head>'
        '<meta charset="utf-8"><link rel="icon" href="data:,">'
        f"<title>{title}</title><style>{_CSS}table{{border-collapse:collapse}}"
        "td,th{border:1px solid #d5dbe3;padding:4px 8px;text-align:left}</style></head>"
        f"<body><main><h1>{title}</h1>{body}</main></body></html>"
    )


def _account(account: str | None, lang: str, root: str = "") -> str:
    """The user and a link to log out (`root`: the page's way back to the app's base URL)."""
    if account is None:
        return ""
    return (
        f'<p class="wb-account"><span>{html.escape(account)}</span>'
        f'<a href="{root}logout">{html.escape(home_text("logout", lang))}</a></p>'
    )
