"""``RecordQuerySet``: the part of Django's QuerySet the admin uses, over a collection's indexes.

The stock ``ChangeList`` filters, orders, counts and slices what ``ModelAdmin.get_queryset``
returns; the actions filter it by primary key; ``get_object`` calls ``get(pk=...)``. Here each
of those becomes a question to the collection (``RecordAdmin``): filters and a search term narrow
its ``scope`` (a user, a repository, an entry, a status...), ordering picks the index order, and
counting and slicing go to the ``Listing`` of index keys the collection builds for that scope.
Rows are loaded only for the page shown.
"""

from django.core.exceptions import FieldError
from django.db.models import Q

from .listing import Listing, values

SEARCH_BATCH = 200


class _Query:
    """What ``ChangeList`` reads of ``queryset.query``."""

    def __init__(self, order_by):
        self.select_related = False
        self.order_by = list(order_by)


def lookups_of(q_objects, kwargs):
    """``{lookup: [values]}`` of the AND of simple lookups (an OR of one lookup's values, as the
    admin's filters build them, is read as several values)."""
    found = {}

    def visit(node):
        children = node.children if isinstance(node, Q) else [node]
        if isinstance(node, Q) and node.negated:
            raise FieldError("negated lookups are not supported on a Redis collection")
        names = {child[0] for child in children if isinstance(child, tuple)}
        if isinstance(node, Q) and node.connector == Q.OR and len(names) > 1:
            raise FieldError("OR across fields is not supported on a Redis collection")
        for child in children:
            if isinstance(child, Q):
                visit(child)
            else:
                lookup, value = child
                found.setdefault(lookup, []).extend(value if lookup.endswith("__in") else [value])

    for q in q_objects:
        visit(q)
    visit(Q(**kwargs))
    return found


class RecordQuerySet:
    ordered = True

    def __init__(self, collection, *, scope=None, ordering=(), pks=None, term=""):
        self.collection = collection
        self.model = collection.model
        self.scope = dict(scope or {})
        self.ordering = tuple(ordering)
        self.pks = pks
        self.term = term
        self.query = _Query(self.ordering)
        self._listing = None
        self._cache = {}

    # Django's delete confirmation names the objects with ``model_ngettext(queryset)``, which reads
    # these of anything that is not a QuerySet.
    @property
    def verbose_name(self):
        return self.model._meta.verbose_name

    @property
    def verbose_name_plural(self):
        return self.model._meta.verbose_name_plural

    def _clone(self, **changes):
        values_ = {"scope": self.scope, "ordering": self.ordering, "pks": self.pks, "term": self.term, **changes}
        return type(self)(self.collection, **values_)

    # --- what the admin calls ------------------------------------------------------------------

    def all(self):
        return self._clone()

    def distinct(self, *fields):
        return self._clone()

    def select_related(self, *fields):
        return self._clone()

    def order_by(self, *fields):
        return self._clone(ordering=fields)

    def none(self):
        return self._clone(pks=[])

    def filter(self, *q_objects, **kwargs):
        scope, pks = dict(self.scope), self.pks
        pk_name = self.model._meta.pk.name
        for lookup, given in lookups_of(q_objects, kwargs).items():
            name = lookup.removesuffix("__exact").removesuffix("__in")
            if name in ("pk", pk_name):
                chosen = [str(value) for value in given]
                pks = chosen if pks is None else [pk for pk in pks if pk in chosen]
            elif name in self.collection.scope_names() and len(given) == 1 and ":" not in str(given[0]):
                scope[name] = str(given[0])
            else:
                raise FieldError(f"{self.model._meta.verbose_name_plural} cannot be filtered by {lookup}")
        return self._clone(scope=scope, pks=pks)

    def search(self, term):
        return self._clone(term=term.strip())

    def get(self, **kwargs):
        rows = list(self.filter(**kwargs))
        if len(rows) != 1:
            raise self.model.DoesNotExist(f"no {self.model._meta.verbose_name} matches {kwargs}")
        return rows[0]

    def count(self):
        return self.listing().count()

    def exists(self):
        return self.count() > 0

    def __len__(self):
        return self.count()

    def __bool__(self):
        return self.exists()

    def __iter__(self):
        total = self.count()
        for start in range(0, total, SEARCH_BATCH):
            yield from self[start:start + SEARCH_BATCH]

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
            if (start, stop) not in self._cache:
                self._cache[(start, stop)] = self.collection.rows(self.listing().page(start, stop))
            return self._cache[(start, stop)]
        found = self[index:index + 1]
        if not found:
            raise IndexError(index)
        return found[0]

    # --- the listing -------------------------------------------------------------------------------

    def listing(self):
        if self._listing is None:
            if self.pks is not None:
                self._listing = Listing([values(self.pks)])
            else:
                self._listing = self._searched(self.collection.listing(self.scope, self.ordering), self.term)
        return self._listing

    def _searched(self, listing, term):
        """A search term narrows the scope when it names something an index can find (a user id, an
        email, a repository, an id: ``RecordAdmin.scope_of_term``); any other term is looked for in
        the ``search_fields`` of every row of the scope, read through the listing in batches."""
        if not term:
            return listing
        narrowed = self.collection.scope_of_term(term)
        if narrowed is not None:
            return self.collection.listing({**self.scope, **narrowed}, self.ordering)
        found, needle = [], term.casefold()
        for start in range(0, listing.count(), SEARCH_BATCH):
            for row in self.collection.rows(listing.page(start, start + SEARCH_BATCH), annotate=False):
                if any(needle in text.casefold() for text in self.collection.searchable_texts(row)):
                    found.append(row.pk)
        return Listing([values(found)])
