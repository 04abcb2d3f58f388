"""``renown ontology show | use``: the topic ontology posts are matched against."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from renown.interfaces.cli.common import DbOption, JsonOption, console, fail, print_json, store
from renown.scoring.topics.default import default_ontology
from renown.scoring.topics.klout import load_klout
from renown.scoring.topics.ontology import Ontology, OntologyError
from renown.scoring.topics.ontology_store import ensure_ontology, stored_ontology, use_ontology
from renown.scoring.topics.tag_vocabulary import tag_ontology
from renown.scoring.topics.user_format import load_user_ontology

ontology_app = typer.Typer(help="The topic ontology: show it, or choose another.",
                           no_args_is_help=True)


def load_ontology_source(source: str, *, default_terms: bool = True) -> Ontology:
    """``default``, a Klout release folder, or a YAML/JSON file in the user format.

    A Klout ontology has names only; with ``default_terms`` it borrows the
    built-in ontology's keywords, hashtags and aliases for the slugs they share.
    """
    if source == "default":
        return default_ontology()
    path = Path(source)
    if path.is_dir():
        klout = load_klout(path)
        return klout.with_terms_from(default_ontology()) if default_terms else klout
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return load_user_ontology(path)
    raise OntologyError(f"{source}: expected 'default', 'tags', a folder with the Klout CSV "
                        "files, or a .yaml/.yml/.json ontology file")


@ontology_app.command("use")
def use_command(
    source: Annotated[str, typer.Argument(
        help="'default', 'tags' (the tags on the store's posts), a folder with the Klout "
             "Topic Ontology CSVs, or a YAML/JSON file.")],
    default_terms: Annotated[bool, typer.Option(
        help="Klout only: borrow the built-in keywords for shared slugs.")] = True,
    min_tag_uses: Annotated[int, typer.Option(
        min=1, help="'tags' only: a tag becomes a topic on at least this many posts.")] = 2,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Match posts against this ontology from the next `renown score` on."""
    with store(db) as con:
        try:
            ontology = tag_ontology(con, min_uses=min_tag_uses) if source == "tags" else \
                load_ontology_source(source, default_terms=default_terms)
        except OntologyError as exc:
            fail(str(exc))
        if not ontology.topics:
            fail(f"no tag is used on {min_tag_uses} or more posts in the store")
        info = use_ontology(con, ontology)
    if as_json:
        print_json(info)
        return
    console.print(f"Using ontology [bold]{info.name}[/] ({info.topics:,} topics, "
                  f"fingerprint {info.fingerprint}) from {info.source}; run `renown score` "
                  "to attribute its topics.")


@ontology_app.command("show")
def show_command(
    topic: Annotated[str | None, typer.Option(help="Show one topic: its words and neighbours.",
                                              show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The store's ontology (the built-in one until another is chosen), or one topic."""
    with store(db) as con:
        ensure_ontology(con)
        ontology = stored_ontology(con)
    data = _topic_data(ontology, topic) if topic is not None else _summary(ontology)
    if as_json:
        print_json(data)
        return
    table = Table(show_header=False)
    for key, value in data.items():
        table.add_row(key, ", ".join(map(str, value)) if isinstance(value, list | tuple)
                      else str(value))
    console.print(table)


def _summary(ontology: Ontology) -> dict[str, Any]:
    return {"name": ontology.name, "source": ontology.source,
            "fingerprint": ontology.fingerprint, "topics": len(ontology),
            "edges": len(ontology.edges), "depth": ontology.depth(),
            "multi_parent_topics": sum(1 for p in ontology.parents.values() if len(p) > 1),
            "roots": list(ontology.roots)}


def _topic_data(ontology: Ontology, slug: str) -> dict[str, Any]:
    found = ontology.topics.get(slug)
    if found is None:
        fail(f"unknown topic {slug!r} in ontology {ontology.name!r}")
    return {"slug": found.slug, "name": found.name, "aliases": list(found.aliases),
            "keywords": list(found.keywords), "hashtags": list(found.hashtags),
            "parents": list(ontology.parents[slug]), "children": list(ontology.children[slug])}
