"""segflow's embed draws URL, phone number and date inputs as the browser's own fields, and
buttons with several answers as checkboxes sent together, and ratings as buttons."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, expect

from tests.embed.chatting import answer, inline_page, publish
from tests.embed.website import Website
from tests.serve_process import ServeProcess


def test_checked_inputs_get_the_browsers_own_fields_and_checkboxes(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    flow_id = publish(
        segflow_server,
        {
            "name": "Garden visit",
            "variables": [{"name": n} for n in ("site", "phone", "day", "plants", "stars")],
            "groups": [
                {
                    "id": "visit",
                    "title": "Visit",
                    "blocks": [
                        {"id": "site", "type": "urlInput", "variable": "site"},
                        {"id": "phone", "type": "phoneInput", "variable": "phone"},
                        {"id": "day", "type": "dateInput", "variable": "day", "min": "2026-01-01"},
                        {
                            "id": "plants",
                            "type": "choiceInput",
                            "variable": "plants",
                            "multiple": True,
                            "items": [
                                {"id": "roses", "label": "Roses"},
                                {"id": "ferns", "label": "Ferns"},
                                {
                                    "id": "moss",
                                    "label": "Moss",
                                    "picture": f"{website.url}/moss.svg",
                                },
                            ],
                        },
                        {
                            "id": "stars",
                            "type": "ratingInput",
                            "variable": "stars",
                            "lowest": 1,
                            "highest": 5,
                        },
                        {"id": "bye", "type": "text", "text": "{{day}}: {{plants}}, {{stars}}"},
                    ],
                }
            ],
        },
    )
    (website.folder / "moss.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40">'
        '<rect width="40" height="40" fill="#4a7a3a"/></svg>'
    )
    page = visitor.new_page()
    page.goto(inline_page(website, segflow_server, "visit.html", flow=flow_id))
    chat = page.get_by_role("region", name="Chat")
    log = chat.get_by_role("log")

    site = chat.get_by_label("Your answer")
    expect(site).to_have_attribute("type", "url")
    answer(chat, "not a site", focused=False)  # segflow, not the browser, says what is wrong
    expect(log).to_contain_text("This URL doesn't seem to be valid")
    answer(chat, "example.com")

    expect(chat.get_by_label("Your answer")).to_have_attribute("type", "tel")
    answer(chat, "+44 20 7946 0000")

    day = chat.get_by_label("Your answer")
    expect(day).to_have_attribute("type", "date")
    expect(day).to_have_attribute("min", "2026-01-01")
    answer(chat, "2026-05-04")

    plants = chat.get_by_role("group", name="Choose one or more answers")
    moss = plants.locator("img")
    expect(moss).to_have_count(1)
    expect(moss).to_have_attribute("src", f"{website.url}/moss.svg")
    plants.get_by_label("Moss").check()
    plants.get_by_label("Roses").check()
    plants.get_by_role("button", name="Send").click()

    stars = chat.get_by_role("group", name="Choose an answer")
    expect(stars.get_by_role("button")).to_have_text(["1", "2", "3", "4", "5"])
    stars.get_by_role("button", name="4").click()
    expect(log).to_contain_text("2026-05-04: Roses, Moss, 4")
    expect(chat).to_contain_text("The chat has ended.")
