"""Every column that refers to a person is exported by /dulieu and has a rule in /xoadulieu."""

from __future__ import annotations

import db.models  # noqa: F401  (every table)
from db.base import Base
from flows.my_data.collect import SOURCES
from flows.my_data.erase import RULES


def _references_to_users() -> set[tuple[str, str]]:
    return {(table.name, fk.parent.name) for table in Base.metadata.sorted_tables for fk in table.foreign_keys
            if fk.column.table.name == "users" and table.name not in ("conversations",)}


def _known(listed) -> set[tuple[str, str]]:
    return {key for key in listed if key[0] in Base.metadata.tables}


def test_every_reference_to_a_person_is_exported_and_erased():
    found = _references_to_users()
    assert found == _known(SOURCES), "export: add the new column to flows/my_data/collect.py SOURCES"
    assert found == _known(RULES), "erasure: add the new column to flows/my_data/erase.py RULES"


def test_no_secret_is_exported():
    for (table, _column), wanted in SOURCES.items():
        if table not in Base.metadata.tables:
            continue
        columns = wanted or [c.name for c in Base.metadata.tables[table].columns]
        assert not [c for c in columns if "hash" in c or "token" in c], table
