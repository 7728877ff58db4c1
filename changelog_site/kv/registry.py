"""The registry of record classes, and what each record class knows about the keys of its family.

The storage core knows no app. Each app registers its record classes where it declares them
(``@registry.register`` above the class in its ``models.py``), and everything that must reach
every key of a user, an entry or a repository walks the registry instead of listing keys by hand:
purging an entry, renaming a repository, deleting an account, the GDPR export and ``kv_reindex``.
Adding a collection is one class plus that one registry line (docs/storage.md).

A record class declares (as class attributes):

* ``kind``: the name the classes hanging off its records give as their ``parent`` (or None);
* ``parent``: the kind of record its records belong to; ``children_of(parent_record)`` finds them,
  so deleting or exporting the parent reaches them;
* ``repo_scope``: ``"user"`` when its keys carry a userId and a repoId (moved on a repository
  rename, one user at a time), ``"repo"`` when they carry only the repoId (shared by every user of
  the repository: moved once per rename, deleted with the last user); None otherwise;
* ``key_names`` / ``index_names``: the ``keys.TABLE`` rows it stores / the ``idx:`` rows it writes,
  for ``kv_reindex``;
* ``export_section`` and ``export_as``: where ``export()`` goes in the GDPR export (``"list"``,
  ``"one"``, ``"dict"``), or ``MERGE`` to add its fields to its parent's item;
* ``sweeps``: True for a class whose records go after their siblings when the parent is deleted,
  because the siblings' deletion writes to their keys (``repos.models.RepoShares``: deleting
  entries bumps the changelog version it deletes).
"""

from . import client as kv

MERGE = "^"


class Registry:
    def __init__(self):
        self._classes = {}

    def register(self, record_class):
        """Register a record class (usable as a decorator); registering again replaces it."""
        self._classes[f"{record_class.__module__}.{record_class.__qualname__}"] = record_class
        return record_class

    def __iter__(self):
        return iter(list(self._classes.values()))

    def children(self, kind):
        """The classes whose records hang off a record of ``kind``."""
        return [cls for cls in self if kind and cls.parent == kind]

    def repo_scoped(self, scope):
        """The classes whose keys carry a repository name: ``"user"`` or ``"repo"`` scope."""
        return [cls for cls in self if cls.repo_scope == scope]

    def owner(self, key_name):
        """The class that stores keys of the table row ``key_name``, or None."""
        return next((cls for cls in self if key_name in cls.key_names), None)

    def index_owner(self, key_name):
        """The class that writes the ``idx:`` row ``key_name``, or None."""
        return next((cls for cls in self if key_name in cls.index_names), None)

    def export_sections(self):
        """``{section: empty value}`` for every section of the GDPR export, in registration order."""
        empty = {"list": list, "dict": dict, "one": lambda: None}
        return {cls.export_section: empty[cls.export_as]() for cls in self
                if cls.export_section not in (None, MERGE)}


registry = Registry()


def watch_more(reader, *names):
    """WATCH ``names`` too when ``reader`` is a pipeline in a ``kv.transaction`` (not yet MULTI)."""
    if names and getattr(reader, "watching", False):
        reader.watch(*names)


class Family:
    """The family protocol, with the defaults of a record that has no keys of its own."""

    kind = None
    parent = None
    repo_scope = None
    key_names = ()
    index_names = ()
    export_section = None
    export_as = "list"
    sweeps = False

    # --- finding records ---------------------------------------------------------------------

    @classmethod
    def children_of(cls, parent):
        """This class's records that hang off ``parent`` (read now, outside any transaction)."""
        return []

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        """The keys a rename WATCHes before ``of_repo`` reads them."""
        return []

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        """This class's records under a repository name (for ``"user"`` scope, one user's), read
        through ``reader``: the client, or a ``kv.transaction`` pipeline, on which it WATCHes
        every key it reads beyond ``repo_watch_keys`` (``watch_more``)."""
        return []

    # --- the family --------------------------------------------------------------------------

    def own_keys(self):
        """The keys this record stores itself (deleted with it)."""
        return []

    def dependents(self):
        """The records hanging off this one, through the registry (those of ``sweeps`` classes last)."""
        classes = sorted(registry.children(self.kind), key=lambda cls: cls.sweeps)
        return [child for cls in classes for child in cls.children_of(self)]

    def dependent_keys(self):
        """Every key of this record's family: its own and, recursively, its dependents'."""
        found = list(self.own_keys())
        for dependent in self.dependents():
            found.extend(key for key in dependent.dependent_keys() if key not in found)
        return found

    def add_to_indexes(self, pipe):
        """Queue the index writes that cover this record."""

    def remove_from_indexes(self, pipe):
        """Queue the index removals for this record."""

    def delete(self, pipe=None):
        """Delete the record, its index entries and its whole family, in one MULTI (or on ``pipe``).

        The dependents are found before anything is queued: a pipeline reads nothing."""
        dependents = self.dependents()
        with kv.atomic(pipe) as p:
            for dependent in dependents:
                dependent.delete(p)
            self.delete_own(p)

    def delete_own(self, pipe):
        own = self.own_keys()
        if own:
            pipe.delete(*own)
        self.remove_from_indexes(pipe)

    def move(self, pipe, new_repo_id):
        """Queue the writes that move this record to ``new_repo_id`` (a rename or a transfer)."""
        raise NotImplementedError(f"{type(self).__name__} has no keys named by a repository")

    # --- GDPR export and kv_reindex ------------------------------------------------------------

    def export(self):
        """This record for the GDPR export (JSON-ready); with ``MERGE``, a dict of fields."""
        return None

    @classmethod
    def reindex(cls, name, key, fields, pipe, run):
        """``kv_reindex`` met ``key`` (of the row ``name`` of ``key_names``): queue its index writes on ``pipe``,
        convert a legacy form, report problems with ``run.problem(key, message)`` and count with
        ``run.count(name)``."""

    @classmethod
    def stale_members(cls, key_name, fields, key, client):
        """For ``kv_reindex``'s second pass over an ``idx:`` key of ``index_names``: True when the
        whole key is stale, else the list of members whose record is gone."""
        return []


class RepoKeys(Family):
    """Keys named by a repository alone, each stored whole (a string, a hash, a sorted set...):
    a rename RENAMEs those that exist, the repository's last user takes them along. Subclasses
    give ``keys_for(repo_id)``."""

    repo_scope = "repo"

    def __init__(self, repo_id, present=None):
        self.repo_id = repo_id
        self.present = present

    @staticmethod
    def keys_for(repo_id):
        raise NotImplementedError

    def own_keys(self):
        return self.keys_for(self.repo_id)

    @classmethod
    def repo_watch_keys(cls, repo_id, user_id=None):
        return cls.keys_for(repo_id)

    @classmethod
    def of_repo(cls, reader, repo_id, user_id=None):
        present = [key for key in cls.keys_for(repo_id) if reader.exists(key)]
        return [cls(repo_id, present)] if present else []

    def move(self, pipe, new_repo_id):
        for old, new in zip(self.keys_for(self.repo_id), self.keys_for(new_repo_id)):
            if old in (self.present or ()):
                pipe.rename(old, new)


def export_tree(root, shared=()):
    """The GDPR export of ``root`` and its family, plus the ``shared`` records (a user's
    repositories' subscribers, ...): ``{section: value}`` for every registered section."""
    sections = registry.export_sections()

    def visit(record, parent_item):
        item = record.export()
        if record.export_section == MERGE:
            if parent_item is not None and item:
                parent_item.update(item)
            item = parent_item
        elif record.export_section and item is not None:
            if record.export_as == "list":
                sections[record.export_section].append(item)
            elif record.export_as == "dict":
                sections[record.export_section].update(item)
            else:
                sections[record.export_section] = item
        for dependent in record.dependents():
            visit(dependent, item if isinstance(item, dict) else None)

    visit(root, None)
    for record in shared:
        visit(record, None)
    return sections


class OnePerParent(Family):
    """A family member its parent record has exactly one of, its keys built from the parent's id
    alone, kept as the attribute ``id_name`` (``user_id``, ``entry_id``...)."""

    id_name = None

    def __init__(self, parent_id):
        setattr(self, self.id_name, parent_id)

    @classmethod
    def children_of(cls, parent):
        return [cls(parent.id)]


class PerUser(OnePerParent):
    """A family member a user has exactly one of (its keys built from the user id alone)."""

    parent = "user"
    id_name = "user_id"
