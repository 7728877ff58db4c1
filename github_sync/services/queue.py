"""How the services queue this app's Celery tasks.

``github_sync.tasks`` imports the services; the services reach the tasks only through
``task_enqueue``, which imports them when it is called, so neither module needs the other to
load. ``.delay`` keeps Celery's eager mode (the tests, a worker-less install) running the task
in place.
"""


def task_enqueue(name, *args):
    """Queue the task ``github_sync.tasks.<name>`` with ``args``; raises what the broker raises."""
    from github_sync import tasks

    return getattr(tasks, name).delay(*args)
