"""Text from people, shown exactly as typed: never markup, never a command to the terminal.

Customer names, phones, addresses, notes, menu names from head office, staff and printer
names, coupon codes and the store's sentences that quote them all reach the screen through
this module. `Static`, `Label` and `DataTable` here are drop-in replacements for Textual's:
they never read markup (a customer called `Mallory [/x]` is shown as that, and
`[@click=app.quit]` is only text), and every character that could drive the terminal
(ESC sequences, carriage return, NUL, the C1 controls, bidi overrides such as U+202E) is
replaced by a visible symbol before it is drawn. `shown` is the one function they use; the
status line, the ticket cards, input fields and notifications call it too.

A line break typed by a person becomes `␊` in a cell or a field (one row stays one row);
in a block of text the store composes (a customer card, a dialog) line breaks are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from rich.console import Group
from rich.highlighter import Highlighter
from rich.padding import Padding
from rich.table import Table
from rich.text import Text, TextType
from textual import widgets
from textual.content import Content
from textual.suggester import SuggestFromList
from textual.widgets.data_table import ColumnKey, RowKey

if TYPE_CHECKING:
    from textual.visual import VisualType

CellType = TypeVar("CellType")

REPLACEMENT = "\ufffd"  # �: a character that must not reach the terminal as itself

# C0 controls show as their Unicode control pictures (ESC as ␛, CR as ␍, NUL as ␀), DEL as ␡,
# C1 controls (0x9b is a one-byte CSI) and the invisible direction overrides as �. Each
# replaces exactly one character, so the styles of a `Text` stay where they were.
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_TABLE: dict[int, str] = {
    **{code: chr(0x2400 + code) for code in range(0x20)},
    0x09: " ",
    0x7F: "\u2421",
    **dict.fromkeys(range(0x80, 0xA0), REPLACEMENT),
    **dict.fromkeys((*_BIDI, 0x2028, 0x2029), REPLACEMENT),
}
_ONE_LINE = str.maketrans(_TABLE)
_BLOCK = str.maketrans({code: symbol for code, symbol in _TABLE.items() if code != 0x0A})


def clean(value: object, *, keep_newlines: bool = False) -> str:
    """`value` as text safe to draw: every control character replaced by a visible symbol."""
    return str(value).translate(_BLOCK if keep_newlines else _ONE_LINE)


def literal(value: object, style: str = "", *, keep_newlines: bool = False, **options: Any) -> Text:
    """A `Text` of `value` as typed (never markup), with control characters made visible."""
    return Text(clean(value, keep_newlines=keep_newlines), style=style, **options)


def _clean_text(text: Text, keep_newlines: bool) -> Text:
    plain = text.plain
    safe = clean(plain, keep_newlines=keep_newlines)
    if safe == plain:
        return text
    copy = text.copy()
    copy.plain = safe  # one character for one: the spans still fit
    return copy


def shown(value: object, *, keep_newlines: bool = True) -> Any:
    """What a widget may draw for `value`: a string becomes literal text; text, tables and groups
    are walked and their strings and texts cleaned; other renderables pass unchanged."""
    if isinstance(value, str):
        return literal(value, keep_newlines=keep_newlines)
    if isinstance(value, Text):
        return _clean_text(value, keep_newlines)
    if isinstance(value, Content):
        plain = value.plain
        safe = clean(plain, keep_newlines=keep_newlines)
        return value if safe == plain else Content(safe, list(value.spans))
    if isinstance(value, Group):
        return Group(*(shown(part, keep_newlines=keep_newlines) for part in value.renderables), fit=value.fit)
    if isinstance(value, Padding):
        value.renderable = shown(value.renderable, keep_newlines=keep_newlines)
        return value
    if isinstance(value, Table):
        _clean_table(value, keep_newlines)
    return value


def _clean_table(table: Table, keep_newlines: bool) -> None:
    """Rich renders a table's string cells as markup: make every one literal text."""
    for attribute in ("title", "caption"):
        found = getattr(table, attribute)
        if found is not None:
            setattr(table, attribute, shown(found, keep_newlines=keep_newlines))
    for column in table.columns:
        column.header = shown(column.header, keep_newlines=keep_newlines)
        column.footer = shown(column.footer, keep_newlines=keep_newlines)
        column._cells[:] = [shown(cell, keep_newlines=keep_newlines) for cell in column._cells]


class LiteralHighlighter(Highlighter):
    """For input fields: the typed value is drawn with control characters made visible (one
    character for one, so the cursor stays where it is)."""

    def highlight(self, text: Text) -> None:
        safe = clean(text.plain)
        if safe != text.plain:
            text.plain = safe


def suggest_from(names: Iterable[str]) -> SuggestFromList:
    """Completions for a field. The rest of a suggestion is drawn as it is, so a name with a
    control character in it is never offered (it can still be typed)."""
    return SuggestFromList([name for name in names if clean(name) == name], case_sensitive=False)


class _Literal(widgets.Static):
    def __init__(self, content: VisualType = "", **options: Any) -> None:
        options["markup"] = False
        super().__init__(shown(content), **options)

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(shown(content), layout=layout)


class Static(_Literal):
    """Textual's `Static` that shows strings as typed (no markup) and cleans what it draws."""


class Label(_Literal, widgets.Label):
    """Textual's `Label` that shows strings as typed (no markup) and cleans what it draws."""


def cell(value: object) -> Text:
    """One table cell: a string as typed; every cell is one row, so line breaks show as ␊."""
    if isinstance(value, Text):
        return _clean_text(value, keep_newlines=False)
    return literal("" if value is None else value)


class DataTable(widgets.DataTable[CellType], Generic[CellType]):
    """Textual's `DataTable` whose cells and labels are never markup: string cells become
    literal text, and control characters in any cell are made visible."""

    def add_column(
        self,
        label: TextType,
        *,
        width: int | None = None,
        key: str | None = None,
        default: CellType | None = None,
    ) -> ColumnKey:
        return super().add_column(cell(label), width=width, key=key, default=default)

    def add_row(
        self, *cells: CellType, height: int | None = 1, key: str | None = None, label: TextType | None = None
    ) -> RowKey:
        safe = [cast(CellType, cell(value)) for value in cells]
        return super().add_row(*safe, height=height, key=key, label=None if label is None else cell(label))

    def add_rows(self, rows: Iterable[Iterable[CellType]]) -> list[RowKey]:
        return [self.add_row(*row) for row in rows]

    def update_cell(
        self,
        row_key: RowKey | str,
        column_key: ColumnKey | str,
        value: CellType,
        *,
        update_width: bool = False,
    ) -> None:
        super().update_cell(row_key, column_key, cast(CellType, cell(value)), update_width=update_width)
