"""Rising disputes (矛盾纠纷排查): street × subcategory cells whose receipts of the last 30 days
exceed what their previous twelve months predict."""

from projections.hotspots.query import Hotspot, HotspotCase, Hotspots, HotspotsQuery
from projections.hotspots.rise import ALPHA, BASELINE, MIN_COUNT, WINDOW, Rise, rise

__all__ = [
    "ALPHA",
    "BASELINE",
    "MIN_COUNT",
    "WINDOW",
    "Hotspot",
    "HotspotCase",
    "Hotspots",
    "HotspotsQuery",
    "Rise",
    "rise",
]
