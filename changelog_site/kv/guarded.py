"""Conditional atomic writes: apply a batch of writes only if every guard still holds.

Publishing must check the plan limit, flip the entry's status, move it between indexes and
count the usage in ONE atomic step. ``WATCH`` on the usage hash would make fifty concurrent
publishes of one user retry one another to exhaustion, so instead one Lua script checks the
guards and applies the writes. The writes are recorded by ``CommandQueue``, a stand-in for a
pipeline, so the record classes' own ``save(pipe=...)`` and ``add_to_indexes`` produce them:
the index logic is never written twice.

Guards:

* ``unchanged(key, value)``: the string at ``key`` is still ``value`` (compare-and-set);
* ``below(key, field, limit)``: the integer hash field is below ``limit``.

``guarded_write`` returns ``GuardResult(ok, failed_guard, observed)``.
"""

import json
from dataclasses import dataclass

from . import client as kv

SCRIPT = """
local guards = cjson.decode(ARGV[1])
for index, guard in ipairs(guards) do
    if guard[1] == 'unchanged' then
        local current = redis.call('GET', guard[2])
        if current == false then current = '' end
        if current ~= guard[3] then
            return {0, index, current}
        end
    elseif guard[1] == 'below' then
        local current = tonumber(redis.call('HGET', guard[2], guard[3]) or '0')
        if current >= tonumber(guard[4]) then
            return {0, index, tostring(current)}
        end
    end
end
for _, command in ipairs(cjson.decode(ARGV[2])) do
    redis.call(unpack(command))
end
return {1, 0, ''}
"""


class CommandQueue:
    """Records the pipeline calls the record classes make, as raw Redis commands."""

    def __init__(self):
        self.commands = []

    def _add(self, *args):
        self.commands.append([str(arg) for arg in args])

    def set(self, name, value):
        self._add("SET", name, value)

    def delete(self, *names):
        self._add("DEL", *names)

    def sadd(self, name, *values):
        self._add("SADD", name, *values)

    def srem(self, name, *values):
        self._add("SREM", name, *values)

    def zadd(self, name, mapping):
        args = []
        for member, score in mapping.items():
            args += [repr(float(score)), member]
        self._add("ZADD", name, *args)

    def zrem(self, name, *members):
        self._add("ZREM", name, *members)

    def hincrby(self, name, key, amount=1):
        self._add("HINCRBY", name, key, int(amount))

    def incr(self, name):
        self._add("INCR", name)

    def touched_keys(self):
        return sorted({command[1] for command in self.commands})


def unchanged(key, value):
    return ["unchanged", key, value or ""]


def below(key, field, limit):
    return ["below", key, field, int(limit)]


@dataclass
class GuardResult:
    ok: bool
    failed_guard: list | None = None
    observed: str | None = None


def guarded_write(guards, queue):
    declared = sorted({guard[1] for guard in guards} | set(queue.touched_keys()))
    ok, index, observed = kv.run_script(SCRIPT, keys=declared, args=[json.dumps(guards), json.dumps(queue.commands)])
    if ok:
        return GuardResult(True)
    return GuardResult(False, guards[int(index) - 1], observed)
