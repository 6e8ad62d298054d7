"""manage.py verify_ledger — check the ledger's hashes, links, signed seals, witness and evidence."""

from itertools import chain, islice
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from archive import evidence, ledger, signing, witness


class Command(BaseCommand):
    help = (
        "Verify that no ledger event was edited, deleted, inserted or reordered, that every "
        "seal is signed by a trusted key, that every seal a witness saw is still there, and "
        "that the evidence (sources, transcripts, segments) matches what was imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("--max-problems", type=int, default=20)
        parser.add_argument(
            "--witness",
            type=Path,
            help="a witness file (or a copy of seal_ledger's lines); default CLAIMTRAIL_LEDGER_WITNESS",
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            action="append",
            default=[],
            help="trust only these public keys (PEM; repeatable) instead of the configured ones",
        )
        parser.add_argument(
            "--skip-evidence", action="store_true", help="check the ledger only, not the evidence"
        )

    def handle(self, *args, **options):
        keys = self._keys(options["public_key"])
        witness_path = options["witness"] or witness.configured_path()
        if options["witness"] and not options["witness"].is_file():
            raise CommandError(f"no witness file at {options['witness']}")
        checks = [ledger.verify(keys=keys)]
        if witness_path is not None and witness_path.exists():
            checks.append(self._witness(witness_path))
        if not options["skip_evidence"]:
            checks.append(evidence.verify())
        problems = list(islice(chain(*checks), options["max_problems"]))
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            what = [
                "the ledger chain is broken"
                if any(isinstance(p, ledger.ChainProblem) for p in problems)
                else "",
                "the evidence does not match its import"
                if any(isinstance(p, evidence.EvidenceProblem) for p in problems)
                else "",
            ]
            raise CommandError(
                f"{' and '.join(w for w in what if w)} ({len(problems)} problem(s) shown)"
            )
        self._report(witness_path)

    def _keys(self, paths):
        if not paths:
            return None
        try:
            return {signing.key_id(key): key for key in map(signing.load_public_key, paths)}
        except (OSError, signing.SigningError) as error:
            raise CommandError(str(error)) from None

    def _witness(self, path):
        try:
            yield from ledger.verify_witness(path)
        except witness.WitnessError as error:
            raise CommandError(str(error)) from None

    def _report(self, witness_path):
        sequence, digest = ledger.head()
        last_seal = ledger.LedgerSeal.objects.order_by("-number").first()
        sealed = last_seal.last_sequence if last_seal else 0
        checked = (
            f"witness {witness_path}" if witness_path and witness_path.exists() else "no witness"
        )
        self.stdout.write(
            f"ledger ok: {ledger.count()} events up to #{sequence}, head {digest[:16]};"
            f" sealed and signed up to #{sealed}; {checked}"
        )
        overdue, first = ledger.unsealed_overdue()
        if overdue:
            self.stderr.write(
                f"warning: {overdue} event(s) from #{first} are older than the seal interval"
                " and not sealed yet; until they are, deleting them goes unseen: run"
                " `manage.py seal_ledger` from cron"
            )
