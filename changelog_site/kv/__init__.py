"""Shiplog's storage service: a small ORM-like layer over redis-py.

``keys`` builds every key, ``client`` owns the connection and atomic-write helpers,
``records`` holds the base record class. Each app keeps the record classes of the
collections it owns in its ``models.py``.
"""
