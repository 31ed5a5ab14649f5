"""The board's trigram indexes use pg_trgm, an extension there is one of per database. It is
created in `public`, never in a store's own schema: dropping one store's schema (a district
moved out, a test's teardown) must not drop the extension and, with it, every other store's
trigram indexes (which took locks on their tables: a deadlock seen in the tests)."""

from __future__ import annotations

import psycopg

from api.bootstrap import build_application, build_views
from infrastructure.settings import Settings
from tests.conftest import POSTGRES_URL
from tests.world import make_world, registration


def test_the_trigram_extension_is_not_in_a_stores_schema(postgres_url: str) -> None:
    settings = Settings(database_url=postgres_url)
    app = build_application(settings)
    views = build_views(settings, app)
    try:
        world = make_world(app)
        app.cases.receive(actor=world.mediator, registration=registration())
        views.engine.catch_up()
    finally:
        views.close()
        app.close()
    schema = postgres_url.rsplit("schema=", 1)[1]
    with psycopg.connect(POSTGRES_URL) as conn:
        row = conn.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        ).fetchone()
        indexes = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = %s AND indexdef LIKE '%%trgm%%'",
            (schema,),
        ).fetchone()
    assert row is not None, "pg_trgm was not created"
    assert row[0] != schema
    assert indexes is not None
    assert indexes[0] >= 1, "the board made no trigram index"
