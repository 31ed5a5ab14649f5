"""The intake-to-resolution board (受理到结案): its view and its query."""

from projections.board.page import BoardFilter, BoardPage, BoardRow, InvalidCursorError, Reach
from projections.board.query import BoardQuery
from projections.board.view import BoardView

__all__ = [
    "BoardFilter",
    "BoardPage",
    "BoardQuery",
    "BoardRow",
    "BoardView",
    "InvalidCursorError",
    "Reach",
]
