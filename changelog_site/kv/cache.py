"""Django's cache client (django-redis), limited to its own keys.

django-redis's ``clear()`` is a FLUSHDB. The cache has its own DB (``CACHE_URL``, by default the
DB after ``REDIS_URL``'s), but a deployment on a one-database service (Upstash) may point
``CACHE_URL`` at the data's DB; ``clear()`` then must not take the product's data with it. So it
deletes the keys under the cache's ``KEY_PREFIX`` and version (``cache:1:*``) only: never a
``cache:changelog-version:`` or any other key the storage service writes.
"""

from django_redis.client import DefaultClient


class OwnKeysClient(DefaultClient):
    def clear(self, client=None):
        self.delete_pattern("*", client=client)
