"""stdaddr.join.postgis: the join's tables in a real PostgreSQL + PostGIS server.

The server is the one named by ``STDADDR_TEST_POSTGIS_URL`` (``.ci/run`` starts it with
``.ci/postgis.sh``); without it the session starts one with that script, which installs PostgreSQL 15
and PostGIS 3 with apt when they are missing. The tests are skipped only when the server cannot be
installed or started outside CI; under CI (``CI`` set) that is a failure, so CI always runs them.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pyogrio
import pytest

# The hand-made base, grid and departments of test_join.py (tests/ is on sys.path under pytest).
from test_join import write_case

from stdaddr.errors import DataError
from stdaddr.join import join_events

SCRIPT = Path(__file__).resolve().parents[1] / ".ci" / "postgis.sh"
SCHEMA = "stdaddr_join_test"
TABLES = ("events", "multi_department_addresses", "cell_department_counts", "cell_month_counts", "grid_cells")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostGIS tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgis_url():
    """A PostgreSQL URL with PostGIS: from the environment, or a server started for this session."""
    url = os.environ.get("STDADDR_TEST_POSTGIS_URL")
    started = False
    if not url:
        try:
            run = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _unavailable(f"{SCRIPT.name} could not run: {exc}")
        if run.returncode != 0:
            _unavailable(
                f"{SCRIPT.name} could not install or start PostgreSQL + PostGIS: {run.stderr.strip()[-500:]}"
            )
        found = dict(re.findall(r"^export (\w+)=(.*)$", run.stdout, flags=re.M))
        url, started = found["STDADDR_TEST_POSTGIS_URL"], found.get("STDADDR_TEST_POSTGIS_STARTED") == "1"
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (pip install 'psycopg[binary]')")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    yield url
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    if started:
        subprocess.run(["bash", str(SCRIPT), "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def written(postgis_url, tmp_path_factory):
    config = write_case(tmp_path_factory.mktemp("postgis"))
    return join_events(
        config, postgis=postgis_url, postgis_schema=SCHEMA, workers=1, pictures=False, report=False
    )


def query(url: str, sql: str, *args):
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql, args).fetchall()


def test_every_table_is_there_with_the_rows_of_the_geopackage(postgis_url, written):
    assert written.postgis_tables == TABLES
    for table in TABLES:
        (n,) = query(postgis_url, f"SELECT count(*) FROM {SCHEMA}.{table}")[0]
        assert n == pyogrio.read_info(written.output, layer=table)["features"], table


def test_geometries_have_the_base_srid_and_a_gist_index(postgis_url, written):
    for table, kind in (
        ("events", "POINT"),
        ("multi_department_addresses", "POINT"),
        ("grid_cells", "MULTIPOLYGON"),
    ):
        assert query(postgis_url, "SELECT Find_SRID(%s, %s, 'geom')", SCHEMA, table) == [(4490,)]
        srids = query(
            postgis_url,
            f"SELECT DISTINCT ST_SRID(geom), GeometryType(geom) FROM {SCHEMA}.{table} WHERE geom IS NOT NULL",
        )
        assert srids == [(4490, kind)], table
        indexes = query(
            postgis_url,
            "SELECT indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = %s",
            SCHEMA,
            table,
        )
        assert any("USING gist (geom)" in d for (d,) in indexes), indexes


def test_columns_have_sensible_types(postgis_url, written):
    types = dict(
        query(
            postgis_url,
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
            SCHEMA,
            "events",
        )
    )
    assert types["time"] == "timestamp without time zone" and types["x"] == "double precision"
    assert types["row"] == "bigint" and types["geom"] == "USER-DEFINED"
    rows = query(
        postgis_url, f"SELECT address_id, departments, n_events FROM {SCHEMA}.multi_department_addresses"
    )
    assert rows == [("A1", ["d1", "d2"], 3), ("A2", ["d1", "d3"], 2), ("B1", ["d1", "d3"], 2)]
    (month,) = query(postgis_url, f"SELECT pg_typeof(month)::text FROM {SCHEMA}.cell_month_counts LIMIT 1")[0]
    assert month == "date"


def test_points_in_postgis_are_the_events_coordinates(postgis_url, written):
    rows = query(
        postgis_url,
        f"SELECT count(*) FROM {SCHEMA}.events WHERE geom IS NOT NULL AND (ST_X(geom) <> x OR ST_Y(geom) <> y)",
    )
    assert rows == [(0,)]
    inside = query(
        postgis_url,
        f"SELECT count(*) FROM {SCHEMA}.events e JOIN {SCHEMA}.grid_cells c ON ST_Intersects(e.geom, c.geom) "
        "WHERE e.grid_code = c.grid_code",
    )
    assert inside == [(written.n_events_in_cells,)]


def test_writing_again_replaces_the_tables(postgis_url, written, tmp_path):
    config = write_case(tmp_path)
    again = join_events(
        config, postgis=postgis_url, postgis_schema=SCHEMA, workers=1, pictures=False, report=False
    )
    (n,) = query(postgis_url, f"SELECT count(*) FROM {SCHEMA}.events")[0]
    assert n == again.n_events == written.n_events


def test_an_unreachable_server_is_a_data_error_without_the_password(tmp_path):
    config = write_case(tmp_path)
    url = "postgresql://someone:secret@127.0.0.1:1/nowhere"
    with pytest.raises(
        DataError, match=r"cannot connect to PostgreSQL at postgresql://someone:\*\*\*@127.0.0.1:1/nowhere"
    ) as info:
        join_events(config, postgis=url, workers=1, pictures=False, report=False)
    assert "secret" not in str(info.value)
