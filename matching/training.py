"""Judged queries for training the ranker, read from files in the CheckThat! layout.

- queries: ``id TAB text``; an id ``<transcript>_<line>`` names its sentence's place;
- judgements (TREC qrels): ``query_id TAB 0 TAB factcheck_url TAB 1`` (the fact-check
  by its URL, as the library knows it);
- transcripts (optional): ``<transcript>.tsv`` files, ``line TAB speaker TAB text``, which
  give each sentence its neighbours, speaker and (from a name starting ``YYYYMMDD``) day.
"""

from __future__ import annotations

import difflib
import hashlib
from datetime import date, datetime
from pathlib import Path

from matching import encoder
from matching.index import LibraryIndex, Query
from matching.ranker import Judged
from matching.services import CONTEXT_SEGMENTS


class TrainingFileError(ValueError):
    """A training file that cannot be read, with the file and line in the message."""


def read_queries(path: Path) -> dict[str, str]:
    queries = {}
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        parts = line.split("\t", 1)
        if len(parts) != 2 or not parts[0].strip():
            raise TrainingFileError(f"{path.name}, line {number}: expected id TAB text")
        queries[parts[0].strip()] = parts[1].strip()
    return queries


def read_judgements(path: Path) -> dict[str, set[str]]:
    judged: dict[str, set[str]] = {}
    for number, line in enumerate(_lines(path), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 4:
            raise TrainingFileError(f"{path.name}, line {number}: expected 4 tab-separated fields")
        if parts[3].strip() == "1":
            judged.setdefault(parts[0].strip(), set()).add(parts[2].strip())
    return judged


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise TrainingFileError(f"{path.name}: cannot read it ({error})") from None


def _transcript_lines(folder: Path | None) -> dict[str, dict[int, tuple[str, str]]]:
    found: dict[str, dict[int, tuple[str, str]]] = {}
    if folder is None:
        return found
    for path in sorted(folder.glob("*.tsv")):
        lines = {}
        for line in _lines(path):
            parts = line.split("\t")
            if len(parts) >= 3 and parts[0].strip().isdigit():
                lines[int(parts[0])] = (parts[1].strip(), parts[2].strip())
        found[path.stem] = lines
    return found


def _day(name: str) -> date | None:
    try:
        return datetime.strptime(name[:8], "%Y%m%d").date()
    except ValueError:
        return None


def query_of(query_id: str, text: str, transcripts) -> Query:
    """The query as the desk would build it for that sentence: neighbours, speaker, day."""
    name, _, line = query_id.rpartition("_")
    lines = transcripts.get(name)
    if lines is None and transcripts:  # a misspelt transcript name: the closest file
        close = difflib.get_close_matches(name, list(transcripts), n=1, cutoff=0.9)
        lines = transcripts[close[0]] if close else None
    if not lines or not line.isdigit():
        return Query(text=text)
    at = int(line)
    context = " ".join(
        lines[i][1]
        for i in range(at - CONTEXT_SEGMENTS, at + CONTEXT_SEGMENTS + 1)
        if i != at and i in lines
    )
    speaker = lines.get(at, ("", ""))[0]
    return Query(text=text, context=context, speaker=speaker, day=_day(name))


def judged_queries(
    index: LibraryIndex, queries: dict[str, str], judgements: dict[str, set[str]], transcripts
) -> list[Judged]:
    """Each judged query's candidates from ``index`` with their features; the relevant
    fact-checks are named by URL and looked up in the index."""
    by_url = {doc.url: doc.id for doc in index.docs if getattr(doc, "url", "")}
    judged = []
    for query_id, urls in judgements.items():
        if query_id not in queries:
            continue
        query = query_of(query_id, queries[query_id], transcripts)
        vectors = encoder.encode([query.text])
        chosen, rows = index.features(query, vectors)
        relevant = {by_url[url] for url in urls if url in by_url}
        judged.append(Judged([index.docs[j].id for j in chosen], rows, relevant))
    return judged


def file_fingerprint(path: Path) -> dict:
    return {"name": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}


transcript_lines = _transcript_lines
