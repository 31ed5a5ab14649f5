"""How each figure is made from a tally, written once and rendered twice.

A formula is a small expression (the classes below) over a tally's counters, its amount, its
durations and the clock's two counts. figures.py writes each figure's formula once
(`DEFINITIONS`); `python()` renders it for `figures.figures_of` (compiled once into one
function: it makes the figures of any sums, on SQLite too), `sql()` for a query of the cells,
whose server then sends the figures instead of the sums when each group's durations are one
cell's sorted list (from_cells.py). Both renderings give the same values: counts are integers;
`Over` is one true division of two integers below 2**53, correctly rounded to a double by
Python and by PostgreSQL alike; `Floor` is integer division of non-negative integers;
`Money` is the amount's decimal text. `tests/integration/stats/test_formulas.py` compares
the two renderings on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

DAY_US = 86_400_000_000
"""Microseconds in a day: durations are kept in whole microseconds, exactly."""


class SqlTerms(Protocol):
    """How a query names a tally's parts."""

    def count(self, counter: str) -> str: ...
    def amount(self) -> str: ...
    def length(self, kind: str) -> str:
        """How many durations of `kind` the group has."""
        ...

    def at(self, kind: str, rank: str) -> str:
        """The duration of `kind` at the 0-based `rank` (a SQL integer expression)."""
        ...


class Expr(Protocol):
    def python(self) -> str:
        """Over figures_of's locals: `c_<counter>`, `amount`, the duration kinds (sorted
        sequences), `overdue` and `due_soon`."""
        ...

    def sql(self, terms: SqlTerms) -> str: ...


@dataclass(frozen=True, slots=True)
class Counter:
    name: str

    def python(self) -> str:
        return f"c_{self.name}"

    def sql(self, terms: SqlTerms) -> str:
        return f"({terms.count(self.name)})::bigint"


@dataclass(frozen=True, slots=True)
class Number:
    value: int

    def python(self) -> str:
        return str(self.value)

    def sql(self, terms: SqlTerms) -> str:
        return f"{self.value}::bigint"


@dataclass(frozen=True, slots=True)
class Length:
    """How many durations of a kind ("durations", or "cohort": the cohort's)."""

    kind: str

    def python(self) -> str:
        return f"len({self.kind})"

    def sql(self, terms: SqlTerms) -> str:
        return terms.length(self.kind)


@dataclass(frozen=True, slots=True)
class At:
    """The duration of a kind at a 0-based rank of its ascending order."""

    kind: str
    rank: Expr

    def python(self) -> str:
        return f"{self.kind}[{self.rank.python()}]"

    def sql(self, terms: SqlTerms) -> str:
        return terms.at(self.kind, self.rank.sql(terms))


@dataclass(frozen=True, slots=True)
class Plus:
    left: Expr
    right: Expr

    def python(self) -> str:
        return f"({self.left.python()} + {self.right.python()})"

    def sql(self, terms: SqlTerms) -> str:
        return f"({self.left.sql(terms)} + {self.right.sql(terms)})"


@dataclass(frozen=True, slots=True)
class Minus:
    left: Expr
    right: Expr

    def python(self) -> str:
        return f"({self.left.python()} - {self.right.python()})"

    def sql(self, terms: SqlTerms) -> str:
        return f"({self.left.sql(terms)} - {self.right.sql(terms)})"


@dataclass(frozen=True, slots=True)
class Times:
    left: Expr
    right: Expr

    def python(self) -> str:
        return f"({self.left.python()} * {self.right.python()})"

    def sql(self, terms: SqlTerms) -> str:
        return f"({self.left.sql(terms)} * {self.right.sql(terms)})"


@dataclass(frozen=True, slots=True)
class Floor:
    """Integer division of non-negative integers (SQL's `/` of two integers truncates)."""

    left: Expr
    right: Expr

    def python(self) -> str:
        return f"({self.left.python()} // {self.right.python()})"

    def sql(self, terms: SqlTerms) -> str:
        return f"({self.left.sql(terms)} / {self.right.sql(terms)})"


@dataclass(frozen=True, slots=True)
class Over:
    """True division, as a double; null when the divisor is 0 (a rate of nothing)."""

    left: Expr
    right: Expr

    def python(self) -> str:
        right = self.right.python()
        return f"(None if {right} == 0 else {self.left.python()} / {right})"

    def sql(self, terms: SqlTerms) -> str:
        left, right = self.left.sql(terms), self.right.sql(terms)
        return f"CASE WHEN {right} = 0 THEN NULL ELSE ({left})::float8 / ({right})::float8 END"


@dataclass(frozen=True, slots=True)
class Unless:
    """`then`, or null when `guard` is 0 (a median of no duration)."""

    guard: Expr
    then: Expr

    def python(self) -> str:
        return f"(None if {self.guard.python()} == 0 else {self.then.python()})"

    def sql(self, terms: SqlTerms) -> str:
        return f"CASE WHEN {self.guard.sql(terms)} = 0 THEN NULL ELSE {self.then.sql(terms)} END"


@dataclass(frozen=True, slots=True)
class Money:
    """The amount in cents (fen) as a decimal string with two decimals: 120000 -> "1200.00"."""

    def python(self) -> str:
        return (
            "(('-' if amount < 0 else '') + str(abs(amount) // 100) + '.' "
            "+ str(abs(amount) % 100).rjust(2, '0'))"
        )

    def sql(self, terms: SqlTerms) -> str:
        amount = terms.amount()
        whole, cents = f"div(abs({amount}), 100)", f"mod(abs({amount}), 100)"
        sign = f"CASE WHEN {amount} < 0 THEN '-' ELSE '' END"
        return f"({sign} || {whole}::text || '.' || lpad({cents}::text, 2, '0'))"


@dataclass(frozen=True, slots=True)
class Clock:
    """A count of the open cases against now (overdue, due soon): counted apart from the
    tally's sums, from the open cases' deadlines; a query of the cells leaves it null, to be
    filled in from that count."""

    name: str

    def python(self) -> str:
        return self.name

    def sql(self, terms: SqlTerms) -> str:
        return "NULL::bigint"


def median(kind: str) -> Expr:
    """In days: the mean of the values of ranks (n - 1) // 2 and n // 2 (one value, twice,
    for an odd n: doubling numerator and divisor keeps the quotient exact); null of none."""
    n = Length(kind)
    low, high = At(kind, Floor(Minus(n, Number(1)), Number(2))), At(kind, Floor(n, Number(2)))
    return Unless(n, Over(Plus(low, high), Number(2 * DAY_US)))


def percentile_90(kind: str) -> Expr:
    """In days, by nearest rank: the value of rank ceil(0.9 n), 1-based; null of none."""
    n = Length(kind)
    rank = Minus(Floor(Plus(Times(Number(9), n), Number(9)), Number(10)), Number(1))
    return Unless(n, Over(At(kind, rank), Number(DAY_US)))


def rate(numerator: str, denominator: str) -> Expr:
    """numerator ÷ denominator, two counters; null when the denominator is 0."""
    return Over(Counter(numerator), Counter(denominator))


FiguresOf = Callable[..., dict[str, object]]


def compiled(counters: tuple[str, ...], definitions: dict[str, Expr]) -> FiguresOf:
    """`figures_of(counts, amount, durations, overdue, due_soon, cohort=())`: the figures of
    `definitions`, in their order, as one dict, from one function made of their Python forms
    (no call per figure: a query by mediator makes 300 answers)."""
    unpacked = "".join(f"c_{name}, " for name in counters)
    items = "".join(f"        {name!r}: {expr.python()},\n" for name, expr in definitions.items())
    source = (
        "def figures_of(counts, amount, durations, overdue, due_soon, cohort=()):\n"
        f"    ({unpacked}) = counts\n"
        f"    return {{\n{items}    }}\n"
    )
    return _function(source, "figures_of")


def function(expr: Expr, *arguments: str) -> Callable[..., object]:
    """One expression as a function of the locals it names (for a figure alone: tests, tools)."""
    source = f"def one({', '.join(arguments)}):\n    return {expr.python()}\n"
    return _function(source, "one")


def _function(source: str, name: str) -> FiguresOf:
    namespace: dict[str, object] = {}
    exec(compile(source, "<projections.stats.figures DEFINITIONS>", "exec"), namespace)  # noqa: S102
    made: FiguresOf = namespace[name]  # type: ignore[assignment]
    return made
