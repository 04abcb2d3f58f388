"""The mutators themselves must never hang or fail, whatever earlier mutations left.

A mutator that blocked (writing into a FIFO an earlier mutation made) hung
the fuzz test outside any time limit, and the test runner's own limit then
killed the whole test worker.  Every ordered pair of mutations, applied twice
over, must finish on two folder formats of different layouts.
"""

from __future__ import annotations

import itertools
import os
import random
from pathlib import Path

import pytest

from renown.reliability.fuzzing import CaseTimeoutError, time_limit
from renown.reliability.hostile import CHEAP, MUTATORS, members
from renown.reliability.seeds import write_seed


@pytest.mark.parametrize("fmt", ["mastodon-api", "stackexchange"])
def test_any_sequence_of_mutations_finishes(fmt: str, tmp_path: Path) -> None:
    pairs = list(itertools.product(CHEAP, repeat=2))
    for n, (first, second) in enumerate(pairs):
        path, _ = write_seed(fmt, tmp_path / str(n) / "input")
        rnd = random.Random(n)
        with time_limit(10):
            for name in (first, second, first, second):
                MUTATORS[name](path, rnd)


def test_a_folder_of_fifos_gets_a_new_regular_member(tmp_path: Path) -> None:
    """``extra.json`` already a FIFO: the next mutation writes a new file instead."""
    folder = tmp_path / "input"
    folder.mkdir()
    (folder / "extra.json").write_bytes(b"{}")
    rnd = random.Random(0)
    with time_limit(10):
        MUTATORS["fifo"](folder, rnd)  # the only file becomes a FIFO
        MUTATORS["random-bytes"](folder, rnd)  # makes extra.json's successor
        MUTATORS["fifo"](folder, rnd)
        MUTATORS["truncate"](folder, rnd)
    assert (folder / "extra.json").is_fifo() and (folder / "extra-1.json").is_fifo()
    assert members(folder) == [folder / "extra-2.json"]


def test_time_limit_interrupts_a_blocked_open(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(CaseTimeoutError), time_limit(0.2):
        fifo.write_bytes(b"x")  # blocks until a reader comes: none will
