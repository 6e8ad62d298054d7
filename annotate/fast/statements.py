"""Fixed SQL for the services' hot statements on PostgreSQL, built once from model metadata.

Every API write goes through a service, and the ORM compiles each of its statements
anew on every call: locking an annotation with its five relations, saving it,
inserting a citation or a review. Compiling cost more CPU than PostgreSQL spent
running them (about 1 ms for the lock alone, several per write in all). Here each
statement is built once per model and column list, and its rows become the same
model instances the ORM would build (``Model.from_db``, related objects cached as
``select_related`` caches them; save signals sent as ``Model.save_base`` sends them).

Only PostgreSQL takes this path (psycopg already returns what the ORM's converters
would: UUIDs, aware datetimes, dates); any other database gets the plain ORM call,
so SQLite runs exactly the code it always ran. The statements are the ones the ORM
would send, apart from the text: same columns, same conditions, same locks.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.signals import post_save, pre_save


def fast(model: type[Model], *, write: bool = False):
    """The connection to use for ``model``'s fixed statements, or None (use the ORM)."""
    alias = router.db_for_write(model) if write else router.db_for_read(model)
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    return connection


def _q(name: str) -> str:
    escaped = name.replace('"', '""')
    return f'"{escaped}"'


def _converters(fields) -> list[tuple[int, Any]]:
    """``from_db_value`` of the fields that have one (none of this app's hot models)."""
    return [
        (index, field.from_db_value)
        for index, field in enumerate(fields)
        if hasattr(field, "from_db_value")
    ]


def _convert(row, converters, connection) -> list:
    values = list(row)
    for index, convert in converters:
        values[index] = convert(values[index], None, connection)
    return values


# ---------------------------------------------------------------- reads


@cache
def _select_statement(model: type[Model], key: str, related: tuple[str, ...], lock: bool):
    """``SELECT`` ``model``'s columns and those of its ``related`` single relations."""
    meta = model._meta
    fields = list(meta.concrete_fields)
    columns = [f"t.{_q(f.column)}" for f in fields]
    joins, layout = [], []
    for index, name in enumerate(related):
        relation = meta.get_field(name)
        target = relation.related_model._meta
        alias = f"r{index}"
        join = "LEFT OUTER JOIN" if relation.null else "INNER JOIN"
        joins.append(
            f"{join} {_q(target.db_table)} {alias} "
            f"ON {alias}.{_q(relation.target_field.column)} = t.{_q(relation.column)}"
        )
        start = len(fields)
        related_fields = list(target.concrete_fields)
        fields += related_fields
        columns += [f"{alias}.{_q(f.column)}" for f in related_fields]
        pk_index = related_fields.index(target.pk)
        layout.append((relation, start, start + len(related_fields), pk_index))
    key_field = meta.pk if key == "pk" else meta.get_field(key)
    sql = (
        f"SELECT {', '.join(columns)} FROM {_q(meta.db_table)} t {' '.join(joins)} "
        f"WHERE t.{_q(key_field.column)} = %s"
    )
    if lock:
        sql += " FOR UPDATE OF t"
    own = len(meta.concrete_fields)
    return sql, key_field, own, tuple(layout), _converters(fields)


def get(model: type[Model], key: str, value: Any, *, related: tuple[str, ...] = (), lock=False):
    """The one ``model`` row whose ``key`` is ``value``, its ``related`` objects loaded.

    As ``model.objects.select_related(*related).get(key=value)`` (with
    ``select_for_update(of=("self",))`` when ``lock``), raising ``model.DoesNotExist``
    and a ValidationError for a value the key's field refuses. On PostgreSQL a fixed
    statement; elsewhere exactly that ORM call.
    """
    connection = fast(model, write=lock)
    if connection is None or (lock and connection.get_autocommit()):
        queryset = model.objects.select_related(*related) if related else model.objects.all()
        if lock:
            queryset = queryset.select_for_update(of=("self",))
        return queryset.get(**{key: value})
    sql, key_field, own, layout, converters = _select_statement(model, key, related, lock)
    prepared = key_field.get_db_prep_value(key_field.to_python(value), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prepared])
        rows = cursor.fetchall()
    if not rows:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    row = _convert(rows[0], converters, connection) if converters else rows[0]
    alias = connection.alias
    obj = model.from_db(alias, _attnames(model), row[:own])
    for relation, start, end, pk_index in layout:
        values = row[start:end]
        target = relation.related_model
        related_obj = (
            None if values[pk_index] is None else target.from_db(alias, _attnames(target), values)
        )
        relation.set_cached_value(obj, related_obj)
    return obj


@cache
def _attnames(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


@cache
def _values_statement(model: type[Model], columns: tuple[str, ...], keys: tuple[str, ...]):
    meta = model._meta
    selected = ", ".join(_q(meta.get_field(name).column) for name in columns)
    where = " AND ".join(f"{_q(meta.get_field(name).column)} = %s" for name in keys)
    return f"SELECT {selected} FROM {_q(meta.db_table)} WHERE {where}"


def values_list(model: type[Model], columns: tuple[str, ...], **where: Any) -> list[tuple]:
    """``model.objects.filter(**where).order_by().values_list(*columns)`` as a list.

    ``where`` names concrete fields (attribute names such as ``annotation_id``) and
    plain values.
    """
    connection = fast(model)
    if connection is None:
        return list(model.objects.filter(**where).order_by().values_list(*columns))
    keys = tuple(where)
    meta = model._meta
    params = [meta.get_field(name).get_db_prep_value(where[name], connection) for name in keys]
    with connection.cursor() as cursor:
        cursor.execute(_values_statement(model, tuple(columns), keys), params)
        return cursor.fetchall()


# ---------------------------------------------------------------- writes


@cache
def _insert_statement(model: type[Model]):
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated]
    columns = ", ".join(_q(f.column) for f in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_q(meta.db_table)} ({columns}) VALUES ({placeholders})", fields


def insert(obj: Model) -> None:
    """``obj.save(force_insert=True)`` for a model whose primary key has a default."""
    model = type(obj)
    connection = fast(model, write=True)
    meta = model._meta
    if connection is None or meta.parents or meta.proxy or obj.pk is None:
        obj.save(force_insert=True)
        return
    sql, fields = _insert_statement(model)
    obj._prepare_related_fields_for_save(operation_name="save")
    alias = connection.alias
    _pre_save(model, obj, alias, None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
    obj._state.db = alias
    obj._state.adding = False
    _post_save(model, obj, alias, None, created=True)


@cache
def _update_statement(model: type[Model], names: tuple[str, ...]):
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    assignments = ", ".join(f"{_q(f.column)} = %s" for f in fields)
    sql = f"UPDATE {_q(meta.db_table)} SET {assignments} WHERE {_q(meta.pk.column)} = %s"
    return sql, fields


@cache
def _all_updatable(model: type[Model]) -> tuple[str, ...]:
    meta = model._meta
    return tuple(
        f.name for f in meta.local_concrete_fields if not f.primary_key and not f.generated
    )


def update(obj: Model, update_fields: tuple[str, ...] | list[str] | None = None) -> None:
    """``obj.save(update_fields=...)`` (every field when None) for a row known to exist.

    The row must be there (the services lock it first); if it is not, the ORM's own
    save decides what happens.
    """
    model = type(obj)
    connection = fast(model, write=True)
    meta = model._meta
    if (
        connection is None
        or meta.parents
        or meta.proxy
        or obj._state.adding
        or (update_fields is None and obj.get_deferred_fields())
    ):
        obj.save(update_fields=update_fields)
        return
    names = _all_updatable(model) if update_fields is None else tuple(update_fields)
    sql, fields = _update_statement(model, names)
    obj._prepare_related_fields_for_save(operation_name="save")
    alias = connection.alias
    signal_fields = None if update_fields is None else frozenset(update_fields)
    _pre_save(model, obj, alias, signal_fields)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, params)
        updated = cursor.rowcount
    if not updated:  # not there after all: let the ORM say what that means
        obj.save(update_fields=update_fields)
        return
    obj._state.db = alias
    _post_save(model, obj, alias, signal_fields, created=False)


def _pre_save(model, obj, alias, update_fields) -> None:
    if pre_save.has_listeners(model):
        pre_save.send(
            sender=model, instance=obj, raw=False, using=alias, update_fields=update_fields
        )


def _post_save(model, obj, alias, update_fields, *, created: bool) -> None:
    if post_save.has_listeners(model):
        post_save.send(
            sender=model,
            instance=obj,
            created=created,
            update_fields=update_fields,
            raw=False,
            using=alias,
        )


@cache
def _update_many_statement(model: type[Model], names: tuple[str, ...], alias: str):
    """``UPDATE ... FROM unnest(...)``: one array parameter per column, any number of rows
    (a statement of thousands of placeholders costs more to parse than to run)."""
    connection = connections[alias]
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in names)]
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    columns = ", ".join(_q(f.column) for f in fields)
    assignments = ", ".join(f"{_q(f.column)} = v.{_q(f.column)}" for f in fields[1:])
    table, pk = _q(meta.db_table), _q(meta.pk.column)
    sql = (
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v ({columns}) "
        f"WHERE {table}.{pk} = v.{pk}"
    )
    return sql, fields


def update_many(objs: list[Model], update_fields: tuple[str, ...]) -> None:
    """``Model.objects.bulk_update(objs, update_fields)``, for rows known to exist.

    The ORM builds one ``CASE WHEN`` per field and row, and resolving those
    expressions cost seconds for ten thousand annotations carried to a new revision;
    here one fixed statement takes each column's values as an array. Like
    ``bulk_update``, it sends no save signals.
    """
    if not objs:
        return
    model = type(objs[0])
    connection = fast(model, write=True)
    if connection is None:
        model.objects.bulk_update(objs, update_fields)
        return
    sql, fields = _update_many_statement(model, tuple(update_fields), connection.alias)
    columns = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        for field in fields
    ]
    with transaction.mark_for_rollback_on_error(connection.alias), connection.cursor() as cursor:
        cursor.execute(sql, columns)
