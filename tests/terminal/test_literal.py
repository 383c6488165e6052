"""The one path people's text takes to the screen (`terminal.widgets.literal`), and a scan of the
terminal's source that keeps every other path closed: markup is never read, a control
character never reaches the terminal."""

from __future__ import annotations

import ast
import unicodedata
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult

from terminal.widgets.literal import DataTable, Label, Static, clean, shown

TERMINAL = Path(__file__).resolve().parents[2] / "terminal"
BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029}
# The Textual widgets that never draw a string as markup; any other goes through `literal`.
PLAIN_WIDGETS = {"ContentSwitcher", "Footer", "Input"}


def unsafe(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ord(ch) in BIDI


def test_each_control_character_has_a_visible_symbol() -> None:
    assert clean("a\x1b[2Jb\rc\x00d\u202ee\x07\x9b\x7f") == "a␛[2Jb␍c␀d\ufffde␇\ufffd␡"
    assert clean("line\nbreak") == "line␊break"
    assert clean("line\nbreak", keep_newlines=True) == "line\nbreak"
    assert clean("tab\there") == "tab here"


def test_what_people_write_in_any_language_is_untouched() -> None:
    for text in (
        "María López",
        "Łódź",
        "日本 🍕",
        "👨‍👩‍👧 family",
        "שלום",
        "Mallory [/x]",
        "[@click=app.quit]",
    ):
        assert clean(text) == text


@given(st.text())
def test_nothing_unsafe_is_left_and_nothing_moves(text: str) -> None:
    safe = clean(text)
    assert len(safe) == len(text)  # one for one: styles stay on their characters
    assert not any(unsafe(ch) for ch in safe)
    block = clean(text, keep_newlines=True)
    assert not any(unsafe(ch) and ch != "\n" for ch in block)


def test_markup_in_a_string_is_shown_as_typed() -> None:
    text = shown("Mallory [/x] [@click=app.quit]go[/] [bold]x[/bold]")
    assert isinstance(text, Text)
    assert text.plain == "Mallory [/x] [@click=app.quit]go[/] [bold]x[/bold]"
    assert not text.spans


def test_a_styled_text_keeps_its_styles_when_cleaned() -> None:
    text = Text.assemble(("Boss", "bold"), " \x1b[2J ", ("Apt", "italic"))
    safe = shown(text)
    assert safe.plain == "Boss ␛[2J Apt"
    assert [(s.start, s.end, str(s.style)) for s in safe.spans] == [(0, 4, "bold"), (10, 13, "italic")]


def test_tables_and_groups_are_walked() -> None:
    table = Table("[/h] header", title="[/t] title")
    table.add_row("Mallory [/x]", Text("Apt \x1b[2J"))
    out = Console(width=80, record=True, color_system=None)
    out.print(shown(Group(table, "[/g] group")))  # a markup string anywhere here would raise
    printed = out.export_text()
    for expected in ("[/h] header", "[/t] title", "Mallory [/x]", "Apt ␛[2J", "[/g] group"):
        assert expected in printed


class Board(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("Mallory [/x]", id="static")
        yield Label("Apt [/y]", id="label")
        yield DataTable(id="table")


async def test_the_widgets_never_read_markup() -> None:
    app = Board()
    async with app.run_test(size=(80, 12)) as pilot:
        table = app.query_one(DataTable)
        table.add_column("[/c] name", key="name")
        table.add_row("Mallory [/x] \x1b[2J", key="one")
        table.update_cell("one", "name", "[@click=app.quit]quit[/] \r")
        app.query_one("#static", Static).update("[@click=app.quit]Static[/] \x00")
        await pilot.pause()
        lines = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        for expected in (
            "[@click=app.quit]Static[/] ␀",
            "Apt [/y]",
            "[/c] name",
            "[@click=app.quit]quit[/] ␍",
        ):
            assert expected in lines
        await pilot.click(offset=(lines.splitlines()[0].index("[@click"), 0))
        await pilot.click("#table", offset=(3, 1))
        await pilot.pause()
        assert app.return_code is None and app.is_running


# -- the scan: no other path to the screen ------------------------------------------------------


def sources() -> list[tuple[Path, ast.Module]]:
    found = []
    for path in sorted(TERMINAL.rglob("*.py")):
        if path.name != "literal.py" or path.parent.name != "widgets":
            found.append((path, ast.parse(path.read_text(encoding="utf-8"))))
    return found


def where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(TERMINAL.parent)}:{getattr(node, 'lineno', '?')}"


def test_no_screen_builds_a_widget_that_reads_markup() -> None:
    """Static, Label and DataTable come from `terminal.widgets.literal`; other Textual widgets that
    draw strings as markup (Button, Log, Tree, OptionList, ...) are not used until they are
    wrapped there too."""
    wrong = [
        f"{where(path, node)} imports {alias.name} from {node.module}"
        for path, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("textual.widgets")
        for alias in node.names
        if alias.name not in PLAIN_WIDGETS
    ]
    wrong += [
        f"{where(path, node)} uses textual.widgets.{node.attr}"
        for path, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "widgets"
        and node.attr not in PLAIN_WIDGETS
    ]
    assert not wrong, wrong


def test_markup_is_never_asked_for() -> None:
    wrong = []
    for path, tree in sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("from_markup", "render_markup"):
                wrong.append(f"{where(path, node)} parses markup")
            # Only the app's notify override names it, to switch it off.
            if (
                isinstance(node, ast.keyword)
                and node.arg == "markup"
                and not (isinstance(node.value, ast.Constant) and node.value.value is False)
            ):
                wrong.append(f"{where(path, node)} turns markup on")
            if isinstance(node, ast.ImportFrom) and node.module in ("rich.markup", "textual.markup"):
                wrong.append(f"{where(path, node)} imports a markup parser")
    assert not wrong, wrong


def test_titles_are_the_stores_own_words() -> None:
    """Border titles are read as markup: only constant strings go there."""
    wrong = [
        f"{where(path, node)} sets {target.attr} from a variable"
        for path, tree in sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Attribute)
        and target.attr in ("border_title", "border_subtitle", "sub_title")
        and not isinstance(node.value, ast.Constant)
    ]
    assert not wrong, wrong


def test_inputs_are_fields_and_custom_drawing_goes_through_literal() -> None:
    """An `Input` is built as a `Field` (its value drawn through the literal highlighter); a
    widget that draws itself (`render`, `render_line`) takes its text from `literal`."""
    wrong = []
    for path, tree in sources():
        draws = {
            node.name
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name in ("render", "render_line", "render_lines")
        }
        uses_literal = any(
            isinstance(node, ast.ImportFrom) and node.module == "terminal.widgets.literal"
            for node in ast.walk(tree)
        )
        if draws and not uses_literal:
            wrong.append(
                f"{path.name} draws itself ({', '.join(sorted(draws))}) without terminal.widgets.literal"
            )
        wrong += [
            f"{where(path, node)} builds an Input; use terminal.widgets.fields.Field"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Input"
        ]
    assert not wrong, wrong
