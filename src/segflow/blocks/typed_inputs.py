"""Inputs for answers of a known shape (a web address, a phone number, a date): the bot asks
again until the answer has that shape, and keeps it in one tidy form."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from phonenumbers import (
    SUPPORTED_REGIONS,
    Leniency,
    PhoneNumberFormat,
    PhoneNumberMatcher,
    format_number,
)
from pydantic import Field, field_validator, model_validator

from segflow.blocks.base import TEMPLATE, BlockOptions, BlockType, Retry, Step
from segflow.blocks.context import BlockContext
from segflow.blocks.inputs import ButtonLabel, Placeholder, VariableName

# A host with a dot (example.com), an optional port and path; the scheme may be left out.
_URL = re.compile(
    r"(?:(?P<scheme>https?)://)?(?P<host>[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}|localhost)"
    r"(?::\d{1,5})?(?P<rest>[/?#]\S*)?",
    re.IGNORECASE,
)
# The countries a phone input may read numbers typed without + for (ISO 3166 codes: FR, US...).
COUNTRIES = frozenset(SUPPORTED_REGIONS)
# What people put between a phone number's digits.
_PHONE_SEPARATORS = re.compile(r"[\s().\-/]")
# A phone number has at most 15 digits (E.164); fewer than 6 is no phone number anywhere.
_PHONE = re.compile(r"\+?\d{6,15}")
# The date formats' parts (Unicode's pattern letters, as Typebot writes them) in Python's words.
_DATE_PARTS = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M"}
_DATE_PART = re.compile("|".join(sorted(_DATE_PARTS, key=len, reverse=True)))
# The answers a date input understands: the browser's date picker's and common typed ones.
_DATE_ANSWERS = ("%Y-%m-%d", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y")
# Dates written in English words: 7 March 2026, March 7, 2026, Mar 7th 2026, with a time or not.
_DATE_IN_WORDS = tuple(
    f"{day}{time}"
    for day in ("%d %B %Y", "%B %d %Y", "%d %b %Y", "%b %d %Y")
    for time in ("", " %H:%M", " at %H:%M")
)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.IGNORECASE)
_RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}


class UrlInput(BlockOptions):
    """Asks for a web address, and asks again until it looks like one."""

    variable: VariableName
    placeholder: Placeholder = ""
    button_label: ButtonLabel = "Send"
    retry_message: str = Field(
        "This URL doesn't seem to be valid. Can you type it again?",
        title="Retry message",
        description="Said when the answer is not a web address.",
        json_schema_extra=TEMPLATE,
    )


class PhoneInput(BlockOptions):
    """Asks for a phone number, and asks again until it looks like one."""

    variable: VariableName
    placeholder: Placeholder = ""
    button_label: ButtonLabel = "Send"
    default_country: str = Field(
        "",
        title="Default country",
        description="A country code such as FR or US: numbers typed without + are read as that "
        "country's, checked against its numbering plan and kept as +33612345678.",
        json_schema_extra={"enum": ["", *sorted(COUNTRIES)]},
    )
    retry_message: str = Field(
        "This phone number doesn't seem to be valid. Can you type it again?",
        title="Retry message",
        description="Said when the answer is not a phone number.",
        json_schema_extra=TEMPLATE,
    )

    @field_validator("default_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if value and value not in COUNTRIES:
            raise ValueError(f'"{value}" is not a country code such as FR or US')
        return value


class DateInput(BlockOptions):
    """Asks for a date (with its time if wanted), within bounds if given."""

    variable: VariableName
    button_label: ButtonLabel = "Send"
    has_time: bool = Field(False, title="With time", description="Ask for the time too.")
    min: date | None = Field(None, title="Earliest date")
    max: date | None = Field(None, title="Latest date")
    format: str = Field(
        "",
        title="Keep as",
        description="How the variable keeps the date, e.g. dd/MM/yyyy or yyyy-MM-dd HH:mm; "
        "empty for yyyy-MM-dd (with HH:mm when the time is asked).",
    )
    retry_message: str = Field(
        "",
        title="Retry message",
        description="Said when the answer is not a date within bounds; "
        "leave empty for one that names the bounds.",
        json_schema_extra=TEMPLATE,
    )

    @field_validator("format")
    @classmethod
    def _format_has_a_date(cls, value: str) -> str:
        if value and not _DATE_PART.search(value):
            raise ValueError(f'"{value}" has none of yyyy, yy, MM, dd, HH, mm')
        return value

    @model_validator(mode="after")
    def _bounds_in_order(self) -> DateInput:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"Earliest date ({self.min}) is after Latest date ({self.max})")
        return self


def answer_url(options: UrlInput, answer: str, chat: BlockContext) -> Step | Retry:
    found = _URL.fullmatch(answer.strip())
    if found is None:
        return Retry(options.retry_message)
    url = found.group(0)
    chat.set_variable(options.variable, url if found["scheme"] else f"https://{url}")
    return None


def answer_phone(options: PhoneInput, answer: str, chat: BlockContext) -> Step | Retry:
    if options.default_country or chat.semantics == "typebot":
        # As Typebot: the first number of the answer that the country's plan allows.
        found = PhoneNumberMatcher(answer, options.default_country or None, Leniency.VALID)
        numbers = [format_number(match.number, PhoneNumberFormat.E164) for match in found]
        if not numbers:
            return Retry(options.retry_message)
        chat.set_variable(options.variable, numbers[0])
        return None
    number = _PHONE_SEPARATORS.sub("", answer.strip())
    if number.startswith("00"):  # the international prefix typed the old way
        number = "+" + number[2:]
    if not _PHONE.fullmatch(number):
        return Retry(options.retry_message)
    chat.set_variable(options.variable, number)
    return None


def answer_date(options: DateInput, answer: str, chat: BlockContext) -> Step | Retry:
    when = _parse_date(answer.strip(), month_first=options.format.startswith("MM"))
    too_early = options.min is not None and when is not None and when.date() < options.min
    too_late = options.max is not None and when is not None and when.date() > options.max
    if when is None or too_early or too_late:
        return Retry(options.retry_message or _date_wanted(options))
    chat.set_variable(options.variable, when.strftime(_strftime(options)))
    return None


def _parse_date(text: str, *, month_first: bool) -> datetime | None:
    """The date of an answer: what a date picker sends (ISO), a date in figures (day first,
    or month first when the date is kept month first, as Typebot reads them), one in English
    words, or today, tomorrow, yesterday."""
    relative = _RELATIVE_DAYS.get(text.casefold())
    if relative is not None:
        return datetime.combine(date.today() + timedelta(days=relative), datetime.min.time())
    words = _ORDINAL.sub("", text.replace(",", " "))
    words = " ".join(words.split())
    slashed = "%m/%d/%Y" if month_first else "%d/%m/%Y"
    for pattern, answer in (
        *((pattern, text) for pattern in (*_DATE_ANSWERS, slashed, f"{slashed} %H:%M")),
        *((pattern, words) for pattern in _DATE_IN_WORDS),
    ):
        try:
            return datetime.strptime(answer, pattern)
        except ValueError:
            continue
    return None


def _strftime(options: DateInput) -> str:
    wanted = options.format or ("yyyy-MM-dd HH:mm" if options.has_time else "yyyy-MM-dd")
    escaped = wanted.replace("%", "%%")
    return _DATE_PART.sub(lambda part: _DATE_PARTS[part.group(0)], escaped)


def _date_wanted(options: DateInput) -> str:
    if options.min is not None and options.max is not None:
        return f"Please enter a date between {options.min} and {options.max}."
    if options.min is not None:
        return f"Please enter a date on or after {options.min}."
    if options.max is not None:
        return f"Please enter a date on or before {options.max}."
    return "Please enter a date, e.g. 2025-12-31."


URL_INPUT = BlockType(
    name="urlInput", title="Website input", category="input", options=UrlInput, answer=answer_url
)
PHONE_INPUT = BlockType(
    name="phoneInput",
    title="Phone number input",
    category="input",
    options=PhoneInput,
    answer=answer_phone,
)
DATE_INPUT = BlockType(
    name="dateInput", title="Date input", category="input", options=DateInput, answer=answer_date
)


class RatingInput(BlockOptions):
    """Asks for a rating: a whole number from the lowest to the highest, drawn as buttons."""

    variable: VariableName
    lowest: int = Field(0, title="Lowest", ge=0, description="The first button's number.")
    highest: int = Field(10, title="Highest", le=100, description="The last button's number.")
    icons: bool = Field(False, title="Stars", description="Draw stars instead of numbers.")
    low_label: str = Field("", title="Low label", description="Shown by the lowest.")
    high_label: str = Field("", title="High label", description="Shown by the highest.")
    button_label: ButtonLabel = "Send"
    retry_message: str = Field(
        "",
        title="Retry message",
        description="Said when the answer is not a rating; leave empty for one naming the range.",
        json_schema_extra=TEMPLATE,
    )

    @model_validator(mode="after")
    def _range_in_order(self) -> RatingInput:
        if self.lowest >= self.highest:
            raise ValueError(f"Lowest ({self.lowest}) is not below Highest ({self.highest})")
        return self


def answer_rating(options: RatingInput, answer: str, chat: BlockContext) -> Step | Retry:
    text = answer.strip()
    rating = int(text) if text.isdecimal() else None
    if rating is None or not options.lowest <= rating <= options.highest:
        wanted = f"Please pick a rating from {options.lowest} to {options.highest}."
        return Retry(options.retry_message or wanted)
    chat.set_variable(options.variable, rating)
    return None


RATING_INPUT = BlockType(
    name="ratingInput",
    title="Rating input",
    category="input",
    options=RatingInput,
    answer=answer_rating,
)
