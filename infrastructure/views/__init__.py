"""The views' database adapters: connections of two dialects, the log read in SQL, LISTEN.

`projections` declares what it needs as ports (`projections.engine.ports`); these classes
satisfy them structurally and import nothing of `projections`. The composition root
(`api/bootstrap_views.py`) picks them from the settings. Nothing connects at import.
"""
