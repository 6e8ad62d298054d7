"""Plain-row reads for the API's JSON annotations (the hot path).

A page of 100 annotations with nested citations and reviews, read as model
instances through ``selectors.annotation_list()``, spends most of its time
building ~1,000 model objects. Here the same page is read as plain rows and
assembled into exactly the JSON that :func:`annotate.api.serializers.annotation_data`
gives (a test checks they agree), in at most four queries whatever the page size:

- the annotations, joined to their segment, its transcript (for the revision) and
  their claim type;
- their citations and their reviews (on PostgreSQL one statement, each row joined
  to its author's username; elsewhere two, without joins);
- the usernames of the other people those rows name, in one lookup by id (none when
  all are already known).

The annotations' three users are looked up rather than joined because PostgreSQL
takes milliseconds to plan the annotation query with three more joins on
``auth_user`` (more than running it), while the lookup plans in microseconds. The
JSON-LD representation still reads model instances (the exporter's input).

Identifiers, dates and times are left as Python objects: the API's renderer
(:mod:`annotate.api.renderers`) writes them as DRF would (UUID strings, ISO 8601
with ``Z`` for UTC), in C.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connections, router
from django.db.models import F, Lookup, QuerySet

from annotate import records
from annotate.models import Annotation, Citation, ClaimType, Review
from archive.models import Segment, Transcript

try:  # psycopg's own timestamptz loader (in C with psycopg's binary package)
    from django.db.backends.postgresql.psycopg_any import orig_tz_loader_cls as _TIMESTAMPTZ_LOADER
except ImportError:  # psycopg not installed: only the ORM path runs
    _TIMESTAMPTZ_LOADER = None


def _value_name(path: str, kind: str) -> str:
    """The ``values()`` name of a record column: a user is read by id, named later."""
    return f"{path}_id" if kind == "user" else path


# The rows read for the API's records (annotate.records), column for column; a
# review's row also carries its annotation, to group reviews by it.
ANNOTATION_VALUES = tuple(_value_name(p, k) for _, p, k in records.API_ANNOTATION_RECORD)
CITATION_VALUES = tuple(_value_name(p, k) for _, p, k in records.API_CITATION_RECORD)
REVIEW_VALUES = (
    "id",
    "annotation_id",
    *(_value_name(p, k) for key, p, k in records.API_REVIEW_RECORD if key != "id"),
)
_ANNOTATION_USERS = tuple(
    (i, key) for i, (key, _, kind) in enumerate(records.API_ANNOTATION_RECORD) if kind == "user"
)
_ANNOTATION_KEYS = tuple(key for key, _, _ in records.API_ANNOTATION_RECORD)
_CITATION_KEYS = tuple(key for key, _, _ in records.API_CITATION_RECORD)
_REVIEW_KEYS = tuple(key for key, _, _ in records.API_REVIEW_RECORD)
_CITATION_ANNOTATION = CITATION_VALUES.index("annotation_id")
_CITATION_ADDED_BY = CITATION_VALUES.index("added_by_id")
_CITATION_ORDER = (CITATION_VALUES.index("added_at"), CITATION_VALUES.index("id"))
_REVIEWER = REVIEW_VALUES.index("reviewer_id")
_REVIEW_ORDER = (REVIEW_VALUES.index("created_at"), REVIEW_VALUES.index("id"))
# A review's columns that share a citation's place in the one statement of _children.
_REVIEW_IN_CITATION_PLACE = {
    "id": "id",
    "annotation_id": "annotation_id",
    "reviewer_id": "added_by_id",
    "created_at": "added_at",
}
_REVIEW_OWN = tuple(name for name in REVIEW_VALUES if name not in _REVIEW_IN_CITATION_PLACE)
# Where each REVIEW_VALUES column is in a review row of _children_statement: in a
# citation's place, or after the citation's columns.
_REVIEW_PLACES = tuple(
    1 + CITATION_VALUES.index(_REVIEW_IN_CITATION_PLACE[name])
    if name in _REVIEW_IN_CITATION_PLACE
    else 1 + len(CITATION_VALUES) + _REVIEW_OWN.index(name)
    for name in REVIEW_VALUES
)


def annotation_values(queryset: QuerySet) -> QuerySet:
    """``queryset`` (of annotations, filtered) as the rows :func:`page_data` needs."""
    return queryset.values(*ANNOTATION_VALUES)


class AnyOf(Lookup):
    """``column = ANY(%s)`` with the values as one array parameter on PostgreSQL.

    ``__in`` with a page of 100 ids prepares each id and sends a statement with
    100 placeholders, which psycopg parses anew every time (too long for its
    cache) and which is a different prepared statement for every page size. Other
    databases get ``IN (...)``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)  # prepared in as_sql(), once the column is resolved

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection) for value in self.rhs]
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", (*lhs_params, values)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", (*lhs_params, *values)


def rows_where_any(model, columns: tuple[str, ...], key: str, values) -> list[tuple]:
    """``model``'s ``columns`` (attribute names) of the rows whose ``key`` is in ``values``.

    On PostgreSQL this is one fixed statement, built once from the model's metadata
    (``SELECT ... WHERE key = ANY(%s)``): Django would spend more compiling it on
    every call (~0.35 ms) than the database spends running it, and psycopg already
    returns the values as the ORM would (UUIDs, aware datetimes, dates). Other
    databases go through the ORM, whose converters they need.
    """
    values = list(values)
    connection = connections[router.db_for_read(model)]
    if connection.vendor != "postgresql":
        found = model.objects.filter(AnyOf(F(key), values)).order_by()
        return list(found.values_list(*columns))
    with connection.cursor() as cursor:
        _utc_loader(connection, cursor)
        cursor.execute(_any_statement(model, columns, key), [values])
        return cursor.fetchall()


def _utc_loader(connection, cursor) -> None:
    """Read ``timestamptz`` on ``cursor`` with psycopg's own loader, in C, when it gives
    what Django's would.

    Django reads every ``timestamptz`` through a Python loader that calls psycopg's and
    then sets the connection's time zone on the result (~1.5 us a value against
    ~0.3 us): a page of 100 annotations with their citations and reviews has about 600
    of them. When the session's time zone is UTC, as Django sets it with ``USE_TZ``,
    psycopg's loader already returns the same value: an aware datetime in
    ``datetime.UTC``.
    """
    if (
        _TIMESTAMPTZ_LOADER is not None
        and connection.timezone is UTC
        and connection.timezone_name == "UTC"
    ):
        cursor.cursor.adapters.register_loader("timestamptz", _TIMESTAMPTZ_LOADER)


def page_rows(cleaned: list | None, reverse: bool, limit: int) -> list[dict]:
    """A cursor page of all annotations, as :func:`annotation_values` rows, on PostgreSQL.

    The same statement the ORM builds for ``annotation_values(Annotation.objects.all())``
    under :class:`~common.api.pagination.KeysetPagination` with the ordering
    ``(created_at, id)``: ``cleaned`` are the cursor's values (None: from the start),
    ``reverse`` walks backwards. Built once: Django took longer to compile it (~1 ms)
    than PostgreSQL to run it.
    """
    connection = connections[router.db_for_read(Annotation)]
    sql = _page_statement(cleaned is not None, reverse)
    params: list = []
    if cleaned is not None:
        created_at, pk = cleaned
        meta = Annotation._meta
        created_at = meta.get_field("created_at").get_db_prep_value(created_at, connection)
        pk = meta.pk.get_db_prep_value(pk, connection)
        params = [created_at, created_at, pk, created_at]
    params.append(limit)
    with connection.cursor() as cursor:
        _utc_loader(connection, cursor)
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [dict(zip(ANNOTATION_VALUES, row, strict=True)) for row in found]


@cache
def _page_statement(after: bool, reverse: bool) -> str:
    from django.db import connection  # PostgreSQL: its quoting

    q = connection.ops.quote_name
    meta = Annotation._meta
    joined = {
        "segment__transcript_id": f"s.{q(Segment._meta.get_field('transcript').column)}",
        "segment__transcript__revision": f"t.{q(Transcript._meta.get_field('revision').column)}",
        "claim_type__slug": f"ct.{q(ClaimType._meta.get_field('slug').column)}",
    }
    columns = ", ".join(
        joined.get(name) or f"a.{q(meta.get_field(name).column)}" for name in ANNOTATION_VALUES
    )
    created, pk = f"a.{q(meta.get_field('created_at').column)}", f"a.{q(meta.pk.column)}"
    sql = (
        f"SELECT {columns} FROM {q(meta.db_table)} a "
        f"INNER JOIN {q(Segment._meta.db_table)} s "
        f"ON (a.{q(meta.get_field('segment').column)} = s.{q(Segment._meta.pk.column)}) "
        f"INNER JOIN {q(Transcript._meta.db_table)} t "
        f"ON (s.{q(Segment._meta.get_field('transcript').column)} = t.{q(Transcript._meta.pk.column)}) "
        f"INNER JOIN {q(ClaimType._meta.db_table)} ct "
        f"ON (a.{q(meta.get_field('claim_type').column)} = ct.{q(ClaimType._meta.pk.column)})"
    )
    op = "<" if reverse else ">"
    if after:  # as KeysetPagination._after: the OR, and the bound an index scan can use
        sql += (
            f" WHERE (({created} {op} %s OR ({created} = %s AND {pk} {op} %s))"
            f" AND {created} {op}= %s)"
        )
    order = "DESC" if reverse else "ASC"
    return f"{sql} ORDER BY {created} {order}, {pk} {order} LIMIT %s"


@cache
def _any_statement(model, columns: tuple[str, ...], key: str) -> str:
    from django.db import connection  # PostgreSQL: its quoting

    q = connection.ops.quote_name
    meta = model._meta
    selected = ", ".join(q(meta.get_field(name).column) for name in columns)
    return (
        f"SELECT {selected} FROM {q(meta.db_table)} WHERE {q(meta.get_field(key).column)} = ANY(%s)"
    )


def usernames(ids: Iterable, known: dict | None = None) -> dict:
    """``{user id: username}`` for ``ids``; one query for those not in ``known``."""
    names = dict(known or {})
    missing = {pk for pk in ids if pk is not None and pk not in names}
    if missing:
        names.update(rows_where_any(get_user_model(), ("id", "username"), "id", missing))
    return names


def _children(ids: list, *, reviews: bool, names: dict) -> tuple[list, list]:
    """Citation and review rows of the annotations ``ids``, in the API's order.

    Sorted here, not by the database: Django spends more compiling an ORDER BY than
    sorting a page's few hundred tuples takes (UUIDs sort as PostgreSQL sorts them).
    On PostgreSQL both come from one statement that also reads the username of each
    row's author, which go into ``names``.
    """
    if not ids:
        return [], []
    connection = connections[router.db_for_read(Citation)]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            _utc_loader(connection, cursor)
            cursor.execute(_children_statement(reviews), {"ids": list(ids)})
            found = cursor.fetchall()
        citations, review_rows = [], []
        citation_end = 1 + len(CITATION_VALUES)
        for row in found:
            names[row[1 + _CITATION_ADDED_BY]] = row[-1]
            if row[0] == 0:
                citations.append(row[1:citation_end])
            else:
                review_rows.append(tuple(row[place] for place in _REVIEW_PLACES))
        return _in_order(citations, _CITATION_ORDER), _in_order(review_rows, _REVIEW_ORDER)
    citations = rows_where_any(Citation, CITATION_VALUES, "annotation_id", ids)
    if not reviews:
        return _in_order(citations, _CITATION_ORDER), []
    review_rows = rows_where_any(Review, REVIEW_VALUES, "annotation_id", ids)
    return _in_order(citations, _CITATION_ORDER), _in_order(review_rows, _REVIEW_ORDER)


def _in_order(rows: list, columns: tuple[int, int]) -> list:
    """``rows`` by their time, then id (UUIDs sort as PostgreSQL sorts them)."""
    first, second = columns
    return sorted(rows, key=lambda row: (row[first], row[second]))


@cache
def _children_statement(reviews: bool) -> str:
    """Citations (kind 0) and reviews (kind 1) of ``%(ids)s`` with their authors' names.

    One row layout for both: kind, a citation's CITATION_VALUES (a review's id,
    annotation, reviewer and time in the same places), a review's other columns, and
    the author's username.
    """
    from django.db import connection  # PostgreSQL: its quoting

    q = connection.ops.quote_name
    user = get_user_model()._meta
    username = f"u.{q(user.get_field(get_user_model().USERNAME_FIELD).column)}"

    def column(model, name):
        return f"x.{q(model._meta.get_field(name).column)}"

    def null(model, name):
        return f"NULL::{model._meta.get_field(name).db_type(connection)}"

    review_in_place = {place: name for name, place in _REVIEW_IN_CITATION_PLACE.items()}
    citation_part = ", ".join(
        [
            "0",
            *(column(Citation, name) for name in CITATION_VALUES),
            *(null(Review, name) for name in _REVIEW_OWN),
            username,
        ]
    )
    citation_part = (
        f"SELECT {citation_part} FROM {q(Citation._meta.db_table)} x INNER JOIN "
        f"{q(user.db_table)} u "
        f"ON (x.{q(Citation._meta.get_field('added_by').column)} = u.{q(user.pk.column)}) "
        f"WHERE x.{q(Citation._meta.get_field('annotation').column)} = ANY(%(ids)s)"
    )
    if not reviews:
        return citation_part
    review_part = ", ".join(
        [
            "1",
            *(
                column(Review, review_in_place[name]) if name in review_in_place else "NULL"
                for name in CITATION_VALUES
            ),
            *(column(Review, name) for name in _REVIEW_OWN),
            username,
        ]
    )
    review_part = (
        f"SELECT {review_part} FROM {q(Review._meta.db_table)} x INNER JOIN {q(user.db_table)} u "
        f"ON (x.{q(Review._meta.get_field('reviewer').column)} = u.{q(user.pk.column)}) "
        f"WHERE x.{q(Review._meta.get_field('annotation').column)} = ANY(%(ids)s)"
    )
    return f"{citation_part} UNION ALL {review_part}"


def _assemble(rows: list[dict], citations: list, reviews: list, names: dict) -> list[dict]:
    """The API records (annotate.records' API tables) of the rows, users named."""
    citations_of: dict = defaultdict(list)
    for c in citations:
        citation = dict(zip(_CITATION_KEYS, c, strict=True))
        citation["added_by"] = names.get(citation["added_by"])
        citations_of[c[_CITATION_ANNOTATION]].append(citation)
    reviews_of: dict = defaultdict(list)
    for r in reviews:
        review = dict(zip(_REVIEW_KEYS, (r[0], *r[2:]), strict=True))
        review["reviewer"] = names.get(review["reviewer"])
        reviews_of[r[1]].append(review)
    assembled = []
    for a in rows:
        values = [a[name] for name in ANNOTATION_VALUES]
        for i, _ in _ANNOTATION_USERS:
            values[i] = names.get(values[i])
        annotation = dict(zip(_ANNOTATION_KEYS, values, strict=True))
        annotation["citations"] = citations_of.get(a["id"], [])
        annotation["reviews"] = reviews_of.get(a["id"], [])
        assembled.append(annotation)
    return assembled


def _user_ids(rows: list[dict], citations: list, reviews: list) -> set:
    ids = {a[ANNOTATION_VALUES[i]] for a in rows for i, _ in _ANNOTATION_USERS}
    ids.update(c[_CITATION_ADDED_BY] for c in citations)
    ids.update(r[_REVIEWER] for r in reviews)
    return ids


def page_data(rows: list[dict], *, known: dict | None = None) -> list[dict]:
    """The API JSON for a page of annotation rows: two or three more queries, whatever the size.

    ``known`` (``{user id: username}``) saves looking up users already at hand.
    """
    names = dict(known or {})
    citations, reviews = _children([row["id"] for row in rows], reviews=True, names=names)
    names = usernames(_user_ids(rows, citations, reviews), names)
    return _assemble(rows, citations, reviews, names)


def one(queryset: QuerySet, pk, *, known: dict | None = None) -> dict | None:
    """The API JSON of one annotation of ``queryset``, or None when there is none."""
    found = list(annotation_values(queryset.filter(pk=pk).order_by())[:1])
    return page_data(found, known=known)[0] if found else None


def written(annotation: Annotation, *, actor=None, has_reviews: bool = True) -> dict:
    """The API JSON of an annotation a service just returned (its relations loaded).

    Only its citations and reviews are read (``has_reviews=False``: a new draft has
    none), and the usernames of people not already at hand (the annotation's
    creator, last editor and assignee, and ``actor``), usually none.
    """
    known = {
        user.pk: user.get_username()
        for user in (annotation.created_by, annotation.last_edited_by, annotation.assignee, actor)
        if user is not None
    }
    row = {name: records.attribute_path(annotation, name) for name in ANNOTATION_VALUES}
    citations, reviews = _children([annotation.pk], reviews=has_reviews, names=known)
    names = usernames(_user_ids([row], citations, reviews), known)
    return _assemble([row], citations, reviews, names)[0]
