"""Querysets compiled to SQL once, then run with each request's values.

Building a queryset and compiling it to SQL costs far more than running it on a small
indexed table: a report with its application, read by primary key and owner, takes
0.52 ms to build and compile and 0.06 ms to run on SQLite. Pages that read the same
rows for every request (a wizard step its report, the dashboard its applications and
reports) pay that every time. A `PreparedQuery` builds its queryset once per thread and
database, with stand-in values (markers) where the request's values go, and keeps the
SQL, the places of the markers among its parameters and how rows become model instances
(the columns of each model, `select_related`, annotations, the database's converters), as
Django's own `ModelIterable` does for every queryset.

What it accepts, so the stand-ins cannot be mistaken: markers used as they are (an
exact lookup on an integer, such as `pk=` or `owner_id=`), each marker found among the
parameters, and querysets of model instances (not `values()`, not `prefetch_related`,
not `iterator()`). Everything else of the queryset is fixed when it is built. Compiled
per thread, because the converters belong to the thread's connection.
"""

import threading
from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, get_related_populators

# Integers no primary key or foreign key of this portal takes: each stands in for one
# argument while the queryset is compiled.
MARKERS = tuple(-987_654_321 - index for index in range(8))
# What a 64-bit integer column (the widest there is) can hold.
INTEGER_RANGE = (-(2**63), 2**63 - 1)


class PreparedQuery:
    """`build(*markers)` gives the queryset; calling the prepared query with the real
    values (`query(report_pk, user_pk)`) gives the list of its model instances."""

    def __init__(self, build: Callable[..., QuerySet], arguments: int):
        if not 0 < arguments <= len(MARKERS):
            raise ValueError(f"a prepared query takes 1 to {len(MARKERS)} arguments")
        self.build = build
        self.arguments = arguments
        self._compiled = threading.local()

    def __call__(self, *values, using: str = "default") -> list:
        if len(values) != self.arguments:
            raise TypeError(f"{self.arguments} values expected, {len(values)} given")
        if not all(INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1] for value in values):
            # Beyond every integer column (a number typed into a URL): no row has it, as
            # the ORM would answer; SQLite could not even take it as a parameter.
            return []
        compiled = getattr(self._compiled, using, None)
        if compiled is None:
            compiled = _Compiled(self.build(*MARKERS[: self.arguments]), self.arguments, using)
            setattr(self._compiled, using, compiled)
        return compiled.run(values)


class _Compiled:
    """One queryset's SQL, where its arguments go, and how its rows become instances."""

    def __init__(self, queryset: QuerySet, arguments: int, using: str):
        if queryset._iterable_class is not ModelIterable or queryset._prefetch_related_lookups:
            raise ValueError("a prepared query reads model instances, without prefetching")
        self.using = using
        compiler = queryset.query.get_compiler(using=using)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        # Where each argument goes among the parameters (an argument may go to several).
        self.slots = [
            [index for index, param in enumerate(self.params) if param == marker]
            for marker in MARKERS[:arguments]
        ]
        if not all(self.slots):
            raise ValueError(
                "each argument of a prepared query must be a parameter as it is "
                "(an exact lookup on an integer)"
            )
        select, klass_info = compiler.select, compiler.klass_info
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_columns = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.related_populators = get_related_populators(klass_info, select, using)
        self.annotations = list(compiler.annotation_col_map.items())
        self.column_count = compiler.col_count
        self.converters = list(compiler.get_converters(
            [column[0] for column in select[: compiler.col_count]]
        ).items())

    def run(self, values) -> list:
        params = list(self.params)
        for slots, value in zip(self.slots, values):
            for index in slots:
                params[index] = value
        connection = connections[self.using]
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        return [self.instance(row, connection) for row in rows]

    def instance(self, row, connection):
        row = list(row[: self.column_count])
        for position, (converters, expression) in self.converters:
            value = row[position]
            for converter in converters:
                value = converter(value, expression, connection)
            row[position] = value
        obj = self.model.from_db(self.using, self.init_list, row[self.model_columns])
        for populator in self.related_populators:
            populator.populate(row, obj)
        for name, position in self.annotations:
            setattr(obj, name, row[position])
        return obj
