"""The scoring model: TOML round-trip, documented defaults, validation, fingerprints."""

from __future__ import annotations

import ast
import inspect
import re
import tomllib
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renown.events import KINDS, OFFLINE_KINDS
from renown.scoring import model as model_module
from renown.scoring.model import DEFAULT_MODEL, Model

FIELD_NAMES = [f.name for f in fields(Model)]


# TOML round-trip -----------------------------------------------------------------------

def test_default_model_round_trips_through_toml() -> None:
    text = DEFAULT_MODEL.to_toml()
    assert set(tomllib.loads(text)) == set(FIELD_NAMES)
    again = Model.from_toml(text)
    assert again == DEFAULT_MODEL
    assert again.fingerprint == DEFAULT_MODEL.fingerprint
    assert again.to_toml() == text


def test_toml_without_version_leaves_out_only_the_version() -> None:
    data = tomllib.loads(DEFAULT_MODEL.to_toml(include_version=False))
    assert set(data) == set(FIELD_NAMES) - {"version"}


def test_a_partial_toml_takes_defaults_for_the_rest() -> None:
    model = Model.from_toml('version = "mine"\ndamping = 0.8\n[kind_weights]\nlike = 0.5\n')
    assert model.version == "mine"
    assert model.damping == 0.8
    assert model.kind_weights == {"like": 0.5}
    assert model.window_days == DEFAULT_MODEL.window_days


def _positive(low: float = 1e-6, high: float = 1e6) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


@st.composite
def models(draw: st.DrawFn) -> Model:
    low_raw = draw(_positive(1e-3, 1e3))
    low_score = draw(st.floats(1.5, 60))
    return Model(
        version=draw(st.text(min_size=1, max_size=20).filter(
            lambda s: bool(s.strip()) and s.isprintable())),
        window_days=draw(_positive()), half_life_days=draw(_positive()),
        kind_weights=draw(st.dictionaries(st.sampled_from(KINDS), _positive(0, 10))),
        selectivity_k=draw(_positive()), pair_saturation=draw(_positive()),
        reciprocity_discount=draw(st.floats(0, 1)),
        damping=draw(st.floats(0.01, 0.99)), tolerance=draw(_positive(1e-15, 1e-3)),
        max_iterations=draw(st.integers(1, 10_000)),
        amplification_prior_posts=draw(_positive()),
        weight_reach=draw(_positive(0, 5)), weight_network=draw(_positive(0, 5)),
        weight_amplification=draw(_positive(0.01, 5)),
        network_norm_p=draw(st.floats(1, 50)),
        scale_raws=(low_raw, low_raw * draw(st.floats(1.5, 1e4))),
        scale_scores=(low_score, draw(st.floats(low_score + 1, 99))),
        offline_max_points=draw(_positive(0, 50)), offline_scale=draw(_positive()),
        offline_half_life_days=draw(_positive()),
        offline_weights=draw(st.dictionaries(st.sampled_from(OFFLINE_KINDS), _positive(0, 10))),
        topic_min_posts=draw(st.integers(1, 100)), topic_min_days=draw(st.integers(1, 100)),
        topic_min_reactors=draw(st.integers(1, 100)),
    )


@settings(max_examples=60, deadline=None)
@given(model=models())
def test_any_valid_model_round_trips_exactly(model: Model) -> None:
    again = Model.from_toml(model.to_toml())
    assert again == model
    assert again.fingerprint == model.fingerprint


def test_load_reads_a_file_and_names_it_in_errors(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text(DEFAULT_MODEL.with_changes(version="v2", damping=0.8).to_toml())
    assert Model.load(good) == DEFAULT_MODEL.with_changes(version="v2", damping=0.8)
    for name, text in (("broken.toml", "damping = = 1"), ("range.toml", "damping = 2.0")):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(ValueError, match=re.escape(name)):
            Model.load(path)
    with pytest.raises(ValueError, match=r"missing\.toml"):
        Model.load(tmp_path / "missing.toml")


# Every default is documented with its reason ---------------------------------------------

def _comment_block_above(lines: list[str], line_number: int) -> list[str]:
    """The comment lines directly above 1-based ``line_number`` (top to bottom)."""
    block: list[str] = []
    index = line_number - 2
    while index >= 0 and lines[index].strip().startswith("#"):
        block.insert(0, lines[index].strip())
        index -= 1
    return block


def test_every_model_field_has_a_doc_comment_explaining_its_default() -> None:
    source = inspect.getsource(model_module)
    lines = source.splitlines()
    tree = ast.parse(source)
    model_class = next(node for node in tree.body
                       if isinstance(node, ast.ClassDef) and node.name == "Model")
    documented: dict[str, list[str]] = {}
    for node in model_class.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            documented[node.target.id] = _comment_block_above(lines, node.lineno)
    assert set(documented) == set(FIELD_NAMES)
    undocumented = [name for name, block in documented.items()
                    if not block or not block[0].startswith("#:")]
    assert not undocumented, f"fields without a '#:' comment: {undocumented}"
    too_short = [name for name, block in documented.items()
                 if len(" ".join(line.lstrip("#: ") for line in block).split()) < 5]
    assert not too_short, f"fields whose comment does not explain the default: {too_short}"


def test_the_kind_and_offline_weight_tables_document_each_default() -> None:
    source = inspect.getsource(model_module)
    for constant in ("DEFAULT_KIND_WEIGHTS", "DEFAULT_OFFLINE_WEIGHTS"):
        line = next(i for i, text in enumerate(source.splitlines(), 1)
                    if text.startswith(f"{constant}:"))
        block = _comment_block_above(source.splitlines(), line)
        assert block and block[0].startswith("#:"), constant


# Invalid parameters are rejected with clear messages ---------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"damping": 0.0}, "damping must be in \\(0, 1\\)"),
    ({"damping": 1.0}, "damping must be in \\(0, 1\\)"),
    ({"damping": -0.5}, "damping must be in \\(0, 1\\)"),
    ({"network_norm_p": 0.5}, "network_norm_p must be >= 1"),
    ({"scale_raws": (100.0, 10.0), "scale_scores": (20.0, 80.0)},
     "scale_raws must be positive and strictly increasing"),
    ({"scale_raws": (0.0, 10.0), "scale_scores": (20.0, 80.0)},
     "scale_raws must be positive and strictly increasing"),
    ({"scale_scores": (20.0, 40.0, 30.0, 95.0)},
     "scale_scores must be strictly increasing, between 1 and 100"),
    ({"scale_scores": (20.0, 40.0, 82.0, 100.0)},
     "scale_scores must be strictly increasing, between 1 and 100"),
    ({"scale_raws": (1.0, 2.0)}, r"the same number \(at least 2\) of points"),
    ({"weight_network": -0.1}, "component weights must be >= 0"),
    ({"weight_reach": 0.0, "weight_network": 0.0, "weight_amplification": 0.0},
     "component weights must be >= 0 and not all zero"),
    ({"kind_weights": {"like": -0.3}}, "kind weights must be >= 0"),
    ({"offline_weights": {"talk": -1.0}}, "offline weights must be >= 0"),
    ({"offline_max_points": -5.0}, "offline_max_points must be >= 0"),
    ({"reciprocity_discount": 1.5}, "reciprocity_discount must be in \\[0, 1\\]"),
    ({"half_life_days": 0.0}, "half_life_days must be > 0"),
    ({"window_days": -1.0}, "window_days must be > 0"),
    ({"max_iterations": 0}, "max_iterations must be >= 1"),
    ({"topic_min_reactors": 0}, "topic_min_reactors must be >= 1"),
    ({"damping": float("nan")}, "damping must be a finite number"),
    ({"weight_reach": float("nan")}, "weight_reach must be a finite number"),
    ({"window_days": float("inf")}, "window_days must be a finite number"),
    ({"damping": "high"}, "damping must be a finite number"),
    ({"max_iterations": 2.5}, "max_iterations must be a whole number"),
    ({"kind_weights": 3}, "kind_weights must be a table"),
    ({"kind_weights": {"retweet": 1.0}}, "kind_weights: unknown kinds 'retweet'"),
    ({"offline_weights": {"book": 2.0}}, "offline_weights: unknown kinds 'book'"),
    ({"version": ""}, "version must be a non-empty name"),
    ({"version": "a\nb"}, "version must be a non-empty name without control characters"),
])
def test_invalid_parameters_are_rejected_with_a_clear_message(changes: dict[str, Any],
                                                              message: str) -> None:
    with pytest.raises(ValueError, match="invalid model: .*" + message):
        Model(**changes)
    with pytest.raises(ValueError, match=message):
        DEFAULT_MODEL.with_changes(**changes)


def test_all_problems_are_reported_together() -> None:
    with pytest.raises(ValueError) as caught:
        Model(damping=2.0, network_norm_p=0.5, weight_reach=-1.0)
    text = str(caught.value)
    assert "damping" in text and "network_norm_p" in text and "component weights" in text


def test_unknown_toml_keys_are_rejected_by_name() -> None:
    with pytest.raises(ValueError, match="unknown model parameters: dampnig, extra"):
        Model.from_toml("dampnig = 0.8\nextra = 1\n")
    with pytest.raises(ValueError, match="unknown kinds 'retweet'"):
        Model.from_toml("[kind_weights]\nretweet = 1.0\n")


def test_invalid_values_in_toml_are_rejected() -> None:
    with pytest.raises(ValueError, match="damping must be in"):
        Model.from_toml("damping = 1.5\n")
    with pytest.raises(ValueError, match="network_norm_p must be >= 1"):
        Model.from_toml("network_norm_p = 0.9\n")


# Fingerprint -------------------------------------------------------------------------------

def _changed(name: str, value: object) -> object:
    if isinstance(value, bool):
        raise AssertionError(f"no boolean parameters expected ({name})")
    if isinstance(value, int):
        return value + 1
    if isinstance(value, float):
        return value * 0.99 if value else 0.01
    if isinstance(value, dict):
        first = sorted(value)[0]
        return {**value, first: value[first] * 1.01}
    if isinstance(value, str):
        return value + "-changed"
    if isinstance(value, tuple):  # scale anchors: nudge the last one, keeping the order
        return (*value[:-1], value[-1] * 1.001)
    raise AssertionError(f"unexpected parameter type for {name}: {type(value)}")


@pytest.mark.parametrize("name", [n for n in FIELD_NAMES if n != "version"])
def test_fingerprint_changes_with_every_parameter(name: str) -> None:
    changed = DEFAULT_MODEL.with_changes(**{name: _changed(name, getattr(DEFAULT_MODEL, name))})
    assert changed.fingerprint != DEFAULT_MODEL.fingerprint


def test_fingerprint_ignores_the_version_name() -> None:
    renamed = DEFAULT_MODEL.with_changes(version="something-else")
    assert renamed.fingerprint == DEFAULT_MODEL.fingerprint
    assert renamed != DEFAULT_MODEL


def test_fingerprint_does_not_depend_on_how_a_number_is_spelled() -> None:
    full = DEFAULT_MODEL.to_toml(include_version=False)
    spelled = Model.from_toml(full.replace("window_days = 300.0", "window_days = 300")
                              .replace("automation_fence = 50.0", "automation_fence = 50"))
    assert spelled.window_days == 300.0 and isinstance(spelled.window_days, float)
    assert spelled.fingerprint == DEFAULT_MODEL.fingerprint


def test_model_does_not_share_the_callers_weight_table() -> None:
    weights = dict(DEFAULT_MODEL.kind_weights)
    model = Model(version="mine", kind_weights=weights)
    weights["like"] = 99.0
    assert model.kind_weights["like"] == DEFAULT_MODEL.kind_weights["like"]
    assert model.fingerprint == DEFAULT_MODEL.fingerprint


def test_with_changes_validates_and_leaves_the_original_alone() -> None:
    changed = DEFAULT_MODEL.with_changes(damping=0.5)
    assert changed.damping == 0.5
    assert DEFAULT_MODEL.damping == 0.85
    assert replace(changed, damping=0.85) == DEFAULT_MODEL


#: The default model's parameters, pinned to its version name.  Changing any
#: default changes the fingerprint: then give the model a new version name
#: (scores carry it, and users are owed a preview) and update this pin.
PINNED_DEFAULT = ("renown-2026.12.3", "5f2416315281")


def test_changing_a_default_needs_a_new_version_name() -> None:
    assert (DEFAULT_MODEL.version, DEFAULT_MODEL.fingerprint) == PINNED_DEFAULT, (
        "a default parameter changed: bump Model.version and update PINNED_DEFAULT")


ROOT = Path(__file__).resolve().parents[2]


def test_a_model_written_before_a_parameter_existed_reads_it_as_off() -> None:
    """Stored 2026.11.x definitions lack the 2026.12 parameters: they keep their numbers."""
    old = Model.load(ROOT / "docs" / "models" / "renown-2026.11.1.toml")
    assert (old.mutual_discount, old.repetition_exponent, old.automation_fence) == (0, 0, 0)
    assert old.reciprocity_discount == 0.6
    assert old.fingerprint == "de75d7ecf68d"  # as pinned when 2026.11.1 was the default
    assert Model.from_toml(DEFAULT_MODEL.to_toml()) == DEFAULT_MODEL
