"""What the Redis server receives on the test DB, read through MONITOR on a thread of its own."""

import threading
import uuid


class Monitor:
    """A MONITOR connection read by a thread while the ``with`` block runs; the thread stops at a
    sentinel ``ECHO`` sent on leaving. Subclasses read each line in ``_listen``."""

    def __init__(self, client):
        self.client = client
        self.db = client.connection_pool.connection_kwargs.get("db", 0)
        self.sentinel = f"monitor-stop-{uuid.uuid4().hex}"

    def __enter__(self):
        self.monitor = self.client.monitor()
        self.monitor.__enter__()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        return self

    def _listen(self):
        raise NotImplementedError

    def __exit__(self, *exc):
        self.client.echo(self.sentinel)
        self.thread.join(timeout=10)
        self.monitor.__exit__(*exc)


class CommandRecorder(Monitor):
    """Records every command the Redis server receives on the test DB (commands on other DBs,
    e.g. a concurrent test run, are left out)."""

    def __init__(self, client):
        super().__init__(client)
        self.commands = []

    def _listen(self):
        while True:
            command = self.monitor.next_command()
            if self.sentinel in command["command"]:
                return
            if command.get("db") == self.db:
                self.commands.append(command["command"])

    def names(self):
        return {command.split(" ", 1)[0].upper() for command in self.commands}
