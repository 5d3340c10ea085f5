"""The work-order lifecycle: stages, service levels, departments and notices.

Only rules live here (no I/O), so the HTTP handlers and the CLI apply the same
ones. Stages only move forward (repeating a stage adds a progress note); the
Open311 ``status`` is ``closed`` exactly at the ``closed`` stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from . import clock
from .errors import BadRequest

STAGES: tuple[str, ...] = ("received", "dispatched", "in_progress", "resolved", "closed")
INITIAL_STAGE = "received"

SERVICE_LEVEL_DAYS: dict[str, int] = {"咨询": 1, "求助": 3, "投诉": 7, "举报": 15, "建议": 15}
"""Days until ``expected_datetime`` per appeal type (contract)."""
DEFAULT_SERVICE_LEVEL_DAYS = 7
"""When no appeal type is given (plain Open311 clients): treated like a complaint."""

APPEAL_TYPES: tuple[str, ...] = tuple(SERVICE_LEVEL_DAYS)
CHANNELS: tuple[str, ...] = ("web", "telegram", "voice", "rest", "operator")
LANGUAGES: tuple[str, ...] = ("zh", "en")

CITY = "北京市"
HOTLINE_DEPARTMENT = "12345市民服务热线"

_BUREAUS: dict[str, str] = {
    "城乡建设": "住房和城乡建设委员会",
    "党务政务": "政务服务管理局",
    "国土资源": "规划和自然资源委员会",
    "环境保护": "生态环境局",
    "纪检监察": "纪律检查委员会",
    "交通运输": "交通委员会",
    "经济管理": "发展和改革委员会",
    "科技与信息产业": "科学技术和信息化局",
    "民政": "民政局",
    "农村农业": "农业农村局",
    "商贸旅游": "商务局",
    "卫生计生": "卫生健康委员会",
    "政法": "司法局",
    "教育文体": "教育委员会",
    "劳动和社会保障": "人力资源和社会保障局",
}


def status_for(stage: str) -> str:
    """Open311 status of a stage."""
    return "closed" if stage == "closed" else "open"


def service_level_days(appeal_type: Optional[str]) -> int:
    return SERVICE_LEVEL_DAYS.get(appeal_type or "", DEFAULT_SERVICE_LEVEL_DAYS)


def expected_at(requested_at: datetime, appeal_type: Optional[str]) -> datetime:
    """Deadline: request time + the appeal type's service level."""
    return requested_at + timedelta(days=service_level_days(appeal_type))


def department_for(level1: str, district_name: Optional[str]) -> str:
    """A plausible handling department: the district's (or the city's) bureau
    for the level-1 category, e.g. ``朝阳区生态环境局``."""
    bureau = _BUREAUS.get(level1)
    if bureau is None:
        return f"{district_name}人民政府" if district_name else HOTLINE_DEPARTMENT
    return f"{district_name or CITY}{bureau}"


def check_transition(current: str, new: str) -> None:
    """Refuse unknown stages and moves backwards."""
    if new not in STAGES:
        raise BadRequest(f"stage must be one of {', '.join(STAGES)}")
    if STAGES.index(new) < STAGES.index(current):
        raise BadRequest(f"a case at stage {current!r} cannot go back to {new!r}")


def initial_note(language: str) -> str:
    return "Case received" if language == "en" else "工单已受理"


def service_notice(case_number: str, department: str, deadline: datetime, language: str) -> str:
    """The notice returned on POST and shown to the citizen."""
    when = deadline.astimezone(clock.SERVICE_TZ).strftime("%Y-%m-%d %H:%M")
    if language == "en":
        return (
            f"Your request has been received as case {case_number}. "
            f"It will be handled by {department}; expect a reply by {when} (Beijing time)."
        )
    return f"您的诉求已受理，工单号 {case_number}，由{department}办理，预计 {when} 前答复。"
