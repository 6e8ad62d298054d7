"""Reading fact-checks: schema.org ClaimReview (JSON-LD, JSONL) and Google Fact Check Tools.

Pure functions over bytes: nothing here touches the database. :func:`read` takes a
binary file, detects its format (or takes the one named) and returns a
:class:`Document` whose ``items`` yield, in file order, one :class:`Item` per record:
either a normalised :class:`FactCheckRecord` or the reason it was refused, each with
its position (``line 12``, ``dataFeedElement[3].item[0]``, ``claims[5].claimReview[1]``).
Deciding what to do with refused records is the import service's business.

Formats:

* ``jsonld``: one JSON document holding ClaimReview objects: one object, a list, an
  ``@graph`` (other nodes in it, such as the page or the organisation, are skipped),
  or a ``DataFeed`` whose ``dataFeedElement`` holds ClaimReviews or items with an
  ``item`` list of them (the Data Commons fact-check feed).
* ``jsonl``: one JSON object a line, each a ClaimReview (or an item holding them).
  Read line by line, so a file of any size streams; a line over
  :data:`MAX_LINE_BYTES` is refused as a record.
* ``fact-check-tools``: the answer of Google's Fact Check Tools ``claims:search``:
  ``{"claims": [{"text", "claimant", "claimDate", "claimReview": [{"publisher":
  {"name", "site"}, "url", "title", "reviewDate", "textualRating",
  "languageCode"}]}]}``; each ``claimReview`` is one fact-check.

A JSON document is read whole, so it is bounded (``max_document_bytes``, 200 MB by
default); malformed JSON is refused with its line and column. A UTF-8 byte order mark
is skipped; other encodings are refused (ClaimReview is UTF-8 JSON).

Each record is checked: an http(s) ``url`` and the claim text are required, every text
is bounded (:data:`library.records.MAX_LENGTHS`) and may not hold a NUL. What is
optional is kept when it reads and left empty when it does not: a date that is not
ISO 8601, a rating value that is not a number, a publisher URL that is not http(s).
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any
from urllib.parse import urlsplit

import orjson

from common.errors import DocumentError, DocumentTooLarge
from library import verdicts
from library.records import MAX_LENGTHS, REVIEW_BODY_MAX_LENGTH

FORMATS = ("jsonld", "jsonl", "fact-check-tools")
DEFAULT_MAX_DOCUMENT_BYTES = 200_000_000
MAX_LINE_BYTES = 10_000_000
WEB_SCHEMES = ("http", "https")
_BOM = b"\xef\xbb\xbf"
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True, slots=True)
class FactCheckRecord:
    """One fact-check, normalised: the fields of :data:`library.records.FIELDS`."""

    url: str
    claim_reviewed: str
    claimant: str = ""
    claim_date: date | None = None
    rating_name: str = ""
    rating_value: float | None = None
    rating_best: float | None = None
    rating_worst: float | None = None
    verdict: str = ""
    publisher_name: str = ""
    publisher_url: str = ""
    date_published: date | None = None
    headline: str = ""
    language: str = ""
    annotation: str | None = None  # the team's own: the annotation's id
    review_body: str = ""

    @property
    def annotation_id(self) -> str | None:
        return self.annotation


@dataclass(frozen=True, slots=True)
class Item:
    """A record read from a file, or, with ``record`` None, one refused and why."""

    where: str
    record: FactCheckRecord | None = None
    reason: str = ""

    @property
    def refused(self) -> bool:
        return self.record is None

    def __str__(self):
        return f"{self.where}: {self.reason}" if self.refused else self.where


@dataclass
class Document:
    """A file read as fact-checks: its format, its items (lazily) and, when known, how many."""

    format: str
    items: Iterator[Item]
    count: int | None = None
    notes: list[str] = field(default_factory=list)


class BadRecord(ValueError):
    """One record cannot be imported; the message says why (without its position)."""


# ---------------------------------------------------------------- files


def read(
    stream: IO[bytes],
    *,
    filename: str = "",
    format: str = "auto",
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> Document:
    """Read a binary file of fact-checks in ``format`` (``auto``: detect it).

    Raises :class:`~common.errors.DocumentError` (``DocumentTooLarge`` for a JSON
    document over ``max_document_bytes``) when the file as a whole cannot be read:
    empty, not UTF-8 JSON, malformed, or not any of the formats. JSONL is streamed from
    ``stream``, which must stay open while the items are read.
    """
    if format not in ("auto", *FORMATS):
        raise DocumentError(f"unknown format {format!r}; use one of: auto, {', '.join(FORMATS)}")
    if not stream.seekable():  # a pipe: read whole, within the bound of one document
        stream = io.BytesIO(_read_bounded(stream, max_document_bytes))
    if format == "auto":
        format = _detect(stream, filename)
    if format == "jsonl":
        stream.seek(0)
        return Document("jsonl", _jsonl_items(stream))
    if stream.seek(0, io.SEEK_END) > max_document_bytes:  # refused before it is read
        raise too_large(max_document_bytes)
    stream.seek(0)
    data = _read_bounded(stream, max_document_bytes)
    return parse_document(data, format=format)


def read_bytes(data: bytes, **options) -> Document:
    """:func:`read` over bytes already in memory."""
    return read(io.BytesIO(data), **options)


def _read_bounded(stream: IO[bytes], max_bytes: int) -> bytes:
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    return data


def too_large(max_bytes: int) -> DocumentTooLarge:
    """The refusal of a JSON document over ``max_bytes`` (with the way out: JSONL)."""
    return DocumentTooLarge(
        f"a JSON document may have at most {_size(max_bytes)} and this one has more; "
        "write it as JSONL (one ClaimReview a line), which is read line by line, or split it"
    )


def _size(count: int) -> str:
    return f"{count / 1_000_000:,.0f} MB" if count >= 10_000_000 else f"{count:,} bytes"


def _detect(stream: IO[bytes], filename: str) -> str:
    """``jsonl`` or a JSON document (``jsonld``; :func:`parse_document` tells Fact Check
    Tools answers apart by their shape)."""
    lines: list[bytes] = []
    first = True
    while len(lines) < 2:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            break
        if first:
            _check_encoding(line)
            line, first = line.removeprefix(_BOM), False
        if line.strip():
            lines.append(line.strip())
    if not lines:
        raise DocumentError("file is empty")
    if filename.lower().endswith((".jsonl", ".ndjson", ".jsonl.txt")):
        return "jsonl"
    opening = lines[0][:1]
    if opening not in (b"{", b"["):
        shown = lines[0][:20].decode("utf-8", "replace")
        raise DocumentError(
            f"not JSON: a ClaimReview file starts with {{ or [, this one with {shown!r}"
        )
    if opening == b"[" or len(lines) < 2:
        return "jsonld"
    # Two objects on their own lines, or a first line that fails while the second is a
    # whole object (a bad first record): JSONL. A pretty-printed document's first lines
    # ("{", '"@context": ...,') are never whole objects.
    return "jsonl" if _whole_object(lines[0]) or _whole_object(lines[1]) else "jsonld"


def _check_encoding(head: bytes) -> None:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DocumentError("is UTF-16; fact-check files are UTF-8 JSON: save it as UTF-8")


def _whole_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


# ---------------------------------------------------------------- JSON documents


def parse_document(data: bytes, *, format: str = "jsonld") -> Document:
    """A whole JSON document (``jsonld`` or ``fact-check-tools``, told apart by shape:
    a top-level ``claims`` list is a Fact Check Tools answer)."""
    _check_encoding(data[:2])
    data = data.removeprefix(_BOM)
    if not data.strip():
        raise DocumentError("file is empty")
    try:
        document = orjson.loads(data)  # from the bytes: no decoded copy of the text is made
    except orjson.JSONDecodeError as error:
        if "UTF-8" in str(error.msg):
            raise _not_utf8(data) from None
        raise DocumentError(
            f"not valid JSON: {_json_problem(error)} at line {error.lineno}, column {error.colno}"
        ) from None
    is_tools = (
        isinstance(document, dict)
        and isinstance(document.get("claims"), list)
        and not _types(document)
    )
    if format == "fact-check-tools" and not is_tools:
        raise DocumentError('not a Fact Check Tools answer: it has no "claims" list')
    if is_tools:
        nodes = list(_tools_nodes(document))
        return Document("fact-check-tools", _records(nodes), count=len(nodes))
    nodes = list(_jsonld_nodes(document))
    return Document("jsonld", _records(nodes), count=len(nodes))


def _not_utf8(data: bytes) -> DocumentError:
    """Where ``data`` stops being UTF-8, as a refusal."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_column(data, error.start)
        return DocumentError(
            f"not UTF-8 text at line {line}, column {column} (byte offset {error.start}); "
            "save it as UTF-8"
        )
    return DocumentError("not UTF-8 text (lone surrogates); save it as UTF-8")


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return data.count(b"\n", 0, offset) + 1, column


def _json_problem(error: orjson.JSONDecodeError) -> str:
    message = str(error.msg)
    if "depth" in message:
        return "nested too deeply"
    return message


def _records(nodes) -> Iterator[Item]:
    """An :class:`Item` per ``(where, node, refusal)``: the node built, or the refusal.

    A node is a ClaimReview object, or a Fact Check Tools ``(claim, claimReview)`` pair.
    """
    for where, node, refusal in nodes:
        if refusal:
            yield Item(where, reason=refusal)
            continue
        build = _tools_record if isinstance(node, tuple) else claim_review_record
        try:
            yield Item(where, build(node))
        except BadRecord as error:
            yield Item(where, reason=str(error))


def _jsonld_nodes(document: Any, where: str = "") -> Iterator[tuple[str, Any, str]]:
    """``(position, ClaimReview node, "")`` or ``(position, None, why refused)``."""
    if isinstance(document, list):
        for index, node in enumerate(document):
            yield from _entry(node, f"{where}[{index}]")
    elif isinstance(document, dict):
        if "@graph" in document:
            yield from _graph(document["@graph"], _join(where, "@graph"))
        elif _is_feed(document):
            yield from _feed(document, where)
        else:
            yield from _entry(document, where or "document")
    else:
        raise DocumentError(
            f"not a ClaimReview document: it holds a JSON {_kind(document)}, "
            "not an object or a list"
        )


def _graph(graph: Any, where: str) -> Iterator[tuple[str, Any, str]]:
    nodes = graph if isinstance(graph, list) else [graph]
    for index, node in enumerate(nodes):
        here = f"{where}[{index}]"
        if isinstance(node, dict) and _is_feed(node):
            yield from _feed(node, here)
        elif isinstance(node, dict) and _is_claim_review(node):
            yield here, node, ""
        # Other nodes of a graph (the page, the organisation, the claim) are context.


def _feed(feed: dict, where: str) -> Iterator[tuple[str, Any, str]]:
    elements = feed.get("dataFeedElement")
    if elements is None:
        return
    for index, element in enumerate(elements if isinstance(elements, list) else [elements]):
        yield from _entry(element, _join(where, f"dataFeedElement[{index}]"))


def _entry(node: Any, where: str) -> Iterator[tuple[str, Any, str]]:
    """A ClaimReview, or something holding them (a feed item's ``item``, a feed)."""
    if not isinstance(node, dict):
        yield where, None, f"not an object (a JSON {_kind(node)})"
    elif _is_claim_review(node):
        yield where, node, ""
    elif _is_feed(node):
        yield from _feed(node, where)
    elif "item" in node:
        items = node["item"]
        if isinstance(items, list):
            for index, item in enumerate(items):
                yield from _item(item, f"{where}.item[{index}]")
        else:
            yield from _item(items, f"{where}.item")
    elif isinstance(node.get("claimReview"), list):  # a Fact Check Tools claim on its own
        yield from _tools_claim(node, where)
    else:
        yield where, None, _not_a_claim_review(node)


def _item(node: Any, where: str) -> Iterator[tuple[str, Any, str]]:
    if not isinstance(node, dict):
        yield where, None, f"not an object (a JSON {_kind(node)})"
    elif _is_claim_review(node):
        yield where, node, ""
    else:
        yield where, None, _not_a_claim_review(node)


def _not_a_claim_review(node: dict) -> str:
    types = _types(node)
    if types:
        return f"not a ClaimReview (@type {', '.join(sorted(types))})"
    return "not a ClaimReview (no @type, no claimReviewed)"


def _join(where: str, part: str) -> str:
    return f"{where}.{part}" if where else part


def _types(node: dict) -> set[str]:
    """The node's types by local name: ``schema:ClaimReview`` and
    ``https://schema.org/ClaimReview`` are both ``ClaimReview``."""
    raw = node.get("@type", node.get("type"))
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", value)[-1] for value in values if isinstance(value, str) and value}


def _is_claim_review(node: dict) -> bool:
    types = _types(node)
    return "ClaimReview" in types or (not types and "claimReviewed" in node)


def _is_feed(node: dict) -> bool:
    return "DataFeed" in _types(node) or "dataFeedElement" in node


def _kind(value: Any) -> str:
    return {
        str: "string",
        int: "number",
        float: "number",
        bool: "boolean",
        list: "list",
        dict: "object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


# ---------------------------------------------------------------- Fact Check Tools


def _tools_nodes(document: dict) -> Iterator[tuple[str, Any, str]]:
    for index, claim in enumerate(document["claims"]):
        yield from _tools_claim(claim, f"claims[{index}]")


def _tools_claim(claim: Any, where: str) -> Iterator[tuple[str, Any, str]]:
    if not isinstance(claim, dict):
        yield where, None, f"not an object (a JSON {_kind(claim)})"
        return
    reviews = claim.get("claimReview")
    if not isinstance(reviews, list) or not reviews:
        yield where, None, "has no claimReview"
        return
    for index, review in enumerate(reviews):
        here = f"{where}.claimReview[{index}]"
        if isinstance(review, dict):
            yield here, (claim, review), ""
        else:
            yield here, None, f"not an object (a JSON {_kind(review)})"


def _tools_record(pair: tuple[dict, dict]) -> FactCheckRecord:
    claim, review = pair
    publisher = review.get("publisher") if isinstance(review.get("publisher"), dict) else {}
    site = _text(publisher.get("site"))
    rating_name = _text(review.get("textualRating"))
    return _record(
        url=_url(review.get("url"), "url"),
        claim_reviewed=_text(claim.get("text")),
        claim_field="text",
        claimant=_text(claim.get("claimant")),
        claim_date=_date(claim.get("claimDate")),
        rating_name=rating_name,
        rating_value=None,
        rating_best=None,
        rating_worst=None,
        publisher_name=_text(publisher.get("name")) or site,
        # ``site`` is a host name ("politifact.com"); a web address is kept as given.
        publisher_url=_web_url(site) or _web_url(f"https://{site}" if _HOST.match(site) else ""),
        date_published=_date(review.get("reviewDate")),
        headline=_text(review.get("title")),
        language=_text(review.get("languageCode")),
    )


_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")


# ---------------------------------------------------------------- ClaimReview


def claim_review_record(
    node: dict, *, url_schemes: tuple[str, ...] = WEB_SCHEMES
) -> FactCheckRecord:
    """The normalised record of one ClaimReview object; :class:`BadRecord` when it has no
    usable url or claim, or a field over its bound. ``url_schemes`` are the address
    schemes accepted (the team's own may be ``urn:claimtrail:annotation:<id>``)."""
    item = _first_object(node.get("itemReviewed"))
    rating = _first_object(node.get("reviewRating"))
    publisher = node.get("author") or node.get("publisher")
    organisation = _first_object(publisher)
    claim_field = "claimReviewed"
    claim = _text(node.get("claimReviewed"))
    if not claim and item:
        claim = _text(item.get("text")) or _text(item.get("name"))
    value = _number(rating.get("ratingValue"))
    best = _number(rating.get("bestRating"))
    worst = _number(rating.get("worstRating"))
    return _record(
        url=_url(node.get("url"), "url", schemes=url_schemes),
        claim_reviewed=claim,
        claim_field=claim_field,
        claimant=_names(item.get("author")) if item else "",
        claim_date=_claim_date(item),
        rating_name=_text(rating.get("alternateName")) or _text(rating.get("name")),
        rating_value=value,
        rating_best=best,
        rating_worst=worst,
        publisher_name=_text(organisation.get("name")) if organisation else _text(publisher),
        publisher_url=_web_url(_text(organisation.get("url"))) if organisation else "",
        date_published=_date(node.get("datePublished")),
        review_body=_text(node.get("reviewBody") or node.get("description"))[
            :REVIEW_BODY_MAX_LENGTH
        ],
        headline=_text(node.get("headline")) or _text(node.get("name")),
        language=_language(node.get("inLanguage")),
    )


def _record(*, claim_field: str, **values: Any) -> FactCheckRecord:
    """Check the bounds and build the record; the verdict comes from the rating."""
    if not values["claim_reviewed"]:
        raise BadRecord(f"{claim_field} is required (the claim the fact-check reviewed)")
    for name, value in values.items():
        if isinstance(value, str):
            limit = MAX_LENGTHS.get(name)
            shown = claim_field if name == "claim_reviewed" else name
            if limit is not None and len(value) > limit:
                raise BadRecord(
                    f"{shown} has {len(value):,} characters, over the limit of {limit:,}"
                )
            if "\x00" in value:
                raise BadRecord(f"{shown} contains a NUL character")
    values["verdict"] = verdicts.verdict_for(
        values["rating_name"], values["rating_value"], values["rating_best"], values["rating_worst"]
    )
    return FactCheckRecord(**values)


def _first_object(value: Any) -> dict:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str:
    """A text value: a string (stripped), a number written out, a JSON-LD value object's
    ``@value`` or a thing's ``name``, the first of a list; otherwise ``""``."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict):
        return _text(value.get("@value", value.get("name")))
    if isinstance(value, list):
        return next((text for text in map(_text, value) if text), "")
    return ""


def _names(value: Any) -> str:
    """Who: a name, a person or organisation, or several of them joined with commas."""
    if isinstance(value, list):
        return ", ".join(dict.fromkeys(name for name in map(_names, value) if name))
    return _text(value)


def _number(value: Any) -> float | None:
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _date(value: Any) -> date | None:
    """The date of an ISO 8601 date or date-time (its calendar day as written), else None."""
    match = _ISO_DATE.match(_text(value))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _claim_date(item: dict) -> date | None:
    if not item:
        return None
    found = _date(item.get("datePublished"))
    for key in ("firstAppearance", "appearance"):
        if found is None:
            found = _date(_first_object(item.get(key)).get("datePublished"))
    return found


def _language(value: Any) -> str:
    if isinstance(value, dict):
        return _text(value.get("alternateName")) or _text(value.get("name"))
    return _text(value)


def _url(value: Any, name: str, *, schemes: tuple[str, ...] = WEB_SCHEMES) -> str:
    """The record's address: required, one of ``schemes``, no spaces, bounded."""
    if isinstance(value, dict):
        value = value.get("@id", value.get("url"))
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(f"{name} is required (the fact-check's address)")
    url = value.strip()
    shown = url if len(url) <= 80 else url[:79] + "…"
    parts = urlsplit(url) if not re.search(r"[\s\x00-\x1f\x7f]", url) else None
    scheme = parts.scheme.lower() if parts else ""
    usable = parts is not None and scheme in schemes and (parts.netloc or scheme == "urn")
    if not usable or (scheme == "urn" and not parts.path):
        wanted = " or ".join(f"{s}:" for s in schemes)
        raise BadRecord(f"{name} must be an address starting with {wanted}, got {shown!r}")
    if len(url) > MAX_LENGTHS["url"]:
        raise BadRecord(
            f"{name} has {len(url):,} characters, over the limit of {MAX_LENGTHS['url']:,}"
        )
    return url


def _web_url(value: str) -> str:
    """``value`` when it is an http(s) address with a host (kept as a link), else ``""``."""
    if not value or re.search(r"[\s\x00-\x1f\x7f]", value):
        return ""
    parts = urlsplit(value)
    return value if parts.scheme.lower() in WEB_SCHEMES and parts.netloc else ""


# ---------------------------------------------------------------- JSONL


def _jsonl_items(stream: IO[bytes]) -> Iterator[Item]:
    """One item per non-blank line (or per ClaimReview a line's item holds), streamed."""
    number = 0
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        where = f"line {number}"
        if number == 1:
            line = line.removeprefix(_BOM)
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            _skip_rest_of_line(stream)
            yield Item(where, reason=f"longer than {_size(MAX_LINE_BYTES)}; not read")
            continue
        if not line.strip():
            continue
        try:
            node = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            if "UTF-8" in str(error.msg):
                yield Item(where, reason="not UTF-8 text")
            else:
                yield Item(
                    where, reason=f"not valid JSON: {_json_problem(error)} at column {error.colno}"
                )
            continue
        yield from _records(_entry(node, where))


def _skip_rest_of_line(stream: IO[bytes]) -> None:
    while True:
        chunk = stream.readline(MAX_LINE_BYTES)
        if not chunk or chunk.endswith(b"\n"):
            return
