"""The review's parameters: a quarter such as 2020Q2, an as-of date, trials, seed, language.

`review_params(...)` checks every value (types included: papermill's CLI guesses types and
checks none) and returns a frozen `ReviewParams`; the runner calls it before the notebook
runs (its kernel starting meanwhile), and the notebook calls it again on what papermill injected.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook.text.errors import InputError
from workbook.text.labels import LANGS
from workbook.text.messages import BadValue, Message

if TYPE_CHECKING:
    from workbook.zone.ledger import Ledger
    from workbook.zone.params import ZoneParams

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?\s*[Qq]([1-4])\s*$")
DEFAULT_TRIALS = 10000  # the engine's default: P(attain) within about ±1 point
DEFAULT_SEED = 1
# The caps of every command and of the review: a million trials' results fill about 1 GB.
MAX_TRIALS = 1_000_000
MAX_SEED = 2**32 - 1


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter of a year."""

    year: int
    q: int

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 3 * self.q - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the quarter."""
        nxt = self.next()
        return dt.date(nxt.year, 3 * nxt.q - 2, 1) - dt.timedelta(days=1)

    def previous(self) -> Quarter:
        return Quarter(self.year - 1, 4) if self.q == 1 else Quarter(self.year, self.q - 1)

    def next(self) -> Quarter:
        return Quarter(self.year + 1, 1) if self.q == 4 else Quarter(self.year, self.q + 1)

    def months(self) -> tuple[int, int, int]:
        first = 3 * self.q - 2
        return (first, first + 1, first + 2)


def parse_quarter(text: Any) -> Quarter:
    """'2020Q2', '2020-Q2' or '2020 q2' -> Quarter(2020, 2)."""
    if isinstance(text, Quarter):
        return text
    m = _QUARTER.match(str(text)) if isinstance(text, str) else None
    if m is None:
        raise InputError(Message("review.quarter", found=text))
    return Quarter(int(m.group(1)), int(m.group(2)))


def parse_quarters(text: str) -> list[Quarter]:
    """'2020Q1-2020Q4' (a range), '2020Q2,2020Q4' (a list) or '2020Q3' (one) -> quarters in order."""
    out: list[Quarter] = []
    for part in str(text).split(","):
        if not part.strip():
            continue
        bounds = re.split(r"\s*(?:-|~|\.\.|to)\s*(?=\d{4})", part.strip())
        if len(bounds) == 1:
            out.append(parse_quarter(bounds[0]))
            continue
        if len(bounds) != 2:
            raise InputError(Message("review.quarters", found=text))
        lo, hi = parse_quarter(bounds[0]), parse_quarter(bounds[1])
        if hi < lo:
            raise InputError(Message("review.quarters_backwards", found=text))
        q = lo
        while q <= hi:
            out.append(q)
            q = q.next()
    if not out:
        raise InputError(Message("review.quarters", found=text))
    return sorted(set(out))


@dataclass(frozen=True)
class ReviewParams:
    """Everything one review run needs, checked; paths are absolute."""

    params_path: Path
    quarter: Quarter
    as_of: dt.date
    trials: int = DEFAULT_TRIALS
    seed: int = DEFAULT_SEED
    lang: str = "zh"
    previous_ledger: Path | None = None
    budget: float | None = None  # remaining roadshow budget, 万元; None: the planner's default

    def notebook_parameters(self, out_dir: Path | str | None = None) -> dict[str, Any]:
        """The values papermill injects into the notebook's `parameters` cell."""
        return {
            "params_path": str(self.params_path),
            "quarter": str(self.quarter),
            "as_of": self.as_of.isoformat(),
            "trials": self.trials,
            "seed": self.seed,
            "lang": self.lang,
            "previous_ledger": str(self.previous_ledger) if self.previous_ledger else None,
            "budget": self.budget,
            "out_dir": str(out_dir) if out_dir is not None else None,
        }

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(
            params_path=str(self.params_path),
            quarter=str(self.quarter),
            as_of=self.as_of.isoformat(),
            previous_ledger=str(self.previous_ledger) if self.previous_ledger else None,
        )
        return d


def _int(name: str, value: Any, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(Message("review.whole", name=name, found=value))
    try:
        number = int(value) if isinstance(value, int) else float(value)
    except ValueError:
        raise InputError(Message("review.whole", name=name, found=value)) from None
    if isinstance(number, float) and not (math.isfinite(number) and number.is_integer()):
        raise InputError(Message("review.whole", name=name, found=value))
    if not lo <= number <= hi:
        found = int(number)
        raise InputError(Message("review.between", name=name, lo=lo, hi=hi, found=found))
    return int(number)


def review_params(
    params_path: str | Path,
    quarter: Any,
    as_of: Any = None,
    trials: Any = DEFAULT_TRIALS,
    seed: Any = DEFAULT_SEED,
    lang: Any = "zh",
    previous_ledger: Any = None,
    budget: Any = None,
) -> ReviewParams:
    """Check raw values (from the CLI, papermill or a caller) and return ReviewParams.

    `as_of` defaults to the quarter's last day and must fall inside that quarter.
    `previous_ledger` defaults to a file named like the ledger with the previous quarter
    appended (``ledger-2020Q1.xlsx`` beside ``ledger.xlsx``) when one exists.
    Raises InputError (or ParamsError for the params file) with a one-line message.
    """
    return read_review_params(
        params_path, quarter, as_of, trials, seed, lang, previous_ledger, budget
    )[0]


def read_review_params(
    params_path: str | Path,
    quarter: Any,
    as_of: Any = None,
    trials: Any = DEFAULT_TRIALS,
    seed: Any = DEFAULT_SEED,
    lang: Any = "zh",
    previous_ledger: Any = None,
    budget: Any = None,
    zone_params: ZoneParams | None = None,
) -> tuple[ReviewParams, ZoneParams]:
    """`review_params`, and the zone's params it read on the way (the params file is read
    once per review: pass them on to `build_review` or `check_review_inputs`). `zone_params`:
    the params file as the caller already read it (a batch reads each file once)."""
    from workbook.zone.params import load_params

    if not isinstance(params_path, str | Path) or not str(params_path).strip():
        raise InputError(Message("review.params_path", found=params_path))
    path = Path(params_path).expanduser().resolve()
    if zone_params is None:
        zone_params = load_params(path)
    q = parse_quarter(quarter)
    if q.year != zone_params.year:
        raise InputError(
            Message("review.quarter_year", quarter=str(q), year=zone_params.year, file=path.name)
        )
    day: dt.date | None
    if as_of is None or (isinstance(as_of, str) and not as_of.strip()):
        day = q.end
    else:
        try:
            from workbook.zone.tabular import parse_date

            day = parse_date(as_of)
        except BadValue as exc:  # the date formats, in the report language
            raise InputError(Message("at", where="as_of", body=exc.message)) from None
        if day is None:
            day = q.end
        if not q.start <= day <= q.end:
            raise InputError(
                Message(
                    "review.as_of_quarter",
                    day=day.isoformat(),
                    quarter=str(q),
                    start=q.start.isoformat(),
                    end=q.end.isoformat(),
                )
            )
    if lang not in LANGS:
        raise InputError(Message("review.lang", valid=", ".join(LANGS), found=lang))
    prev: Path | None
    if previous_ledger is None or (
        isinstance(previous_ledger, str) and not previous_ledger.strip()
    ):
        prev = previous_ledger_for(zone_params.data.ledger, q)
    else:
        prev = Path(previous_ledger).expanduser().resolve()
        if not prev.is_file():
            found = Message("file.is_folder" if prev.is_dir() else "file.not_found")
            raise InputError(Message("at", where=f"previous_ledger {prev}", body=found))
    money: float | None = None
    if budget is not None and not (isinstance(budget, str) and not budget.strip()):
        try:
            money = float(budget)
        except (TypeError, ValueError):
            raise InputError(Message("review.budget", found=budget)) from None
        if not (math.isfinite(money) and money >= 0):
            raise InputError(Message("review.budget", found=budget))
    rp = ReviewParams(
        params_path=path,
        quarter=q,
        as_of=day,
        trials=_int("trials", trials, 100, MAX_TRIALS),
        seed=_int("seed", seed, 0, MAX_SEED),
        lang=lang,
        previous_ledger=prev,
        budget=money,
    )
    return rp, zone_params


def review_title(zone: str, rp: ReviewParams) -> str:
    """The review's title: the zone and the quarter as a leader reads them (2020年第二季度),
    and the as-of day when it falls before the quarter's end (the review is then as of that
    day, not of the whole quarter)."""
    from workbook.text.catalogue import label
    from workbook.text.dates import day_name
    from workbook.text.labels import quarter_words

    quarter = quarter_words(str(rp.quarter), rp.lang)
    if rp.as_of < rp.quarter.end:
        quarter = label("review", "title_as_of", rp.lang).format(
            quarter=quarter, day=day_name(rp.as_of, rp.lang)
        )
    return label("review", "title", rp.lang).format(zone=zone, quarter=quarter)


def beyond_data(rp: ReviewParams, ledger: Ledger) -> Message | None:
    """Why the review of `rp` cannot be written from `ledger` (None when it can): its as-of
    date lies after the end of the last month with arrivals logged, so the months up to it are
    not known yet and the review would read them as months in which nothing happened.

    The message names the last data month and what to do instead: the same quarter as of that
    month's end when it falls inside the quarter (``--as-of``), else the last quarter the data
    cover. A ledger without arrivals is not judged here (nothing says how current it is).
    """
    from workbook.text.dates import Dated
    from workbook.zone.replay import data_end

    end = data_end(ledger)
    if end is None or rp.as_of <= end:
        return None
    q = rp.quarter
    if q.start <= end:
        instead = Message("review.beyond_data.as_of", as_of=end.isoformat())
    else:
        latest = q.previous()
        while latest.end > end and latest.year >= q.year - 1:
            latest = latest.previous()
        instead = Message("review.beyond_data.earlier", latest=Dated(latest.start, "quarter"))
    file = ledger.arrivals_path.name if ledger.arrivals_path is not None else "arrivals"
    return Message(
        "review.beyond_data",
        last=Dated(end, "month"),
        file=file,
        quarter=Dated(q.start, "quarter"),
        end=Dated(rp.as_of),
        instead=instead,
    )


def check_data_covers(rp: ReviewParams, ledger: Ledger) -> None:
    """Raise InputError (`beyond_data`'s message) when the data end before the as-of date."""
    why = beyond_data(rp, ledger)
    if why is not None:
        raise InputError(why)


def previous_ledger_for(ledger: Path, quarter: Quarter) -> Path | None:
    """The previous quarter's ledger snapshot kept beside the ledger, if there is one."""
    prev = quarter.previous()
    for suffix in (ledger.suffix, ".xlsx", ".csv"):
        candidate = ledger.with_name(f"{ledger.stem}-{prev}{suffix}")
        if candidate.is_file():
            return candidate
    return None
