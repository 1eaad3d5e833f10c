import pytest

from segflow.errors import SegmentActionError
from segflow.segment.values import KeyValue, ValueType, build_object


def build(*pairs: KeyValue, **variables: object) -> dict[str, object]:
    return build_object(pairs, variables, action="Track Event", field="Properties")


def refusal(*pairs: KeyValue, **variables: object) -> str:
    with pytest.raises(SegmentActionError) as caught:
        build(*pairs, **variables)
    return str(caught.value)


def test_text_values_and_keys_are_filled_in() -> None:
    pairs = (KeyValue(key="{{field}}", value="{{plan}} plan"), KeyValue(key="source", value="bot"))
    assert build(*pairs, field="plan", plan="pro") == {"plan": "pro plan", "source": "bot"}


@pytest.mark.parametrize(
    ("text", "number"),
    [("42", 42), ("-7", -7), ("9.5", 9.5), ("2.0", 2), ("1e3", 1000), (" 0.25 ", 0.25)],
)
def test_number_values_are_integers_when_integral_else_floats(text: str, number: float) -> None:
    result = build(KeyValue(key="price", value=text, type=ValueType.NUMBER))
    assert result == {"price": number}
    assert type(result["price"]) is type(number)


def test_a_number_that_is_not_a_number_is_refused_with_the_key_and_text() -> None:
    pair = KeyValue(key="price", value="abc", type=ValueType.NUMBER)
    assert refusal(pair) == 'Track Event: Properties "price" is not a number: "abc"'


def test_a_refused_value_names_the_template_it_was_filled_in_from() -> None:
    pair = KeyValue(key="price", value="{{price}}", type=ValueType.NUMBER)
    assert refusal(pair, price="ten") == (
        'Track Event: Properties "price" is not a number: "ten" (filled in from "{{price}}")'
    )


@pytest.mark.parametrize(
    ("text", "boolean"),
    [
        *[("true", True), ("TRUE", True), ("Yes", True), ("1", True)],
        *[("false", False), ("no", False), ("0", False), (" False ", False)],
    ],
)
def test_boolean_values_accept_true_false_yes_no_1_0_in_any_case(text: str, boolean: bool) -> None:
    assert build(KeyValue(key="subscribed", value=text, type=ValueType.BOOLEAN)) == {
        "subscribed": boolean
    }


def test_a_boolean_that_is_not_a_boolean_is_refused() -> None:
    pair = KeyValue(key="subscribed", value="maybe", type=ValueType.BOOLEAN)
    assert refusal(pair) == (
        'Track Event: Properties "subscribed" is not a boolean (true/false, yes/no, 1/0): "maybe"'
    )


def test_json_values_are_parsed_after_filling_in() -> None:
    pair = KeyValue(key="cart", value='{"items": {{items}}, "total": 12}', type=ValueType.JSON)
    assert build(pair, items=["tea", "cake"]) == {"cart": {"items": ["tea", "cake"], "total": 12}}


def test_invalid_json_is_refused_with_the_json_problem() -> None:
    message = refusal(KeyValue(key="cart", value="{items: 1}", type=ValueType.JSON))
    assert message.startswith('Track Event: Properties "cart" is not valid JSON (')
    assert "line 1 column 2" in message
    assert message.endswith('): "{items: 1}"')


@pytest.mark.parametrize("reference", ["cart", "{{cart}}", " {{ cart }} "])
def test_variable_values_are_the_variables_own_value_of_any_type(reference: str) -> None:
    cart = {"items": ["tea"], "total": 3.5}
    pair = KeyValue(key="cart", value=reference, type=ValueType.VARIABLE)
    assert build(pair, cart=cart) == {"cart": cart}


def test_a_missing_variable_value_is_null() -> None:
    assert build(KeyValue(key="cart", value="cart", type=ValueType.VARIABLE)) == {"cart": None}


def test_dotted_keys_build_nested_objects() -> None:
    pairs = (
        KeyValue(key="address.city", value="Paris"),
        KeyValue(key="address.geo.lat", value="48.85", type=ValueType.NUMBER),
        KeyValue(key="name", value="Ada"),
    )
    assert build(*pairs) == {"address": {"city": "Paris", "geo": {"lat": 48.85}}, "name": "Ada"}


def test_a_dotted_or_templated_key_whose_value_is_refused_is_named_as_filled_in() -> None:
    lat = KeyValue(key="address.geo.lat", value="{{lat}}", type=ValueType.NUMBER)
    assert refusal(lat, lat="north") == (
        'Track Event: Properties "address.geo.lat" is not a number: "north" '
        '(filled in from "{{lat}}")'
    )
    flag = KeyValue(key="{{name}}", value="maybe", type=ValueType.BOOLEAN)
    assert refusal(flag, name="beta").startswith('Track Event: Properties "beta" is not a boolean')


@pytest.mark.parametrize(
    "keys", [("address", "address.city"), ("address.city", "address"), ("a.b", "a.b.c")]
)
def test_a_key_that_is_both_a_value_and_an_object_is_refused_naming_both(
    keys: tuple[str, str],
) -> None:
    value_key, object_key = sorted(keys, key=len)
    message = refusal(*(KeyValue(key=key, value="x") for key in keys))
    assert message == (
        f'Track Event: Properties "{value_key}" and "{object_key}" conflict: '
        f'"{value_key}" cannot be both a value and an object'
    )


def test_a_key_set_twice_is_refused() -> None:
    pairs = (KeyValue(key="plan", value="a"), KeyValue(key="plan", value="b"))
    assert refusal(*pairs) == 'Track Event: Properties "plan" is set twice'


def test_a_key_that_fills_in_empty_is_refused_naming_the_row() -> None:
    pairs = (KeyValue(key="plan", value="pro"), KeyValue(key="{{field}}", value="x"))
    assert refusal(*pairs) == (
        'Track Event: Properties row 2 has an empty key (filled in from "{{field}}")'
    )


def test_empty_rows_left_in_the_form_are_ignored() -> None:
    pairs = (KeyValue(key="", value=""), KeyValue(key="plan", value="pro"), KeyValue(key=" "))
    assert build(*pairs) == {"plan": "pro"}
