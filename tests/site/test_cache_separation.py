"""Django's cache and Celery's broker keep out of the product data's Redis DB, every ``cache:`` key
the product writes expires, and ``cache.clear()`` never touches the data."""

import json
import os
import subprocess
import sys
import textwrap

import pytest
import responses
from django.conf import settings
from django.core.cache import cache

from changelog_site.settings import sibling_redis_url
from entries.publishing import entry_publish
from repos import github
from tests.engagement.public_helpers import BASE, REPO, browser, connected, published
from tests.factories import make_entry

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = ("", "1/", "rss.xml", "atom.xml", "sitemap.xml")


@responses.activate
def exercise_the_product():
    """The public pages of a repository with entries published directly and through the plan-limited
    publish (its Lua script), a draft, and a cached GitHub listing."""
    user = connected()
    published(user, pr_id=1)
    entry_publish(user_id=user.id, entry_id=make_entry(user, pr_id=2).id)
    make_entry(user, pr_id=3)
    reader = browser()
    for page in PUBLIC_PAGES:
        assert reader.get(BASE + page).status_code == 200
    responses.get(f"{settings.GITHUB_API_URL}/user/repos", json=[{"id": 1}], headers={"ETag": '"v1"'})
    github.get_all_pages("/user/repos", "gho_token", cache_owner=user.id)
    return user


def product_data(redis_db):
    return {key: redis_db.dump(key) for key in redis_db.keys("*") if not key.startswith("cache:1:")}


def test_every_cache_key_the_product_writes_expires(redis_db):
    user = exercise_the_product()

    cache_keys = redis_db.keys("cache:*")

    assert {f"cache:changelog-version:{REPO}", f"cache:github-pages:{user.id}"} <= set(cache_keys)
    assert {key: redis_db.ttl(key) for key in cache_keys if redis_db.ttl(key) <= 0} == {}


def test_djangos_cache_keeps_out_of_the_data_db(redis_db):
    exercise_the_product()

    assert redis_db.keys("cache:1:*") == []
    assert cache.client.get_client().keys("cache:1:*")


def test_cache_clear_leaves_the_product_data_intact(redis_db):
    exercise_the_product()
    before = product_data(redis_db)

    cache.clear()

    assert product_data(redis_db) == before
    assert cache.client.get_client().keys("cache:1:*") == []


def test_cache_clear_leaves_the_product_data_intact_even_on_the_data_db(redis_db, settings):
    settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": settings.REDIS_URL}}
    exercise_the_product()
    assert redis_db.keys("cache:1:*")
    before = product_data(redis_db)

    cache.clear()

    assert product_data(redis_db) == before
    assert redis_db.keys("cache:1:*") == []


@pytest.mark.parametrize("url, cache_url, broker_url", [
    ("redis://127.0.0.1:6379", "redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2"),
    ("redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/5", "redis://127.0.0.1:6379/6"),
    ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/13", "redis://127.0.0.1:6379/14"),
    ("rediss://:pw@cache.example:6380/0?ssl_cert_reqs=required",
     "rediss://:pw@cache.example:6380/1?ssl_cert_reqs=required",
     "rediss://:pw@cache.example:6380/2?ssl_cert_reqs=required"),
    ("redis://127.0.0.1:6379/?db=3", "redis://127.0.0.1:6379/?db=4", "redis://127.0.0.1:6379/?db=5"),
    ("unix:///run/redis.sock?db=0", "unix:///run/redis.sock?db=1", "unix:///run/redis.sock?db=2"),
])
def test_it_puts_the_cache_and_the_broker_on_the_dbs_beside_the_data(url, cache_url, broker_url):
    assert (sibling_redis_url(url, 1), sibling_redis_url(url, 2)) == (cache_url, broker_url)


SETTINGS_SCRIPT = textwrap.dedent("""
    import json, django
    django.setup()
    from django.conf import settings
    print(json.dumps([settings.REDIS_URL, settings.CACHES["default"]["LOCATION"], settings.CELERY_BROKER_URL]))
""")


def settings_under(tmp_path, **environment):
    env = {name: value for name, value in os.environ.items()
           if name not in ("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL")}
    env.update(DJANGO_SETTINGS_MODULE="changelog_site.settings", SHIPLOG_DATA_DIR=str(tmp_path), **environment)
    done = subprocess.run([sys.executable, "-c", SETTINGS_SCRIPT], env=env, capture_output=True, text=True,
                          timeout=60, check=True, cwd=settings.BASE_DIR)
    return json.loads(done.stdout)


@pytest.mark.slow
def test_with_the_embedded_redis_the_cache_and_broker_use_dbs_1_and_2(tmp_path):
    data, cache_url, broker_url = settings_under(tmp_path)

    assert data.endswith("/0")
    assert (cache_url, broker_url) == (data[:-1] + "1", data[:-1] + "2")


@pytest.mark.slow
def test_an_explicit_redis_url_gets_its_sibling_dbs_unless_told_otherwise(tmp_path):
    assert settings_under(tmp_path, REDIS_URL="redis://10.0.0.5:6379/0") == [
        "redis://10.0.0.5:6379/0", "redis://10.0.0.5:6379/1", "redis://10.0.0.5:6379/2"]
    assert settings_under(tmp_path, REDIS_URL="redis://10.0.0.5:6379/0", CACHE_URL="redis://cache:6379/0",
                          CELERY_BROKER_URL="redis://queue:6379/0") == [
        "redis://10.0.0.5:6379/0", "redis://cache:6379/0", "redis://queue:6379/0"]
