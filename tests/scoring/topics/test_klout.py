"""The Klout Topic Ontology loader: the real release (8,033 topics, a multi-parent DAG)
and the format on small hand-made files."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from renown.scoring.topics.klout import load_klout
from renown.scoring.topics.ontology import OntologyError
from tests.conftest import shared_path

ONTOLOGY = '"topicId","topicSlug","topicDisplayName","wikiItemId","freebaseMachineId"\n'
EDGES = '"parentTopicId","parrentTopicSlug","childTopicId","childTopicSlug"\n'
DISPLAY = '"topicId","language","topicDisplayName"\n'


def write_release(folder: Path, topics: str, edges: str, display: str | None = None) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "klout_topic_ontology_20180601.csv").write_text(ONTOLOGY + topics, "utf-8")
    (folder / "klout_topic_edge_20180601.csv").write_text(EDGES + edges, "utf-8")
    if display is not None:
        (folder / "klout_topic_display_20180601.csv").write_text(DISPLAY + display, "utf-8")
    return folder


def test_small_release_roots_multiple_parents_and_languages(tmp_path: Path) -> None:
    folder = write_release(
        tmp_path / "k",
        '1,"health-super","Health","Q1","x"\n2,"diseases","Diseases","Q2","y"\n'
        '3,"internal-medicine","Internal Medicine","Q3","z"\n4,"asthma","Asthma","Q4","w"\n',
        '0,"_ROOT_",0,"_ROOT_"\n0,"_ROOT_",1,"health-super"\n1,"health-super",2,"diseases"\n'
        '1,"health-super",3,"internal-medicine"\n2,"diseases",4,"asthma"\n'
        '3,"internal-medicine",4,"asthma"\n9,"economics",2,"diseases"\n',
        '4,"fr","Asthme"\n4,"es","Asma"\n4,"it","Asma"\n4,"en","Asthma"\n9,"de","Ökonomie"\n')
    ontology = load_klout(folder)
    assert "_ROOT_" not in ontology.topics
    assert ontology.roots == ("economics", "health-super")
    assert ontology.parents["asthma"] == ("diseases", "internal-medicine")
    assert ontology.topics["asthma"].aliases == ("Asma", "Asthme")
    assert ontology.inferred == ("economics",)
    assert ontology.topics["economics"].name == "Economics"
    assert ontology.topics["economics"].aliases == ("Ökonomie",)


def test_missing_files_and_wrong_columns_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(OntologyError, match="no klout_topic_ontology"):
        load_klout(tmp_path)
    folder = write_release(tmp_path / "bad", '1,"a","A","",""\n', "")
    (folder / "klout_topic_edge_20180601.csv").write_text("parent,child\n1,2\n", "utf-8")
    with pytest.raises(OntologyError, match="expected columns parentTopicId"):
        load_klout(folder)


@pytest.mark.shared_data
def test_the_real_release_loads_in_under_two_seconds() -> None:
    """Timed in CPU seconds (parsing is single-threaded Python): other work on a
    shared machine cannot inflate it; the best of three runs."""
    folder = shared_path("klout-topics")
    cpu = []
    for _ in range(3):
        clock = time.process_time()
        ontology = load_klout(folder)
        cpu.append(time.process_time() - clock)
    assert min(cpu) < 2.0, f"loading took {min(cpu):.2f} s of CPU"
    # 8,033 listed topics, plus "economics", which the edges name and the list lacks.
    assert len(ontology) == 8_034 and ontology.inferred == ("economics",)
    assert len(ontology.roots) == 16 and all(r.endswith("-super") for r in ontology.roots)
    assert len(ontology.edges) == 13_446 - 1 - 16  # less _ROOT_'s self-loop and root edges
    multi_parent = sum(1 for p in ontology.parents.values() if len(p) > 1)
    assert multi_parent == 2_396
    assert max(len(p) for p in ontology.parents.values()) == 18
    assert ontology.parents["asthma"] == ("diseases", "internal-medicine")
    assert ontology.depth() == 8
    assert ontology.topics["asthma"].aliases == ("الربو", "Asma", "Asthme")
    assert ontology.ancestors("asthma")["health-and-wellness-super"] >= 2
