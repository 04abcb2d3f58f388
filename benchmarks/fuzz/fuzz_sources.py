"""Coverage-guided fuzzing of one source parser with atheris (libFuzzer for Python).

    python benchmarks/fuzz/fuzz_sources.py FORMAT -atheris_runs=500

The input starts as the format's valid seed (`renown.reliability.seeds`); each
fuzz input picks a member file of it and replaces, splices into or truncates
it with the fuzzer's bytes, and the result goes through the real ingestion
(`renown.reliability.fuzzing.run_case`).  Anything but "stored consistently"
or "refused with SourceError" raises, which libFuzzer reports as a crash (with
the input saved under ``-artifact_prefix``).  The source modules are
instrumented, so the fuzzer steers toward new branches in them.  `renown
selftest` runs this for a bounded number of runs per format; it is not part
of the unit suite.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["renown.sources"]):
    from renown.reliability.fuzzing import run_case
    from renown.reliability.hostile import members
    from renown.reliability.seeds import SEEDS, write_seed
    from renown.sources import get_source


class FailedCaseError(Exception):
    """Ingestion ended other than stored or refused: a bug to report."""


def main() -> None:
    fmt = sys.argv[1]
    with atheris.instrument_imports(include=["renown.sources"]):
        get_source(fmt)  # import (and so instrument) the source module now
    logging.disable(logging.CRITICAL)
    template = Path(tempfile.mkdtemp(prefix="renown-atheris-"))
    seed, options = write_seed(fmt, template / "seed")
    relative = [p.relative_to(seed) if seed.is_dir() else Path(p.name) for p in members(seed)]

    def test_one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        member = relative[provider.ConsumeIntInRange(0, len(relative) - 1)]
        mode = provider.ConsumeIntInRange(0, 2)
        position = provider.ConsumeIntInRange(0, 1 << 16)
        payload = provider.ConsumeBytes(provider.remaining_bytes())
        case = Path(tempfile.mkdtemp(prefix="renown-case-"))
        try:
            if seed.is_dir():
                root = case / "seed"
                shutil.copytree(seed, root)
                target = root / member
            else:
                (case / "seed").mkdir()
                root = target = case / "seed" / seed.name
                shutil.copy(seed, root)
            original = target.read_bytes()
            at = position % (len(original) + 1)
            target.write_bytes(payload if mode == 0 else
                               original[:at] + payload + original[at:] if mode == 1 else
                               original[:at] + payload)
            outcome = run_case(fmt, root, options, seconds=30)
        finally:
            shutil.rmtree(case, ignore_errors=True)
        if outcome.result == "failed":
            raise FailedCaseError(f"{fmt}: {outcome.detail}")

    atheris.Setup([sys.argv[0], *sys.argv[2:]], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in SEEDS:
        sys.exit(f"usage: {sys.argv[0]} FORMAT [-atheris_runs=N] (formats: {', '.join(SEEDS)})")
    main()
