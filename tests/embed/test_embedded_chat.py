"""segflow's embed on a website of another origin: a visitor chats through the bubble or
inline, a reload resumes the chat, the keyboard and a screen reader can use it, in light and
dark mode, on a phone."""

from __future__ import annotations

from typing import Literal

from playwright.sync_api import BrowserContext, Locator, Page, expect

from tests.embed.chatting import (
    FLOW,
    SHOP,
    SHOP_STYLE,
    answer,
    bubble_page,
    complete_the_example_chat,
    inline_page,
    open_bubble,
    publish,
    remembered_chat,
    serious_accessibility_violations,
    snippet,
)
from tests.embed.website import Website
from tests.serve_process import ServeProcess


def test_a_visitor_completes_the_example_chat_in_the_bubble(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(bubble_page(website, segflow_server, "bubble.html"))
    launcher = page.get_by_role("button", name="Chat", exact=True)
    expect(launcher).to_have_attribute("aria-expanded", "false")

    panel = open_bubble(page)
    expect(launcher).to_have_attribute("aria-expanded", "true")
    complete_the_example_chat(panel, screenshot="embed-bubble.png")

    session_id = remembered_chat(page, segflow_server)["sessionId"]
    session = segflow_server.api.get(f"/api/v1/sessions/{session_id}").json()
    assert session["status"] == "completed"
    assert session["variables"]["plan"] == "free"
    expect(panel.get_by_label("Your answer")).to_have_count(0)

    panel.get_by_role("button", name="Start a new chat").focus()
    page.keyboard.press("Escape")  # closes the panel, and the focus goes back to the launcher
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")


def test_the_bubble_works_from_the_keyboard_alone(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(bubble_page(website, segflow_server, "keyboard.html"))
    launcher = page.get_by_role("button", name="Chat", exact=True)
    page.keyboard.press("Tab")  # the shop page has nothing else to focus
    expect(launcher).to_be_focused()
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Chat")
    field = panel.get_by_label("Your answer")
    expect(field).to_be_focused()
    page.keyboard.type("Ada")
    page.keyboard.press("Enter")
    expect(panel.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    expect(field).to_be_focused()
    page.keyboard.press("Tab")
    expect(panel.get_by_role("button", name="Send")).to_be_focused()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(launcher).to_be_focused()


def test_a_visitor_completes_the_example_chat_inline(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(inline_page(website, segflow_server, "inline.html"))
    chat = page.get_by_role("region", name="Chat")
    complete_the_example_chat(chat, focused=False, screenshot="embed-inline.png")
    remembered = remembered_chat(page, segflow_server)
    assert remembered["status"] == "completed"


def test_a_page_opens_the_popup_from_its_own_button_with_the_js_api(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    script = f"""<script type="module">
import {{ popup }} from "{segflow_server.url}/embed/segflow.js";
const chat = popup({{ flow: "{FLOW}", title: "Ask Acme", remember: "session" }});
document.querySelector("#talk").addEventListener("click", () => chat.open());
</script>"""
    body = SHOP.replace("</main>", '<button id="talk" type="button">Talk to us</button>\n</main>')
    page = visitor.new_page()
    page.goto(website.page("popup.html", body + script, head=SHOP_STYLE))
    talk = page.get_by_role("button", name="Talk to us")
    talk.click()
    dialog = page.get_by_role("dialog", name="Ask Acme")
    expect(dialog).to_be_visible()
    answer(dialog, "Ada")
    expect(dialog.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(talk).to_be_focused()
    assert page.evaluate("localStorage.length") == 0  # remember: "session"
    assert page.evaluate("sessionStorage.length") == 1

    talk.click()  # the same chat, where it was
    expect(dialog.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    expect(dialog.get_by_label("Your answer")).to_have_attribute("type", "email")


def test_a_reload_resumes_the_chat_where_it_was(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(bubble_page(website, segflow_server, "resume.html"))
    panel = open_bubble(page)
    answer(panel, "Grace")
    expect(panel.get_by_role("log")).to_contain_text("Nice to meet you, Grace!")
    session_id = remembered_chat(page, segflow_server)["sessionId"]

    page.reload()
    panel = open_bubble(page)
    log = panel.get_by_role("log")
    expect(log).to_contain_text("What's your name?")
    expect(log).to_contain_text("Grace")
    expect(log).to_contain_text("Nice to meet you, Grace! What's your work email?")
    answer(panel, "grace@example.com")
    expect(log).to_contain_text("Which plan are you interested in?")

    assert remembered_chat(page, segflow_server)["sessionId"] == session_id
    variables = segflow_server.api.get(f"/api/v1/sessions/{session_id}").json()["variables"]
    assert (variables["name"], variables["email"]) == ("Grace", "grace@example.com")

    # The inline chat on another page of the same site picks up the same conversation.
    page.goto(inline_page(website, segflow_server, "resume-inline.html"))
    chat = page.get_by_role("region", name="Chat")
    expect(chat.get_by_role("log")).to_contain_text("Which plan are you interested in?")
    chat.get_by_role("button", name="Team").click()
    expect(chat.get_by_role("log")).to_contain_text("How many people would use it?")
    seats = chat.get_by_label("Your answer")
    expect(seats).to_have_attribute("type", "number")
    expect(seats).to_have_attribute("min", "1")
    expect(seats).to_have_attribute("max", "10000")
    assert remembered_chat(page, segflow_server)["sessionId"] == session_id


def test_remember_none_starts_a_new_chat_on_each_visit(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    page.goto(bubble_page(website, segflow_server, "forgetful.html", remember="none"))
    panel = open_bubble(page)
    answer(panel, "Ada")
    expect(panel.get_by_role("log")).to_contain_text("Nice to meet you, Ada!")
    page.reload()
    panel = open_bubble(page)
    expect(panel.get_by_role("log")).to_contain_text("What's your name?")
    expect(panel.get_by_role("log")).not_to_contain_text("Nice to meet you")
    assert page.evaluate("localStorage.length") == 0


def test_no_serious_accessibility_problem_in_light_and_dark_mode(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    page = visitor.new_page()
    bubble = bubble_page(website, segflow_server, "axe-bubble.html")
    inline = inline_page(website, segflow_server, "axe-inline.html")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.goto(bubble)
        panel = open_bubble(page)
        answer(panel, "Ada")
        expect(panel.get_by_role("log")).to_contain_text("work email")
        assert serious_accessibility_violations(page) == [], f"bubble, {scheme} mode"

        page.goto(inline)
        chat = page.get_by_role("region", name="Chat")
        expect(chat.get_by_role("log")).to_contain_text("work email")  # remembered
        answer(chat, "ada@example.com", focused=False)
        expect(chat.get_by_role("button", name="Free")).to_be_visible()
        assert serious_accessibility_violations(page) == [], f"inline, {scheme} mode"
        page.evaluate("localStorage.clear()")


def test_it_fits_a_360_pixel_wide_phone(
    segflow_server: ServeProcess, website: Website, phone: BrowserContext
) -> None:
    page = phone.new_page()
    for url, open_chat in (
        (bubble_page(website, segflow_server, "phone-bubble.html"), open_bubble),
        (inline_page(website, segflow_server, "phone-inline.html"), _inline_chat),
    ):
        page.goto(url)
        chat = open_chat(page)
        expect(chat.get_by_role("log")).to_contain_text("What's your name?")
        field = chat.get_by_label("Your answer")
        field.scroll_into_view_if_needed()  # the inline chat is further down the page
        expect(field).to_be_in_viewport()
        _assert_within_width(page, chat, 360)
        _assert_within_width(page, chat.get_by_role("button", name="Send"), 360)
        field.fill("A visitor with a rather long name that goes on")
        chat.get_by_role("button", name="Send").click()
        expect(chat.get_by_role("log")).to_contain_text("What's your work email?")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.evaluate("localStorage.clear()")


def _inline_chat(page: Page) -> Locator:
    return page.get_by_role("region", name="Chat")


def _assert_within_width(page: Page, element: Locator, width: int) -> None:
    box = element.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box


def test_every_input_gets_its_own_control_and_images_their_description(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    (website.folder / "leaf.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80">'
        '<circle cx="40" cy="40" r="36" fill="#2f5d3a"/></svg>'
    )
    flow_id = publish(
        segflow_server,
        {
            "name": "Garden survey",
            "variables": [{"name": "story"}, {"name": "size"}],
            "groups": [
                {
                    "id": "survey",
                    "title": "Survey",
                    "blocks": [
                        {
                            "id": "logo",
                            "type": "image",
                            "url": f"{website.url}/leaf.svg",
                            "alt": "Acme's green leaf",
                        },
                        {"id": "ask", "type": "text", "text": "Tell us about your garden."},
                        {
                            "id": "story",
                            "type": "textInput",
                            "variable": "story",
                            "long": True,
                            "placeholder": "A few lines",
                            "buttonLabel": "Next",
                        },
                        {"id": "how-big", "type": "text", "text": "How many square metres?"},
                        {
                            "id": "size",
                            "type": "numberInput",
                            "variable": "size",
                            "min": 1,
                            "max": 500,
                            "step": 0.5,
                        },
                        {"id": "thanks", "type": "text", "text": "Thanks: {{size}} m²!"},
                    ],
                }
            ],
        },
    )
    page = visitor.new_page()
    page.goto(inline_page(website, segflow_server, "survey.html", flow=flow_id))
    chat = page.get_by_role("region", name="Chat")
    logo = chat.get_by_role("log").get_by_role("img", name="Acme's green leaf")
    expect(logo).to_be_visible()
    assert logo.evaluate("image => image.naturalWidth") == 80

    story = chat.get_by_label("Your answer")
    assert story.evaluate("field => field.tagName") == "TEXTAREA"
    expect(story).to_have_attribute("placeholder", "A few lines")
    story.fill("Roses by the fence.")
    story.press("Shift+Enter")  # a new line, not sent yet
    story.press_sequentially("A pond.")
    expect(chat.get_by_role("log")).not_to_contain_text("Roses")
    story.press("Enter")
    expect(chat.get_by_role("log")).to_contain_text("Roses by the fence.\nA pond.")

    size = chat.get_by_label("Your answer")
    expect(size).to_have_attribute("type", "number")
    for name, value in (("min", "1"), ("max", "500"), ("step", "0.5")):
        expect(size).to_have_attribute(name, value)
    answer(chat, "1000")  # out of range: segflow, not the browser, says so
    expect(chat.get_by_role("log")).to_contain_text("between 1 and 500")
    answer(chat, "12.5")
    expect(chat.get_by_role("log")).to_contain_text("Thanks: 12.5 m²!")
    expect(chat).to_contain_text("The chat has ended.")


def test_the_page_themes_the_chat_with_css_custom_properties(
    segflow_server: ServeProcess, website: Website, visitor: BrowserContext
) -> None:
    theme = (
        "<style>:root { --segflow-accent: rgb(47, 93, 58); --segflow-font: Georgia; }\n"
        "@media (prefers-color-scheme: dark) { :root { --segflow-accent: rgb(155, 211, 168); } }"
        "</style>\n"
    )
    url = website.page("themed.html", SHOP + snippet(segflow_server, "bubble"), head=theme)
    page = visitor.new_page()
    accents: dict[Literal["light", "dark"], str] = {
        "light": "rgb(47, 93, 58)",
        "dark": "rgb(155, 211, 168)",
    }
    for scheme, accent in accents.items():
        page.emulate_media(color_scheme=scheme)
        page.goto(url)
        launcher = page.get_by_role("button", name="Chat", exact=True)
        expect(launcher).to_have_css("background-color", accent)
        panel = open_bubble(page)
        expect(panel.get_by_role("button", name="Send")).to_have_css("background-color", accent)
        expect(panel.get_by_role("log")).to_have_css("font-family", "Georgia")
    # The page's own styles (its green buttons, its serif font) do not reach into the chat.
    page.emulate_media(color_scheme="light")
    page.goto(bubble_page(website, segflow_server, "unthemed.html"))
    panel = open_bubble(page)
    expect(panel.get_by_role("button", name="Send")).to_have_css(
        "background-color", "rgb(67, 56, 202)"
    )
