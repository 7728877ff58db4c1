"""GitHub sync: what happens to a webhook delivery, and the jobs around it (docs/webhooks.md).

``intake.delivery_receive`` is all ``POST /api/github/sync`` calls: it checks the signature
(``signatures``), parses the body (``payloads``) and either hands the delivery to
``dispatch.delivery_process`` at once or keeps it in the SQL inbox (``inbox``) while Redis is
unreachable. ``dispatch`` picks the handler by event: ``pull_requests``, ``releases``,
``repositories`` (renamed, transferred, deleted) and ``roadmap.sync`` for issues. Each returns a
``changelog_site.domain.Outcome`` or raises a domain error; ``api.github_sync`` turns either into
the HTTP answer. ``deliveries`` makes a redelivery change nothing, ``rules`` holds each user's
draft rules, ``backfill`` imports already-merged pull requests, ``queue`` reaches the Celery tasks.
Import the module you need (``from github_sync.services import inbox``); this package exports
nothing itself.
"""
