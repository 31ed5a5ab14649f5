"""The case file (卷宗) as a printable HTML page."""
