"""Identity links from YAML: ``people: {person_id: [network:account, ...]}``."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renown.store.people import (
    IdentityError,
    Link,
    link_accounts,
    read_identity_file,
    read_identity_yaml,
)


def _write(tmp_path: Path, text: str, name: str = "people.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_links_keep_ids_as_written(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
# who is who
people:
  ann:
    - twitter:1964312974236991488
    - mastodon:ann@fosstodon.org
    - reddit:no            # YAML 1.1 would read "no" as false
  bo.b: [stackexchange:0123, linkedin:bob-smith-12345]
  carl: facebook:Carl Jones
  dora: []
""")
    assert read_identity_yaml(path) == [
        Link("ann", "twitter", "1964312974236991488"),
        Link("ann", "mastodon", "ann@fosstodon.org"),
        Link("ann", "reddit", "no"),
        Link("bo.b", "stackexchange", "0123"),
        Link("bo.b", "linkedin", "bob-smith-12345"),
        Link("carl", "facebook", "Carl Jones"),
    ]


def test_links_are_stored(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    links = read_identity_yaml(_write(tmp_path, "people:\n  ann: [twitter:1, offline:ann]\n"))
    assert link_accounts(con, links, "people.yaml") == 2
    assert con.execute("SELECT person_id, network, account FROM identities ORDER BY network"
                       ).fetchall() == [("ann", "offline", "ann"), ("ann", "twitter", "1")]


@pytest.mark.parametrize(("text", "message"), [
    ("people:\n  ann:\n    - twitter:1\n   - twitter:2\n", r"line 4: malformed YAML"),
    ("people:\n  ann: [twitter:1\n", r"line 3: malformed YAML"),
    ("- ann\n", r"line 1: expected a mapping with the key 'people:'"),
    ("persons:\n  ann: [twitter:1]\n", r"line 1: no 'people:' key"),
    ("people:\n  - ann\n", r"line 2: 'people:' must map each person id"),
    ("people:\n  ann:\n    - twitter\n", r"line 3: write accounts as network:account"),
    ("people:\n  ann:\n    - Twitter:1\n", r"line 3: bad network name 'Twitter'"),
    ("people:\n  ann:\n    - twitter:~bot\n", r"line 3: bad account '~bot'"),
    ("people:\n  'a:b': [twitter:1]\n", r"line 2: person id 'a:b' must be"),
    ("people:\n  ann: {twitter: 1}\n", r"line 2: expected network:account"),
    ("people:\n  ann: [twitter:1]\n  bo:\n    - x:y\n    - twitter:1\n",
     r"line 5: twitter:1 is listed for both ann \(line 2\) and bo"),
    ("", r"expected a mapping with the key 'people:'"),
])
def test_errors_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(IdentityError, match=message) as info:
        read_identity_yaml(path)
    assert str(info.value).startswith(str(path))


def test_empty_people_and_unreadable_files(tmp_path: Path) -> None:
    assert read_identity_yaml(_write(tmp_path, "people:\n")) == []
    assert read_identity_yaml(_write(tmp_path, "people: {}\n")) == []
    with pytest.raises(IdentityError, match="cannot read identity file"):
        read_identity_yaml(tmp_path / "missing.yaml")
    bad = tmp_path / "latin1.yaml"
    bad.write_bytes(b"people:\n  j\xf6rg: [twitter:1]\n")
    with pytest.raises(IdentityError, match="cannot read identity file"):
        read_identity_yaml(bad)


def test_csv_reader_still_works(tmp_path: Path) -> None:
    path = _write(tmp_path, "person_id,network,account\nann,twitter,1\n", "people.csv")
    assert read_identity_file(path) == [Link("ann", "twitter", "1")]


_LINES = ["people:", "  ann:", "    - twitter:1", "  bo: [x:y, 'z:w']", "  - ann", "  c: d:e",
          "    - :", "people: [", "  ann: &a [twitter:1]", "  bo: *a", "\t", "  'a:b': []"]


@settings(max_examples=60, deadline=2000,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=200), st.lists(st.sampled_from(_LINES), max_size=12)
                 .map("\n".join)))
def test_fuzz_never_crashes(tmp_path: Path, text: str) -> None:
    """Any text gives links or an IdentityError naming the file, nothing else."""
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        links = read_identity_yaml(path)
    except IdentityError as exc:
        assert str(exc).startswith(str(path))
    else:
        assert all(isinstance(link, Link) for link in links)
