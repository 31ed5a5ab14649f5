"""Tables that fit the terminal, 80 columns and up.

A number or a code is never split across lines (its column is at least as wide as its widest
value, and a header breaks only between words); free text folds. What still does not fit is
left out with a note that says how to see it (`--json`, a wider terminal), or, for a table of
figures, goes on in a second table that repeats the row's key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

FOLD_MIN_WIDTH = 12
"""Free text folds, but not narrower than this: a detail one word per line reads badly."""


@dataclass(frozen=True)
class Column:
    header: str
    number: bool = False
    """Right-aligned; never split across lines (figures, versions, positions)."""
    fold: bool = False
    """Free text that folds across lines; otherwise the value is kept whole on its line."""
    words: bool = False
    """May break between words, never inside one (a date and its time on two lines)."""
    optional: bool = False
    """May be left out, with a note, when the terminal is too narrow for it."""
    least: int = 0
    """At least this wide (a folding column that must stay readable)."""


def _min_width(column: Column, values: Sequence[str]) -> int:
    words = [cell_len(word) for word in column.header.split()] or [1]
    longest = max((cell_len(word) for v in values for word in v.split()), default=1)
    if column.fold:
        least = max(max(words), min(longest, FOLD_MIN_WIDTH))
    elif column.words:
        least = max(max(words), longest)
    else:
        least = max([*words, *(cell_len(v) for v in values)])
    return max(least, column.least)


def _natural(column: Column, values: Sequence[str]) -> int:
    """The width that shows the header and every value on one line."""
    return max([cell_len(column.header), *(cell_len(v) for v in values)])


def _widths(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]]
) -> list[int]:
    """Each column's width: its natural width, the widest shrunk first (never below its least
    width) until the table fits the console, if it can."""
    values = [[row[i] for row in rows] for i in range(len(columns))]
    least = [_min_width(column, values[i]) for i, column in enumerate(columns)]
    widths = [max(_natural(column, values[i]), least[i]) for i, column in enumerate(columns)]
    room = console.width - (3 * len(columns) + 1)  # a border and a space either side of each
    while sum(widths) > room:
        shrinkable = [i for i in range(len(widths)) if widths[i] > least[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i] - least[i])
        widths[widest] -= 1
    return widths


def _table(
    console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]], title: str | None
) -> Table:
    table = Table(title=title, title_justify="left")
    for column, width in zip(columns, _widths(console, columns, rows), strict=True):
        table.add_column(
            column.header,
            justify="right" if column.number else "left",
            overflow="fold",
            width=width,
        )
    for row in rows:
        table.add_row(*row)
    return table


def fits(console: Console, columns: Sequence[Column], rows: Sequence[Sequence[str]]) -> bool:
    """Whether the table fits the console with each column at its least width."""
    values = [[row[i] for row in rows] for i in range(len(columns))]
    least = sum(_min_width(column, values[i]) for i, column in enumerate(columns))
    return least + 3 * len(columns) + 1 <= console.width


def print_table(
    console: Console,
    columns: Sequence[Column],
    rows: Sequence[Sequence[str]],
    *,
    title: str | None = None,
    elsewhere: str | None = "--json",
) -> None:
    """Print the table; leave out optional columns (the last first) until it fits, and say so."""
    kept = list(range(len(columns)))

    def shown() -> tuple[list[Column], list[list[str]]]:
        return [columns[i] for i in kept], [[row[i] for i in kept] for row in rows]

    while not fits(console, *shown()):
        optional = [i for i in kept if columns[i].optional]
        if not optional:
            break  # nothing more to leave out: the terminal is narrower than the essentials
        kept.remove(optional[-1])
    console.print(_table(console, *shown(), title))
    dropped = [columns[i].header for i in range(len(columns)) if i not in kept]
    if dropped:
        how = f"{elsewhere} or a wider terminal" if elsewhere else "a wider terminal"
        console.print(
            f"(left out to fit {console.width} columns: {', '.join(dropped)}; see them with {how})",
            style="dim",
        )


def print_split(
    console: Console,
    keys: Sequence[Column],
    columns: Sequence[Column],
    rows: Sequence[tuple[Sequence[str], Sequence[str]]],
    *,
    title: str,
) -> None:
    """Print a wide table of figures as several that fit, each repeating the rows' keys.

    `rows`: each row's key values and figure values, in the order of `keys` and `columns`.
    """
    groups: list[list[int]] = []
    for index in range(len(columns)):
        trial = [*groups[-1], index] if groups else [index]
        if groups and fits(console, *_grouped(keys, columns, rows, trial)):
            groups[-1] = trial
        else:
            groups.append([index])
    for number, group in enumerate(groups, start=1):
        shown = title if len(groups) == 1 else f"{title} ({number}/{len(groups)})"
        console.print(_table(console, *_grouped(keys, columns, rows, group), shown))


def _grouped(
    keys: Sequence[Column],
    columns: Sequence[Column],
    rows: Sequence[tuple[Sequence[str], Sequence[str]]],
    group: Sequence[int],
) -> tuple[list[Column], list[list[str]]]:
    return (
        [*keys, *(columns[i] for i in group)],
        [[*key, *(values[i] for i in group)] for key, values in rows],
    )
