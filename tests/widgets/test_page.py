"""widgets.page: the page title and the "shown" message from the browser."""

from __future__ import annotations

from widgets.page import APP_NAME, StudioPage, page_title


def test_the_title_names_the_project() -> None:
    assert page_title() == APP_NAME == "vidkit studio"
    assert page_title("  Loops,\n explained ") == "vidkit studio — Loops, explained"
    assert page_title("   ") == "vidkit studio"


def test_a_page_showing_the_app_calls_on_shown() -> None:
    shown: list[int] = []
    page = StudioPage(on_shown=lambda: shown.append(1), alt_texts={"vk-preview": "A frame"})
    assert page.title == "vidkit studio"
    assert page.alt_texts == {"vk-preview": "A frame"}
    page._message(page, {"event": "other"}, [])
    page._message(page, "shown", [])
    assert shown == []
    page._message(page, {"event": "shown"}, [])
    assert shown == [1]
    StudioPage()._message(page, {"event": "shown"}, [])  # no callback: nothing happens
