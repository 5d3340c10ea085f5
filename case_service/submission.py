"""Validation of a new service request (``POST requests.json``) into a ``NewCase``.

All checks run before any database work and every problem is reported at
once (one Open311 error entry per problem), so a rejected request never
touches the database.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Callable, Optional, TypeVar
from urllib.parse import urlsplit

from .catalog import Catalog, Division, Service
from .errors import BadRequest, ClientError
from .forms import Form
from .workflow import APPEAL_TYPES, CHANNELS, LANGUAGES

MAX_DESCRIPTION = 4000
MAX_MEDIA_URLS = 10
MAX_URL = 2000

STANDARD_FIELDS = frozenset(
    {
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string",
        "address_id", "email", "device_id", "account_id", "first_name", "last_name",
        "phone", "description", "media_url",
    }
)
EXTENSION_FIELDS = frozenset(
    {
        "x12345_appeal_type", "x12345_level1", "x12345_level2", "x12345_district_code",
        "x12345_subdistrict_code", "x12345_contact_name", "x12345_anonymous", "x12345_channel",
        "x12345_language", "x12345_conversation_id", "x12345_occurred_at", "x12345_media_url",
    }
)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARS = re.compile(r"^\+?[0-9][0-9 ()\-]*$")

T = TypeVar("T")


@dataclass(frozen=True)
class NewCase:
    """A validated submission, ready to be stored."""

    service: Service
    level1: str
    level2: Optional[str] = None
    description: Optional[str] = None
    lat: Optional[float] = None
    long: Optional[float] = None
    address_string: Optional[str] = None
    address_id: Optional[str] = None
    email: Optional[str] = None
    first_name: Optional[str] = None
    last_name: Optional[str] = None
    phone: Optional[str] = None
    phone_key: Optional[str] = None
    media_url: Optional[str] = None
    attributes: dict[str, str] = field(default_factory=dict)
    appeal_type: Optional[str] = None
    district: Optional[Division] = None
    subdistrict: Optional[Division] = None
    contact_name: Optional[str] = None
    anonymous: bool = False
    channel: Optional[str] = None
    language: str = "zh"
    conversation_id: Optional[str] = None
    occurred_at: Optional[str] = None
    media_urls: tuple[str, ...] = ()


def normalize_phone(raw: str) -> tuple[str, str]:
    """``(stored form, search key)``: separators dropped; the key also drops a
    ``+86``/``0086`` (or bare ``86`` before a mobile number) country prefix so
    every spelling finds the same cases."""
    text = raw.strip()
    if not _PHONE_CHARS.match(text):
        raise ValueError("phone may contain only digits, spaces, ()- and a leading +")
    digits = re.sub(r"\D", "", text)
    if not 3 <= len(digits) <= 20:
        raise ValueError("phone must have 3 to 20 digits")
    stored = ("+" if text.startswith("+") else "") + digits
    key = digits
    if text.startswith("+86") or text.startswith("0086"):
        key = digits[2:] if text.startswith("+") else digits[4:]
    elif len(digits) == 13 and digits.startswith("861"):  # 86 + an 11-digit mobile number
        key = digits[2:]
    return stored, key or digits


def check_url(value: str) -> str:
    """Absolute http(s) URL of sensible length."""
    if len(value) > MAX_URL:
        raise ValueError(f"URL longer than {MAX_URL} characters")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in value:
        raise ValueError("must be an absolute http(s) URL")
    return value


class _Checker:
    """Collects validation messages instead of stopping at the first one."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.errors: list[str] = []

    def text(self, name: str, limit: int) -> Optional[str]:
        try:
            value = self.form.one(name)
        except ClientError as error:
            self.errors.extend(error.messages)
            return None
        if value is not None and len(value) > limit:
            self.errors.append(f"{name} is longer than {limit} characters")
            return None
        return value

    def convert(self, name: str, limit: int, convert: Callable[[str], T]) -> Optional[T]:
        value = self.text(name, limit)
        if value is None:
            return None
        try:
            return convert(value)
        except ValueError as error:
            self.errors.append(f"{name}: {error}")
            return None

    def choice(self, name: str, choices: tuple[str, ...]) -> Optional[str]:
        value = self.text(name, 50)
        if value is not None and value not in choices:
            self.errors.append(f"{name} must be one of {', '.join(choices)}")
            return None
        return value


def _coordinate(limit: float) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            number = float(text)
        except ValueError:
            raise ValueError("not a number") from None
        if not math.isfinite(number) or not -limit <= number <= limit:
            raise ValueError(f"must be between -{limit:g} and {limit:g}")
        return number

    return convert


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError("must be true or false")
    return lowered == "true"


def _email(text: str) -> str:
    if not _EMAIL.match(text):
        raise ValueError("not an e-mail address")
    return text


def _attributes(check: _Checker, service: Service) -> dict[str, str]:
    values: dict[str, str] = {}
    for name in check.form.names():
        match = _ATTRIBUTE.match(name)
        if not match:
            continue
        code, multi = match.group(1), match.group(2)
        attribute = service.attribute(code)
        if attribute is None:
            check.errors.append(f"service {service.code} has no attribute {code!r}")
            continue
        given = [v.strip() for v in check.form.many(name) if v.strip()]
        if multi or len(given) > 1:
            check.errors.append(f"attribute {code!r} takes a single value")
            continue
        if not given:
            continue
        if given[0] not in attribute.values:
            check.errors.append(f"attribute {code!r}: {given[0]!r} is not one of its values")
            continue
        values[code] = given[0]
    for attribute in service.attributes:
        if attribute.required and attribute.code not in values:
            check.errors.append(f"attribute {attribute.code!r} is required")
    return values


def _categories(
    check: _Checker, catalog: Catalog, service: Service, attributes: dict[str, str]
) -> Optional[str]:
    """Check ``x12345_level1``/``x12345_level2`` against the service; return level 2."""
    level1 = check.text("x12345_level1", 100)
    if level1 is not None and level1 != service.level1:
        check.errors.append(f"x12345_level1 {level1!r} does not match service {service.code}")
    level2 = check.text("x12345_level2", 100)
    if not service.is_general:
        if level2 is not None and level2 != service.level2:
            check.errors.append(f"x12345_level2 {level2!r} does not match service {service.code}")
        return service.level2
    from_attribute = attributes.get("level2")
    if level2 is not None and from_attribute is not None and level2 != from_attribute:
        check.errors.append("x12345_level2 and attribute[level2] disagree")
    level2 = level2 or from_attribute
    if level2 is not None and level2 not in catalog.level2_names(service.level1):
        check.errors.append(f"x12345_level2 {level2!r} is not a category of {service.level1}")
        return None
    return level2


def _divisions(check: _Checker, catalog: Catalog) -> tuple[Optional[Division], Optional[Division]]:
    district_code = check.text("x12345_district_code", 12)
    subdistrict_code = check.text("x12345_subdistrict_code", 12)
    district = catalog.district(district_code) if district_code else None
    subdistrict = catalog.subdistrict(subdistrict_code) if subdistrict_code else None
    if district_code and district is None:
        check.errors.append(f"unknown x12345_district_code {district_code!r}")
    if subdistrict_code and subdistrict is None:
        check.errors.append(f"unknown x12345_subdistrict_code {subdistrict_code!r}")
    if subdistrict is not None:
        if district is None and not district_code:
            district = catalog.district(subdistrict.parent_code)
        elif district is not None and subdistrict.parent_code != district.code:
            check.errors.append("x12345_subdistrict_code is not in x12345_district_code")
    return district, subdistrict


def parse_new_case(form: Form, catalog: Catalog) -> NewCase:
    """Validate a POST form; raise ``BadRequest`` listing every problem."""
    check = _Checker(form)
    unknown = [n for n in form.names() if n.startswith("x12345_") and n not in EXTENSION_FIELDS]
    check.errors.extend(f"unknown extension field {name!r}" for name in unknown)

    before = len(check.errors)
    code = check.text("service_code", 8)
    service = catalog.service(code) if code else None
    if code is None and len(check.errors) == before:
        check.errors.append("service_code is required")
    elif code is not None and service is None:
        check.errors.append(f"unknown service_code {code!r}")

    before = len(check.errors)
    lat = check.convert("lat", 40, _coordinate(90.0))
    long = check.convert("long", 40, _coordinate(180.0))
    raw_lat, raw_long = form.many("lat"), form.many("long")
    if bool(raw_lat and raw_lat[0].strip()) != bool(raw_long and raw_long[0].strip()):
        check.errors.append("lat and long must be given together")
    address_string = check.text("address_string", 500)
    address_id = check.text("address_id", 100)
    if (lat is None or long is None) and address_string is None and address_id is None:
        if len(check.errors) == before:
            check.errors.append("a location is required: lat and long, address_string or address_id")

    description = check.text("description", MAX_DESCRIPTION)
    email = check.convert("email", 254, _email)
    phone_pair = check.convert("phone", 40, normalize_phone)
    media_url = check.convert("media_url", MAX_URL, check_url)
    first_name = check.text("first_name", 100)
    last_name = check.text("last_name", 100)

    appeal_type = check.choice("x12345_appeal_type", APPEAL_TYPES)
    district, subdistrict = _divisions(check, catalog)
    contact_name = check.text("x12345_contact_name", 100)
    anonymous = check.convert("x12345_anonymous", 10, _boolean)
    channel = check.choice("x12345_channel", CHANNELS)
    language = check.choice("x12345_language", LANGUAGES)
    conversation_id = check.text("x12345_conversation_id", 200)
    occurred_at = check.text("x12345_occurred_at", 200)
    media_urls: list[str] = []
    extra_media = [v.strip() for v in form.many("x12345_media_url") if v.strip()]
    if len(extra_media) > MAX_MEDIA_URLS:
        check.errors.append(f"at most {MAX_MEDIA_URLS} x12345_media_url values")
    for value in extra_media[:MAX_MEDIA_URLS]:
        try:
            media_urls.append(check_url(value))
        except ValueError as error:
            check.errors.append(f"x12345_media_url: {error}")

    attributes: dict[str, str] = {}
    level2: Optional[str] = None
    if service is not None:
        attributes = _attributes(check, service)
        level2 = _categories(check, catalog, service, attributes)

    if check.errors or service is None:
        raise BadRequest.collect(check.errors)
    return NewCase(
        service=service,
        level1=service.level1,
        level2=level2,
        description=description,
        lat=lat if long is not None else None,
        long=long if lat is not None else None,
        address_string=address_string,
        address_id=address_id,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone_pair[0] if phone_pair else None,
        phone_key=phone_pair[1] if phone_pair else None,
        media_url=media_url,
        attributes=attributes,
        appeal_type=appeal_type,
        district=district,
        subdistrict=subdistrict,
        contact_name=contact_name,
        anonymous=bool(anonymous),
        channel=channel,
        language=language or "zh",
        conversation_id=conversation_id,
        occurred_at=occurred_at,
        media_urls=tuple(media_urls),
    )
