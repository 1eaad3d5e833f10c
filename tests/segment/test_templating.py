import pytest

from segflow.segment.templating import Template, fill, variables_in


def test_fill_replaces_each_placeholder_with_spaces_inside_the_braces_allowed() -> None:
    text = "Hi {{name}}, your plan is {{ plan }} ({{name}})"
    assert fill(text, {"name": "Ada", "plan": "pro"}) == "Hi Ada, your plan is pro (Ada)"


def test_fill_writes_missing_and_none_variables_as_empty_text() -> None:
    assert fill("[{{missing}}][{{nothing}}]", {"nothing": None}) == "[][]"


def test_fill_writes_numbers_and_booleans_as_text_and_objects_as_compact_json() -> None:
    variables = {"count": 3, "price": 9.5, "ok": True, "cart": {"items": [1, 2]}, "tags": ["a"]}
    text = "{{count}} {{price}} {{ok}} {{cart}} {{tags}}"
    assert fill(text, variables) == '3 9.5 True {"items":[1,2]} ["a"]'


@pytest.mark.parametrize(
    ("value", "text"),
    [("Ada", "Ada"), (None, ""), (3, "3"), (9.5, "9.5"), (False, "False"), ({"a": 1}, '{"a":1}')],
)
def test_a_template_of_one_variable_alone_reads_as_that_variable_in_text(
    value: object, text: str
) -> None:
    assert Template("{{ value }}").fill({"value": value}) == text
    assert Template("{{value}}").fill({"value": value}, written=repr) == repr(value)


def test_fill_leaves_text_that_is_not_a_placeholder_alone() -> None:
    text = '{"a": {"b": 1}} {single} {{ }} {{two words}}'
    assert fill(text, {"single": "x", "two": "y"}) == text


def test_variables_in_lists_each_name_once_in_order_of_first_use() -> None:
    assert variables_in("{{b}} {{ a }} {{b}} {{c}}") == ["b", "a", "c"]
    assert variables_in("no variables") == []
