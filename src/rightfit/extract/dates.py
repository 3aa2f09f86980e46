"""Dates and periods, resolved against the request time: ISO and UK day-first numeric dates, "3 March",
"March 3rd", "the 3rd", "today", "yesterday", "last Friday", "3 days ago", "last week", "next month",
"the 1st of next month", "since the 1st", "in the last 7 days".

Rules, so that the assistant and the customer agree on what a phrase meant:
- A date without a year ("3 March", "14/03") or without a month ("the 3rd", "in March") is the nearest
  such day to today, ties to the past; with prefer="past" the latest one up to today (a payment already
  made), with prefer="future" the earliest one from today (a moving date).
- A bare weekday ("on Friday") and "last Friday" are the most recent one before today (with
  prefer="future" a bare weekday is the next one after today); "next Friday" the first one after today;
  "this Friday" the one in the current Monday-to-Sunday week.
- "last week" / "this week" / "next week" are Monday-to-Sunday ranges; months and years are whole ranges.
- "since X" is the range from X to today; so is "from X" when X is a dated day ("from the 1st"), while
  "from yesterday" or "from last month" is that day or period alone.
- "between the 1st and 10th November" and "1-10 November" share the second day's month and year.
- "early", "mid" and "late November" are its first, second and last ten days or so; "the first half
  of" and "the second week of November" are what they say; "the past fortnight" is the last 14 days,
  today included.
- "before X" is the year up to the day before X, "until X" the year up to X's end, and "after X" runs from
  the day after X to today.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import ValidationError

from rightfit.core.errors import InvalidInputError
from rightfit.extract.text import NUMBER_WORDS, Normalized, normalize, words_to_int
from rightfit.extract.types import Candidate, DateMatch, DateSpan, Rejected, Scan, friendly

Prefer = Literal["nearest", "past", "future"]

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_WEEKDAYS = {
    "monday": 0, "tuesday": 1, "tues": 1, "wednesday": 2, "weds": 2, "thursday": 3, "thurs": 3, "friday": 4,
    "saturday": 5, "sunday": 6,
}
MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
WEEKDAY = r"(?P<weekday>" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")"
_ORD_NUMBERS = {w: i + 1 for i, w in enumerate((
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth"))}
_ORD_NUMBERS |= {f"twenty{w}": 20 + n for w, n in list(_ORD_NUMBERS.items())[:9]}
_ORD_NUMBERS |= {"thirtieth": 30, "thirtyfirst": 31}
# As written: "twenty-first", "twenty first" and "twentyfirst" alike.
_ORD_WORD = "|".join(re.sub(r"^(twenty|thirty)(?!ieth)", r"\1[- ]?", w)
                     for w in sorted(_ORD_NUMBERS, key=len, reverse=True))
# "17", "17th", "the seventeenth": a day of the month; `_dom` reads either.
_ORD = rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|(?P<dayw>{_ORD_WORD}))"


def _dom(m: re.Match[str]) -> int:
    digits = m.groupdict().get("day")
    return int(digits) if digits else _ORD_NUMBERS[re.sub(r"[- ]", "", m["dayw"])]


_YEAR = r"(?:\s*,?\s*(?P<year>(?:19|20)\d{2}))?"
# Fixed-date UK holidays as (day, month); the phrase is looked up without apostrophes, "years" as "year".
_HOLIDAYS = {"christmas eve": (24, 12), "christmas": (25, 12), "christmas day": (25, 12), "boxing day": (26, 12),
             "new year eve": (31, 12), "new year": (1, 1), "new year day": (1, 1)}
_BAD_NUMERIC = "dates are written day first, like 14/03/2024 for 14 March"


def _day(d: date) -> DateSpan:
    return DateSpan(start=d, end=d)


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def _month_span(year: int, month: int) -> DateSpan:
    return DateSpan(start=date(year, month, 1), end=date(year, month, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, slots=True)
class _When:
    today: date
    prefer: Prefer


def _nearest(options: list[date], w: _When) -> date:
    """The option closest to today (ties go to the past), or the latest past / earliest future one."""
    today = w.today
    if w.prefer == "past" and any(d <= today for d in options):
        return max(d for d in options if d <= today)
    if w.prefer == "future" and any(d >= today for d in options):
        return min(d for d in options if d >= today)
    return min(options, key=lambda d: (abs((d - today).days), d > today))


def _day_month(day: int, month: int, year: int | None, w: _When) -> DateSpan:
    today = w.today
    if year is not None:
        return _day(date(year, month, day))
    options = []
    for y in (today.year - 1, today.year, today.year + 1):
        try:
            options.append(date(y, month, day))
        except ValueError:
            continue
    if not options:
        raise ValueError(f"there is no day {day} in {calendar.month_name[month]}")
    return _day(_nearest(options, w))


def _day_of_month(day: int, month_offset: int | None, w: _When) -> DateSpan:
    """'the 3rd' (nearest), or 'the 1st of next month' (month_offset 1)."""
    today = w.today
    if month_offset is not None:
        base = _add_months(today.replace(day=1), month_offset)
        return _day(base.replace(day=day))
    options = []
    for k in (-1, 0, 1):
        base = _add_months(today.replace(day=1), k)
        if day <= calendar.monthrange(base.year, base.month)[1]:
            options.append(base.replace(day=day))
    if not options:
        raise ValueError(f"there is no day {day} in a month")
    return _day(_nearest(options, w))


def _year(raw: str | None) -> int | None:
    if raw is None:
        return None
    y = int(raw)
    return 2000 + y if y < 100 else y


def _count(raw: str) -> int | None:
    return int(raw) if raw.isdigit() else words_to_int(raw)


def _unit_back(n: int, unit: str, today: date) -> date:
    unit = unit.rstrip("s")
    if unit == "day":
        return today - timedelta(days=n)
    if unit == "week":
        return today - timedelta(weeks=n)
    if unit == "month":
        return _add_months(today, -n)
    return _add_months(today, -12 * n)


def _period(which: str, unit: str, today: date) -> DateSpan:
    k = {"last": -1, "past": -1, "previous": -1, "this": 0, "current": 0, "next": 1, "coming": 1}[which]
    if unit == "week":
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=k)
        return DateSpan(start=monday, end=monday + timedelta(days=6))
    if unit == "weekend":
        saturday = today - timedelta(days=(today.weekday() - 5) % 7)  # the latest Saturday, today included
        if k == 1 or (k == 0 and today.weekday() < 5):
            saturday += timedelta(days=7)
        return DateSpan(start=saturday, end=saturday + timedelta(days=1))
    if unit == "month":
        m = _add_months(today.replace(day=1), k)
        return _month_span(m.year, m.month)
    return DateSpan(start=date(today.year + k, 1, 1), end=date(today.year + k, 12, 31))


def _weekday(which: str | None, weekday: int, w: _When) -> DateSpan:
    today = w.today
    if which == "next" or (which in (None, "on") and w.prefer == "future"):
        return _day(today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1))
    if which == "this":
        return _day(today - timedelta(days=today.weekday()) + timedelta(days=weekday))
    return _day(today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1))


def _numeric(m: re.Match[str], w: _When) -> DateSpan:
    day, month = int(m["d"]), int(m["m"])
    if not 1 <= month <= 12:
        raise ValueError(_BAD_NUMERIC)
    return _day_month(day, month, _year(m["year"]) if "year" in m.groupdict() else None, w)


def _month_in(m: re.Match[str], w: _When) -> DateSpan:
    month = _MONTHS[m["month"]]
    today = w.today
    if w.prefer == "future":
        year = today.year if month >= today.month else today.year + 1
    else:
        year = today.year if month <= today.month else today.year - 1  # "in March": the latest March so far
    return _month_span(year, month)


def _named_day(m: re.Match[str], w: _When) -> DateSpan:
    """"the 17th of November", "November the seventeenth", "17 November 2026": that day."""
    return _day_month(_dom(m), _MONTHS[m["month"]], _year(m["year"]), w)


def _days_of_month(m: re.Match[str], w: _When) -> DateSpan:
    """"between the 1st and 10th November": the first day is in the second's month."""
    end = _named_day(m, w).end
    first = int(m["d1"] or m["d1o"] or m["d1d"])
    if not 1 <= first <= end.day:
        raise ValueError(f"the range must start on a day of {calendar.month_name[end.month]} before the "
                         f"{end.day}, like 1-10 {calendar.month_name[end.month]}")
    return DateSpan(start=end.replace(day=first), end=end)


def _part_of_month(m: re.Match[str], w: _When) -> DateSpan:
    """"early November" is the 1st to the 10th, "mid November" the 11th to the 20th, "late" or "the end of"
    the 21st to the month's last day."""
    month = _month_in(m, w)
    part = re.sub(r"\s+", " ", m["part"])
    first, last = {"early": (1, 10), "mid": (11, 20), "the middle of": (11, 20)}.get(part, (21, month.end.day))
    return DateSpan(start=month.start.replace(day=first), end=month.start.replace(day=last))


def _piece_of_month(m: re.Match[str], w: _When) -> DateSpan:
    """"the first half of November" is the 1st to the 15th, "the second half" the 16th to the end; "the first
    week of November" the 1st to the 7th, the second and third weeks the next sevens, the last week the
    month's last seven days."""
    month = _month_in(m, w)
    end = month.end.day
    which, piece = m["which"], m["piece"]
    if piece == "half":
        first, last = (1, 15) if which == "first" else (16, end)
    else:
        first = {"first": 1, "second": 8, "third": 15}.get(which, end - 6)
        last = first + 6
    return DateSpan(start=month.start.replace(day=first), end=month.start.replace(day=last))


def _ago(m: re.Match[str], w: _When) -> DateSpan:
    n = _count(m["n"])
    if n is None:
        raise ValueError("say how long ago as a number, like 3 days ago")
    return _day(_unit_back(n, m["unit"], w.today))


def _last_n(m: re.Match[str], w: _When) -> DateSpan:
    n = _count(m["n"])
    if n is None or n < 1:
        raise ValueError("say how many days, like the last 7 days")
    start = _unit_back(n, m["unit"], w.today) + timedelta(days=1)
    return DateSpan(start=start, end=w.today)


Resolver = Callable[["re.Match[str]", "_When"], DateSpan]

# Most specific first: a span taken by one pattern is not matched again by a later one.
_RULES: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(r"(?<![\d-])(?P<year>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d-])"),
     lambda m, _t: _day(date(int(m["year"]), int(m["m"]), int(m["d"])))),
    (re.compile(r"(?<![\w£$€¥.,/-])(?P<d>\d{1,2})(?P<sep>[/.])(?P<m>\d{1,2})(?P=sep)(?P<year>\d{4}|\d{2})(?![\w/.-]\d|\d)"),
     _numeric),
    # With dashes only a four-digit year: "12-34-56" is a sort code, not a date.
    (re.compile(r"(?<![\w£$€¥.,/-])(?P<d>\d{1,2})-(?P<m>\d{1,2})-(?P<year>\d{4})(?![\w/.-]\d|\d)"),
     _numeric),
    (re.compile(r"(?<![\w£$€¥.,/-])(?P<d>\d{1,2})/(?P<m>\d{1,2})(?![\w/.-]\d|\d)"),
     _numeric),
    (re.compile(r"\b(?P<hol>christmas\s+eve|christmas(?:\s+day)?|boxing\s+day|new\s+year'?s\s+eve"
                r"|new\s+year'?s(?:\s+day)?)\b"),
     lambda m, w: _day_month(*_HOLIDAYS[re.sub(r"\s+", " ", m["hol"].replace("'", "")).replace("years", "year")],
                             None, w)),
    (re.compile(r"(?:\b(?:between|from)\s+(?:the\s+)?(?P<d1>\d{1,2})(?:st|nd|rd|th)?|\b(?:the\s+)?(?P<d1o>\d{1,2})"
                r"(?:st|nd|rd|th)|(?<![\w£$€¥.,/-])(?P<d1d>\d{1,2}))\s*(?:(?<=\d)-|\s(?:and|to|until|till)\s|\s-\s)\s*"
                rf"(?:the\s+)?{_ORD}(?:\s+of)?\s+{MONTH}(?![a-z]){_YEAR}(?!\d)"),
     _days_of_month),
    # "Tuesday the 17th of November": the weekday names the same day, not another one.
    (re.compile(rf"\b{WEEKDAY},?\s+(?:the\s+)?{_ORD}(?:\s+of)?\s+{MONTH}(?![a-z]){_YEAR}(?!\d)"),
     _named_day),
    (re.compile(rf"\b(?P<part>early|mid|late|the\s+middle\s+of|the\s+end\s+of)[\s-]+{MONTH}(?![a-z])"),
     _part_of_month),
    (re.compile(r"\b(?:the\s+)?(?P<which>first|second|third|last|final|latter)\s+(?P<piece>half|week)\s+of\s+"
                rf"{MONTH}(?![a-z])"),
     _piece_of_month),
    (re.compile(r"\b(?:in\s+|over\s+)?(?:the\s+)?(?:last|past)\s+fortnight\b"),
     lambda _m, w: DateSpan(start=w.today - timedelta(days=13), end=w.today)),
    (re.compile(rf"\b(?:the\s+)?{_ORD}\s+of\s+(?P<which>next|last|this|the)\s+month\b"),
     lambda m, w: _day_of_month(_dom(m), {"next": 1, "last": -1}.get(m["which"], 0), w)),
    (re.compile(rf"\b(?:the\s+)?{_ORD}(?:\s+of)?\s+{MONTH}(?![a-z]){_YEAR}(?!\d)"),
     _named_day),
    (re.compile(rf"\b{MONTH}\s+(?:the\s+)?{_ORD}(?![\d:]|\s*(?:am|pm)\b){_YEAR}(?!\d)"),
     _named_day),
    (re.compile(rf"\b{MONTH}\s+(?P<year>(?:19|20)\d{{2}})\b"),
     lambda m, _t: _month_span(int(m["year"]), _MONTHS[m["month"]])),
    (re.compile(rf"\b(?:the\s+)?(?:start|beginning)\s+of\s+{MONTH}(?![a-z])"),
     lambda m, w: _day(_month_in(m, w).start)),
    (re.compile(rf"\b(?:in|during|since|from|for)\s+{MONTH}(?![a-z])"),
     _month_in),
    # A month named alone ("and november?"), spelled out: "may" and "march" are words first, "jan" a name.
    (re.compile(r"\b(?P<month>january|february|april|june|july|august|september|sept|october|oct|november|nov|"
                r"december|dec)\b"),
     _month_in),
    (re.compile(r"\b(?:the\s+)?day\s+before\s+yesterday\b"), lambda _m, w: _day(w.today - timedelta(days=2))),
    (re.compile(r"\b(?:the\s+)?day\s+after\s+tomorrow\b"), lambda _m, w: _day(w.today + timedelta(days=2))),
    (re.compile(r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b"), lambda _m, w: _day(w.today)),
    (re.compile(r"\b(?:yesterday|last\s+night)\b"), lambda _m, w: _day(w.today - timedelta(days=1))),
    (re.compile(r"\btomorrow\b"), lambda _m, w: _day(w.today + timedelta(days=1))),
    (re.compile(rf"\b(?P<n>\d{{1,3}}|{NUMBER_WORDS})(?:\s+of)?\s+(?P<unit>days?|weeks?|months?|years?)\s+ago\b"),
     _ago),
    (re.compile(rf"\b(?:in\s+|over\s+|during\s+)?(?:the\s+)?(?:last|past)\s+(?P<n>\d{{1,3}}|{NUMBER_WORDS})\s+"
                r"(?P<unit>days?|weeks?|months?)\b"),
     _last_n),
    (re.compile(r"\b(?P<which>last|past|previous|this|current|next|coming)\s+(?P<unit>weekend|week|month|year)\b"),
     lambda m, w: _period(m["which"], m["unit"], w.today)),
    # "the weekend" is the one just gone, or for a future event ("moving at the weekend") the coming one.
    (re.compile(r"\b(?:over\s+|at\s+)?the\s+weekend\b"),
     lambda _m, w: _period("this" if w.prefer == "future" else "last", "weekend", w.today)),
    (re.compile(rf"\b(?:(?P<which>last|this|next|on|past)\s+)?{WEEKDAY}(?:'?s)?\b"),
     lambda m, w: _weekday(m["which"], _WEEKDAYS[m["weekday"]], w)),
    (re.compile(r"\b(?:on\s+)?the\s+(?P<day>\d{1,2})(?:st|nd|rd|th)\b"),
     lambda m, w: _day_of_month(_dom(m), None, w)),
    # In words only after "on the" ("what did I spend on the fourteenth"): "the first one" picks from a list.
    (re.compile(rf"\bon\s+the\s+(?P<dayw>{_ORD_WORD})\b(?!\s+(?:one|payment|card|time|transaction))"),
     lambda m, w: _day_of_month(_dom(m), None, w)),
]
_SINCE = re.compile(r"\b(?P<cue>since|from)\s+$")
# Not after a unit: "a week before 3 March" is a day (see shift_period), not everything before it.
_BOUND = re.compile(r"(?<!days )(?<!day )(?<!weeks )(?<!week )(?<!months )(?<!month )(?<!years )(?<!year )"
                    r"\b(?P<cue>before|until|till|up\s+to|after)\s+(?:the\s+)?$")
_YEAR_BACK = timedelta(days=365)  # how far "before X" reaches: a bank shows about a year of history
# Days named relative to today: "transactions from yesterday" are that day's, unlike "from the 1st".
_NAMED_DAY = re.compile(r"(?:the day before )?yesterday|last night|today|(?:last|this|on|past)\s+\w+day|\w+ days? ago")


def _lower_same_length(text: str) -> str:
    return "".join(c if len(lc := c.lower()) != 1 else lc for c in text)


def scan_dates(text: str, now: datetime, prefer: Prefer = "nearest") -> Scan[DateSpan]:
    """Every date phrase with its resolved day or period; `prefer` picks among the possible years/months of
    a date that omits them ("14 March", "the 3rd", "in March", a bare weekday)."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise InvalidInputError(f"extract: `now` must be a timezone-aware datetime, got {now!r}; "
                                "pass datetime.now(timezone.utc) or the customer's local time with its zone")
    if prefer not in ("nearest", "past", "future"):
        raise InvalidInputError(f"extract: prefer must be 'nearest', 'past' or 'future', got {prefer!r}")
    today = now.date()
    when = _When(today, prefer)
    norm = normalize(text)
    t = _lower_same_length(norm.text)
    taken: list[tuple[int, int]] = []
    spans: list[tuple[int, int, DateSpan]] = []
    rejected: list[tuple[int, Rejected]] = []
    for rx, resolve in _RULES:
        for m in rx.finditer(t):
            s, e = m.start(), m.end()
            if any(s < b and a < e for a, b in taken):
                continue
            taken.append((s, e))
            try:
                spans.append((s, e, resolve(m, when)))
            except (ValueError, ValidationError) as exc:
                rejected.append((s, _rejected(norm, s, e, exc)))
    found: list[tuple[int, Candidate[DateSpan]]] = []
    for start, e, resolved, joined in _join_ranges(t, sorted(spans, key=lambda x: x[0])):
        s, span = start, resolved
        cue = _SINCE.search(t[max(0, s - 12):s])
        # "since last week" runs to today; "from" only does after a dated day ("from the 1st"), since
        # "payments from last month" means within last month and "from yesterday" means yesterday's.
        named = _NAMED_DAY.fullmatch(t[s:e]) is not None
        bound = _BOUND.search(t[max(0, s - 12):s])
        if (cue and not joined and span.start <= today
                and (cue["cue"] == "since" or not (span.is_range or named))):
            span = DateSpan(start=span.start, end=max(span.end, today))
            s = max(0, s - 12) + cue.start()
        elif bound and not joined:
            if bound["cue"] == "after":
                if span.end >= today:  # "after tomorrow": no range up to today
                    bound = None
                else:
                    span = DateSpan(start=span.end + timedelta(days=1), end=today)
            else:
                last = span.start - timedelta(days=1) if bound["cue"] == "before" else span.end
                span = DateSpan(start=last - _YEAR_BACK, end=last)
            if bound:
                s = max(0, s - 12) + bound.start()
        a, b = norm.span(s, e)
        found.append((s, Candidate(span, a, b, norm.original[a:b])))
    found.sort(key=lambda x: x[0])
    rejected.sort(key=lambda x: x[0])
    return Scan(tuple(c for _, c in found), tuple(r for _, r in rejected))


_BETWEEN = re.compile(r"\b(?:between|from)\s+$")
_AND = re.compile(r"\s*(?:and|to|until|till|-)\s*")
_BOTH = re.compile(r"\s*(?:,\s*)?(?:and|&|plus)\s+(?:(?:in|during|for)\s+)?(?:the\s+)?")


def _join_ranges(t: str, spans: list[tuple[int, int, DateSpan]]) -> list[tuple[int, int, DateSpan, bool]]:
    """'between 1 June and 10 June', 'from the 3rd to the 9th': two dates joined into one range."""
    out: list[tuple[int, int, DateSpan, bool]] = []
    i = 0
    while i < len(spans):
        s, e, span = spans[i]
        if i + 1 < len(spans):
            s2, e2, span2 = spans[i + 1]
            cue = _BETWEEN.search(t[max(0, s - 10):s])
            if cue and _AND.fullmatch(t[e:s2]) and span.start <= span2.end:
                out.append((max(0, s - 10) + cue.start(), e2, DateSpan(start=span.start, end=span2.end), True))
                i += 2
                continue
            from_to = re.match(r"(?:from|between)\s", t[s:e]) is not None and _AND.fullmatch(t[e:s2]) is not None
            if span.is_range and span2.is_range and span.start < span2.start and (from_to or (
                    _BOTH.fullmatch(t[e:s2]) and span2.start == span.end + timedelta(days=1))):
                # "in october and november", "from october to december": the one period they make up.
                out.append((s, e2, DateSpan(start=span.start, end=span2.end), True))
                i += 2
                continue
        out.append((s, e, span, False))
        i += 1
    return out


def _rejected(norm: Normalized, s: int, e: int, exc: Exception) -> Rejected:
    a, b = norm.span(s, e)
    reason = friendly(exc)
    if "day is out of range" in reason or "month must be" in reason:
        reason = f"{norm.original[a:b]!r} is not a real date; check the day and month"
    return Rejected(a, b, norm.original[a:b], reason)


def resolve_dates(text: str, now: datetime, prefer: Prefer = "nearest") -> list[DateMatch]:
    """Every date or period in `text`, in reading order, resolved against `now` (timezone-aware)."""
    return [DateMatch(start=c.value.start, end=c.value.end, text=c.text, char_start=c.start, char_end=c.end)
            for c in scan_dates(text, now, prefer).candidates]


_NEXT_TO = re.compile(r"\b(?:(?:the|a|one)\s+)?"
                      r"(?:(?P<unit>day|week|month|year)\s+(?P<dir>before|after|prior|earlier|later)|"
                      r"(?P<dir2>previous|preceding|next|following)\s+(?P<unit2>day|week|month|year)|"
                      r"(?P<dir3>before|after)\s+that)\b", re.IGNORECASE)


def shift_period(text: str, previous: DateSpan, now: datetime) -> DateSpan | None:
    """For a follow-up to a period ("and the week before?", "the following month?", "and before that?"): the
    period of that unit next to `previous`, just before or after it. A calendar month or year steps to the one
    before or after; a day or week is counted in days; "before that" steps back by the length of `previous`
    (a calendar month by a month).
    None when the text names no such period, or names a date of its own ("the week before 3 March")."""
    m = _NEXT_TO.search(text)
    if m is None or any(c.end <= m.start() or c.start >= m.end() for c in scan_dates(text, now).candidates):
        return None
    direction = (m.group("dir") or m.group("dir2") or m.group("dir3")).lower()
    back = direction in ("before", "prior", "earlier", "previous", "preceding")
    unit = (m.group("unit") or m.group("unit2") or "").lower()
    if not unit and previous == _month_span(previous.start.year, previous.start.month):
        unit = "month"  # "November", then "and before that?": October, not the 30 days before
    if unit in ("month", "year"):
        first = previous.start if back else previous.end
        if unit == "year":
            year = first.year + (-1 if back else 1)
            return DateSpan(start=date(year, 1, 1), end=date(year, 12, 31))
        month = _add_months(first.replace(day=1), -1 if back else 1)
        return _month_span(month.year, month.month)
    days = {"day": 1, "week": 7}.get(unit, (previous.end - previous.start).days + 1)
    if back:
        end = previous.start - timedelta(days=1)
        return DateSpan(start=end - timedelta(days=days - 1), end=end)
    start = previous.end + timedelta(days=1)
    return DateSpan(start=start, end=start + timedelta(days=days - 1))
