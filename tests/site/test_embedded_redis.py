"""The embedded Redis used when REDIS_URL is unset: real server, persistent, no orphans."""

import subprocess
import sys
import textwrap

import psutil
import pytest

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import sys, redis
    from changelog_site.kv.embedded import ensure_embedded_redis
    url = ensure_embedded_redis(sys.argv[1])
    client = redis.Redis.from_url(url, decode_responses=True)
    if sys.argv[2] == "write":
        client.set("user:user_persisted", "persisted")
    print(client.info("server")["redis_version"], client.get("user:user_persisted"), client.info("server")["process_id"], flush=True)
""")


def run_owner(directory, action):
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(directory), action], capture_output=True, text=True,
                          timeout=60, check=True)
    version, value, pid = done.stdout.split()
    return version, value, int(pid)


def test_it_runs_a_real_redis_server_that_keeps_data_across_restarts(tmp_path):
    version, _, first_pid = run_owner(tmp_path, "write")
    _, value, second_pid = run_owner(tmp_path, "read")

    assert version.startswith("6.2")
    assert value == "persisted"
    assert first_pid != second_pid


def test_it_stops_the_server_with_the_process_that_started_it(tmp_path):
    _, _, pid = run_owner(tmp_path, "write")

    assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE


def test_it_stops_the_server_when_its_owner_is_killed(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", SCRIPT + "\nimport time; time.sleep(60)", str(tmp_path), "write"],
                             stdout=subprocess.PIPE, text=True)
    pid = int(owner.stdout.readline().split()[2])
    owner.kill()
    owner.wait()

    try:
        psutil.Process(pid).wait(timeout=10)
    except psutil.NoSuchProcess:
        pass
    assert not psutil.pid_exists(pid)


def test_a_second_process_reuses_the_running_server(tmp_path):
    owner = subprocess.Popen([sys.executable, "-c", SCRIPT + "\nimport time; time.sleep(60)", str(tmp_path), "write"],
                             stdout=subprocess.PIPE, text=True)
    try:
        owner_pid = int(owner.stdout.readline().split()[2])
        _, value, guest_pid = run_owner(tmp_path, "read")
        assert guest_pid == owner_pid and value == "persisted"
        assert psutil.pid_exists(owner_pid)
    finally:
        owner.kill()
        owner.wait()
