"""Dates, deadlines and case states as a Beijing operator would say them, in zh or en."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

try:  # Beijing time; a fixed +08:00 is exact (no daylight saving) if tzdata is missing.
    from zoneinfo import ZoneInfo

    BEIJING = ZoneInfo("Asia/Shanghai")
except Exception:  # noqa: BLE001
    BEIJING = timezone(timedelta(hours=8))  # type: ignore[assignment]

_WEEKDAYS_ZH = "一二三四五六日"
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")

STAGES = {
    "received": ("已受理", "received"),
    "dispatched": ("已派单至承办部门", "passed to the responsible department"),
    "in_progress": ("办理中", "being handled"),
    "resolved": ("已办结", "resolved"),
    "closed": ("已结案", "closed"),
    "open": ("办理中", "open"),
}


def to_beijing(value: datetime | date | str | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=BEIJING)
    if value.tzinfo is None:
        value = value.replace(tzinfo=BEIJING)
    return value.astimezone(BEIJING)


def format_date(value: datetime | date | str | None, language: str, with_time: bool = False) -> str:
    """"2026年12月7日（周一）" / "Monday, 7 December 2026" (optionally with the time)."""
    moment = to_beijing(value)
    if moment is None:
        return ""
    if language == "en":
        text = f"{_WEEKDAYS_EN[moment.weekday()]}, {moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"
        return f"{text}, {moment:%H:%M}" if with_time else text
    text = f"{moment.year}年{moment.month}月{moment.day}日（周{_WEEKDAYS_ZH[moment.weekday()]}）"
    return f"{text}{moment:%H:%M}" if with_time else text


def format_short_date(value: datetime | date | str | None, language: str) -> str:
    moment = to_beijing(value)
    if moment is None:
        return ""
    if language == "en":
        return f"{moment.day} {_MONTHS_EN[moment.month - 1][:3]} {moment.year}"
    return f"{moment.year}-{moment.month:02d}-{moment.day:02d}"


def stage_label(stage: str | None, status: str | None, language: str) -> str:
    key = stage or status or "received"
    zh, en = STAGES.get(key, (key, key.replace("_", " ")))
    return en if language == "en" else zh


def unknown(language: str) -> str:
    return "to be confirmed" if language == "en" else "待确定"
