"""Voila with the workbook's own home page: `WorkbookVoila` is Voila's application whose tree
pages (`/` and `/voila/tree/...`) answer with `workbook.planners.home` instead of Voila's file
list, and which serves the review runs under `reports/` read-only at `/reports/...`.

Imported only by `workbook.planners.app.serve` (it imports Voila and tornado).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_server.base.handlers import path_regex
from jupyter_server.utils import url_path_join
from tornado import web
from voila.app import Voila

from workbook.planners.home import REVIEW_FILE, home_html, latest_reviews

_SECURITY_HEADERS = {
    # Nothing on the home page or a review may load from anywhere but this server.
    "Content-Security-Policy": "default-src 'self' data: blob: 'unsafe-inline' 'unsafe-eval'",
    "X-Content-Type-Options": "nosniff",
}


class HomeHandler(web.RequestHandler):
    """The home page: zone, the two planners, the latest reviews (re-read on every visit)."""

    def initialize(self, zone: str, lang: str, reports_dir: Path) -> None:
        self.zone, self.lang, self.reports_dir = zone, lang, reports_dir

    def get(self, path: str = "") -> None:
        if path.strip("/"):  # /voila/tree/<anything>: the one home page, not a file list
            self.redirect(url_path_join(self.settings.get("base_url", "/"), "/"))
            return
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        for key, value in _SECURITY_HEADERS.items():
            self.set_header(key, value)
        self.finish(home_html(self.zone, latest_reviews(self.reports_dir), self.lang))


class ReportFileHandler(web.StaticFileHandler):
    """Files of the review runs under reports/ (review.html and what sits beside it)."""

    def set_extra_headers(self, path: str) -> None:
        for key, value in _SECURITY_HEADERS.items():
            self.set_header(key, value)

    @classmethod
    def get_absolute_path(cls, root: str, path: str) -> str:
        return super().get_absolute_path(root, path or REVIEW_FILE)


class WorkbookVoila(Voila):
    """Voila serving the planner notebooks, with the workbook home page in front."""

    zone: str = ""
    lang: str = "zh"
    reports_dir: Path = Path("reports")

    def init_handlers(self) -> list[Any]:
        base = self.server_url
        home = {"zone": self.zone, "lang": self.lang, "reports_dir": self.reports_dir}
        ours: list[Any] = [
            (base, HomeHandler, home),
            (url_path_join(base, r"/voila/tree" + path_regex), HomeHandler, home),
            (
                url_path_join(base, r"/reports/(.*)"),
                ReportFileHandler,
                {"path": str(self.reports_dir.resolve())},
            ),
        ]
        return ours + super().init_handlers()  # tornado takes the first pattern that matches


def launch(argv: list[str], zone: str, lang: str, reports_dir: Path) -> None:
    """Run the app until interrupted."""
    WorkbookVoila.zone, WorkbookVoila.lang, WorkbookVoila.reports_dir = zone, lang, reports_dir
    WorkbookVoila.launch_instance(argv=argv)
