"""Inputs: the bot waits for the person's answer, checks it, and stores it in a variable."""

from __future__ import annotations

import re
from typing import Annotated

import regex
from pydantic import Field, model_validator

from segflow.blocks.base import (
    TEMPLATE,
    VARIABLE,
    BlockOptions,
    BlockType,
    Exit,
    NextExit,
    Retry,
    Step,
)
from segflow.blocks.context import BlockContext
from segflow.segment import parse_number

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
_NOT_A_WORD = r"[^\p{L}\p{N}\p{M}]"  # what stands between words, in any script

VariableName = Annotated[
    str,
    Field(
        title="Save the answer in",
        description="The variable that keeps the answer.",
        min_length=1,
        json_schema_extra=VARIABLE,
    ),
]
Placeholder = Annotated[
    str,
    Field(
        title="Placeholder",
        description="Shown in the empty answer box.",
        json_schema_extra=TEMPLATE,
    ),
]
ButtonLabel = Annotated[str, Field(title="Button label", json_schema_extra=TEMPLATE)]


class TextInput(BlockOptions):
    """Asks for any text."""

    variable: VariableName
    placeholder: Placeholder = ""
    button_label: ButtonLabel = "Send"
    long: bool = Field(False, title="Long answer", description="A box of several lines.")


class EmailInput(BlockOptions):
    """Asks for an email address, and asks again until it looks like one."""

    variable: VariableName
    placeholder: Placeholder = ""
    button_label: ButtonLabel = "Send"
    retry_message: str = Field(
        "This email doesn't seem to be valid. Can you type it again?",
        title="Retry message",
        description="Said when the answer is not an email address.",
        json_schema_extra=TEMPLATE,
    )


class NumberInput(BlockOptions):
    """Asks for a number, within bounds if given; the variable keeps it as a number."""

    variable: VariableName
    placeholder: Placeholder = ""
    button_label: ButtonLabel = "Send"
    min: float | None = Field(None, title="Minimum")
    max: float | None = Field(None, title="Maximum")
    step: float | None = Field(
        None, title="Step", gt=0, description="How much the number changes per click."
    )
    retry_message: str = Field(
        "",
        title="Retry message",
        description="Said when the answer is not a number within bounds; "
        "leave empty for one that names the bounds.",
        json_schema_extra=TEMPLATE,
    )

    @model_validator(mode="after")
    def _bounds_in_order(self) -> NumberInput:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"Minimum ({self.min:g}) is greater than Maximum ({self.max:g})")
        return self


class ChoiceItem(BlockOptions):
    """One button the person can pick."""

    id: str = Field(min_length=1, title="ID")
    label: str = Field(min_length=1, title="Label", json_schema_extra=TEMPLATE)
    value: str = Field(
        "",
        title="Value",
        description="What the variable keeps when this is picked; the label if empty.",
    )
    picture: str = Field(
        "",
        title="Picture",
        description="The web address of a picture shown on the button, the label under it.",
        json_schema_extra=TEMPLATE,
    )
    next: NextExit = None

    @property
    def stored_value(self) -> str:
        return self.value or self.label


class ChoiceInput(BlockOptions):
    """Offers buttons; each one may lead to its own group."""

    variable: str = Field(
        "",
        title="Save the answer in",
        description="The variable that keeps the picked item's value (optional).",
        json_schema_extra=VARIABLE,
    )
    items: list[ChoiceItem] = Field(min_length=1, title="Buttons")
    multiple: bool = Field(
        False,
        title="Several answers",
        description="People may pick several buttons; the variable keeps their values joined "
        "by commas, and the chat follows the block's own exit.",
    )
    retry_message: str = Field(
        "Please pick one of the options.",
        title="Retry message",
        description="Said when the answer matches no button.",
        json_schema_extra=TEMPLATE,
    )

    @model_validator(mode="after")
    def _ids_unique(self) -> ChoiceInput:
        ids = [item.id for item in self.items]
        if twice := sorted({item for item in ids if ids.count(item) > 1}):
            raise ValueError(f"Buttons: the ID {', '.join(map(repr, twice))} is used twice")
        if self.multiple and (leading := [item.label for item in self.items if item.next]):
            raise ValueError(
                f"Buttons: with several answers the chat follows the block's own exit, so "
                f"{', '.join(map(repr, leading))} cannot lead to a group of its own"
            )
        return self

    def exits(self) -> list[tuple[str, Exit]]:
        return [(f'button "{item.label}"', item.next) for item in self.items if item.next]

    def match(self, answer: str) -> ChoiceItem | None:
        """The button an answer picks: by ID, then value, then label, ignoring case."""
        wanted = answer.strip().casefold()
        for key in ("id", "value", "label"):
            for item in self.items:
                if getattr(item, key) and getattr(item, key).casefold() == wanted:
                    return item
        return None


def answer_text(options: TextInput, answer: str, chat: BlockContext) -> Step | Retry:
    chat.set_variable(options.variable, answer.strip())
    return None


def answer_email(options: EmailInput, answer: str, chat: BlockContext) -> Step | Retry:
    email = answer.strip()
    if not _EMAIL.fullmatch(email):
        return Retry(options.retry_message)
    if chat.semantics == "typebot":  # Typebot keeps addresses in lower case
        email = email.lower()
    chat.set_variable(options.variable, email)
    return None


def answer_number(options: NumberInput, answer: str, chat: BlockContext) -> Step | Retry:
    text = answer.strip()
    if "," in text and "." not in text:  # a decimal comma: 2,5
        text = text.replace(",", ".")
    number = parse_number(text)
    too_small = options.min is not None and number is not None and number < options.min
    too_big = options.max is not None and number is not None and number > options.max
    if number is None or too_small or too_big:
        return Retry(options.retry_message or _number_wanted(options))
    chat.set_variable(options.variable, number)
    return None


def answer_choice(options: ChoiceInput, answer: str, chat: BlockContext) -> Step | Retry:
    if options.multiple:
        return _answer_choices(options, answer, chat)
    item = options.match(answer)
    if item is None:
        return Retry(options.retry_message)
    if options.variable:
        chat.set_variable(options.variable, item.stored_value)
    return item.next


def _answer_choices(options: ChoiceInput, answer: str, chat: BlockContext) -> Step | Retry:
    if chat.semantics == "typebot":
        picked = _typebot_picks(options.items, answer)
    else:
        # A whole answer may be one label with a comma in it; otherwise each part is one pick.
        single = options.match(answer)
        picked = [single] if single else [options.match(part) for part in answer.split(",")]
    if not picked or any(item is None for item in picked):
        return Retry(options.retry_message)
    if options.variable:
        chosen = {item.id for item in picked if item}
        values = [item.stored_value for item in options.items if item.id in chosen]
        chat.set_variable(options.variable, ", ".join(values))
    return None


def _typebot_picks(items: list[ChoiceItem], answer: str) -> list[ChoiceItem | None]:
    """The buttons an answer names, as Typebot finds them: each button's ID, value, label or
    number (1 for the first) anywhere in the answer as whole words, in any case; "Red, Blue"
    (what Typebot's chat window sends), "red and blue" and "1 3" all pick two."""
    rest = answer
    picked: list[ChoiceItem] = []
    longest_first = sorted(items, key=lambda item: len(item.label), reverse=True)
    for key in ("id", "value", "label"):
        for item in longest_first:
            phrase = getattr(item, key)
            if item not in picked and phrase and _names(rest, phrase):
                rest = rest.replace(phrase, "", 1).strip()
                picked.append(item)
    for number, item in enumerate(items, start=1):
        if item not in picked and _names(rest, str(number)):
            rest = rest.replace(str(number), "", 1).strip()
            picked.append(item)
    return [item for item in items if item in picked]


def _names(text: str, phrase: str) -> bool:
    """Whether `phrase` is in `text` as whole words (spaces between them may differ)."""
    words = [regex.escape(word) for word in phrase.split()]
    if not words:
        return False
    inner = r"\s+".join(words)
    pattern = rf"(?:^|{_NOT_A_WORD}){inner}(?=$|{_NOT_A_WORD})"
    return regex.search(pattern, text, regex.IGNORECASE) is not None


def _number_wanted(options: NumberInput) -> str:
    if options.min is not None and options.max is not None:
        return f"Please enter a number between {options.min:g} and {options.max:g}."
    if options.min is not None:
        return f"Please enter a number of at least {options.min:g}."
    if options.max is not None:
        return f"Please enter a number of at most {options.max:g}."
    return "Please enter a number."


TEXT_INPUT = BlockType(
    name="textInput", title="Text input", category="input", options=TextInput, answer=answer_text
)
EMAIL_INPUT = BlockType(
    name="emailInput",
    title="Email input",
    category="input",
    options=EmailInput,
    answer=answer_email,
)
NUMBER_INPUT = BlockType(
    name="numberInput",
    title="Number input",
    category="input",
    options=NumberInput,
    answer=answer_number,
)
CHOICE_INPUT = BlockType(
    name="choiceInput",
    title="Buttons",
    category="input",
    options=ChoiceInput,
    answer=answer_choice,
)
