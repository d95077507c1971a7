"""The app's own small pages: the login form and the one-sentence pages (busy, refused).

Self-contained HTML in the app's language and style (the home page's fonts and colours):
inline CSS, no script, nothing fetched from anywhere, so the login page needs no asset that
would have to be served to a visitor who is not logged in. Every text that does not come from
this module is escaped. Pure functions: `workbook.planners.auth` serves them.
"""

from __future__ import annotations

import html

from workbook.text.catalogue import CATALOGUE, say

# key -> (English, Chinese)


def login_text(key: str, lang: str) -> str:
    """A text of the login and refusal pages (catalogue id `login.<key>`), unformatted."""
    return CATALOGUE[f"login.{key}"].text(lang)


_CSS = """
body{font-family:"Microsoft YaHei","PingFang SC","Noto Sans CJK SC","WenQuanYi Micro Hei",
sans-serif;margin:0;background:#f5f6f8;color:#1f2d3d}
main{max-width:380px;margin:80px auto;padding:28px 28px 20px;background:#fff;
border:1px solid #d5dbe3;border-radius:6px}
h1{font-size:22px;margin:0 0 20px}label{display:block;margin:12px 0 4px;color:#34495e}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px 10px;
font-size:15px;border:1px solid #c3ccd6;border-radius:4px}
button{margin-top:20px;width:100%;padding:9px;font-size:16px;background:#1f618d;color:#fff;
border:0;border-radius:4px;cursor:pointer}button:hover{background:#2e86c1}
.wb-note{margin:0 0 8px;padding:8px 10px;border-radius:4px;background:#fdecea;color:#922b21}
.wb-note.wb-info{background:#eaf2f8;color:#1f618d}a{color:#1f618d}
"""


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="{say("html.lang", lang)}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{html.escape(title)}</title>'
        f"<style>{_CSS}</style></head><body><main>{body}</main></body></html>"
    )


def login_html(
    lang: str = "zh", note: str | None = None, xsrf_field: str = "", next_url: str = ""
) -> str:
    """The login form; `note` is a LOGIN_TEXT key shown above it (failed, expired ...);
    `xsrf_field` the form's hidden anti-forgery field (made by tornado, already HTML)."""
    t = lambda key: html.escape(login_text(key, lang))  # noqa: E731
    kind = " wb-info" if note in ("logged_out", "expired") else ""
    shown = f'<p class="wb-note{kind}" role="alert">{t(note)}</p>' if note else ""
    return _page(
        login_text("title", lang),
        f"<h1>{t('heading')}</h1>{shown}"
        f'<form method="post" action="" autocomplete="on">{xsrf_field}'
        f'<input type="hidden" name="next" value="{html.escape(next_url)}">'
        f'<label for="wb-name">{t("name")}</label>'
        '<input type="text" id="wb-name" name="username" required maxlength="64" '
        'autocomplete="username" autofocus>'
        f'<label for="wb-password">{t("password")}</label>'
        '<input type="password" id="wb-password" name="password" required maxlength="1024" '
        'autocomplete="current-password">'
        f'<button type="submit">{t("submit")}</button></form>',
        lang,
    )


def sentence_html(kind: str, lang: str = "zh", home: str = "") -> str:
    """A page of one sentence (kind: busy, denied, error) and a link to the home page."""
    t = lambda key: html.escape(login_text(key, lang))  # noqa: E731
    link = f'<p><a href="{html.escape(home)}">{t("home")}</a></p>' if home else ""
    return _page(
        login_text(f"{kind}_title", lang),
        f'<h1>{t(kind + "_title")}</h1><p class="wb-sentence">{t(kind)}</p>{link}',
        lang,
    )
