"""Shiplog's storage service: a small ORM-like layer over redis-py.

``keys`` builds every key from one table, ``client`` owns the connection (and its retry policy)
and the atomic-write helpers, ``locks`` the locks, ``records`` the base record class (pydantic),
``registry`` the registry of record classes and their families, ``reindex`` ``kv_reindex``. Each
app keeps the record classes of the collections it owns in its ``models.py`` and registers them.
"""
