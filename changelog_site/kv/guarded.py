"""Conditional atomic writes: apply a batch of writes only if every guard still holds.

Publishing must check the plan limit, flip the entry's status, move it between indexes and
count the usage in ONE atomic step. ``WATCH`` on the usage hash would make fifty concurrent
publishes of one user retry one another to exhaustion, so instead one Lua script checks the
guards and applies the writes. The writes are recorded by ``CommandQueue``, a stand-in for a
pipeline, so the record classes' own ``save(pipe=...)`` and ``add_to_indexes`` produce them:
the index logic is never written twice. The script names no key itself: every key it touches is
declared in ``KEYS`` and referred to by position (``[n]`` in the JSON arguments).

Guards:

* ``unchanged(key, value)``: the string at ``key`` is still ``value`` (compare-and-set);
* ``below(key, field, limit)``: the integer hash field is below ``limit``;
* ``member(key, value)`` / ``not_member(key, value)``: the set at ``key`` holds / lacks ``value``
  (publishing counts an entry once a month: ``entries.publishing``).

``guarded_write`` returns ``GuardResult(ok, failed_guard, observed)``.
"""

import json
from dataclasses import dataclass

from . import client as kv

SCRIPT = """
local function resolve(value)
    if type(value) == 'table' then return KEYS[value[1]] end
    return value
end
for index, guard in ipairs(cjson.decode(ARGV[1])) do
    local key = KEYS[guard[2]]
    if guard[1] == 'unchanged' then
        local current = redis.call('GET', key)
        if current == false then current = '' end
        if current ~= guard[3] then
            return {0, index, current}
        end
    elseif guard[1] == 'below' then
        local current = tonumber(redis.call('HGET', key, guard[3]) or '0')
        if current >= tonumber(guard[4]) then
            return {0, index, tostring(current)}
        end
    elseif guard[1] == 'member' or guard[1] == 'not_member' then
        local found = redis.call('SISMEMBER', key, guard[3]) == 1
        if found ~= (guard[1] == 'member') then
            return {0, index, found and '1' or '0'}
        end
    end
end
for _, command in ipairs(cjson.decode(ARGV[2])) do
    local args = {}
    for position, value in ipairs(command) do args[position] = resolve(value) end
    redis.call(unpack(args))
end
return {1, 0, ''}
"""


class CommandQueue:
    """Records the pipeline calls the record classes make, as Redis commands with their keys apart."""

    def __init__(self):
        self.commands = []  # (command name, the keys it touches, its other arguments)

    def _add(self, command, keys, *args):
        self.commands.append((command, [str(key) for key in keys], [str(arg) for arg in args]))

    def set(self, name, value, ex=None):
        self._add("SET", [name], value, *(("EX", int(ex)) if ex else ()))

    def delete(self, *names):
        self._add("DEL", names)

    def sadd(self, name, *values):
        self._add("SADD", [name], *values)

    def srem(self, name, *values):
        self._add("SREM", [name], *values)

    def zadd(self, name, mapping):
        args = []
        for member, score in mapping.items():
            args += [repr(float(score)), member]
        self._add("ZADD", [name], *args)

    def zrem(self, name, *members):
        self._add("ZREM", [name], *members)

    def hincrby(self, name, key, amount=1):
        self._add("HINCRBY", [name], key, int(amount))

    def incr(self, name):
        self._add("INCR", [name])

    def expire(self, name, seconds):
        self._add("EXPIRE", [name], int(seconds))

    def touched_keys(self):
        return {key for _, keys, _ in self.commands for key in keys}


def unchanged(key, value):
    return ["unchanged", key, value or ""]


def below(key, field, limit):
    return ["below", key, field, int(limit)]


def member(key, value):
    return ["member", key, str(value)]


def not_member(key, value):
    return ["not_member", key, str(value)]


@dataclass
class GuardResult:
    ok: bool
    failed_guard: list | None = None
    observed: str | None = None


def guarded_write(guards, queue):
    """Every key the script reads or writes is passed in ``KEYS`` (one shard, declared up front);
    the guards and commands in ``ARGV`` refer to them by position, never by name."""
    declared = sorted({guard[1] for guard in guards} | queue.touched_keys())
    position = {key: number for number, key in enumerate(declared, start=1)}
    wire_guards = [[guard[0], position[guard[1]], *guard[2:]] for guard in guards]
    wire_commands = [[command, *([position[key]] for key in keys), *args] for command, keys, args in queue.commands]
    ok, index, observed = kv.run_script(SCRIPT, keys=declared,
                                        args=[json.dumps(wire_guards), json.dumps(wire_commands)])
    if ok:
        return GuardResult(True)
    return GuardResult(False, guards[int(index) - 1], observed)
