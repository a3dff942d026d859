"""`field__any_of=[...]`: IN, written on PostgreSQL as `= ANY(%s)` with the values as one array.

For long lists of ids (someone responding for 200 organisations): IN writes a placeholder for each value, which
Django prepares one by one, psycopg parses again on every run (it caches no statement of over 50 parameters) and
PostgreSQL plans value by value; one array costs each of them one value. SQLite has no arrays and keeps IN."""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject
from django.db.models.lookups import In
from django.db.models.sql.compiler import SQLCompiler


@Field.register_lookup
@ForeignObject.register_lookup  # a foreign key's own lookups do not include Field's
class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, tuple[Any, ...]]:
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)  # a subquery or an expression: IN as usual
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        values = [field.get_db_prep_value(value, connection, prepared=True) for value in self.rhs if value is not None]
        return f"{lhs} = ANY(%s)", (*lhs_params, values)
