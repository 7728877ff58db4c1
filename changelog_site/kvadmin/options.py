"""``RecordAdmin``: a stock ``ModelAdmin`` over one Redis collection, and ``register``.

``register(record_class, ...)`` above a ``RecordAdmin`` subclass in an app's ``admin.py`` makes
the collection's row model (an unmanaged Django model whose fields are the record class's,
``fields.py``) and registers both with the admin site. The subclass declares the rest: how the
collection is listed for a scope (``listing``), which scopes its indexes answer (``scopes``),
which record fields the change form edits (``editable``), extra columns (``annotate``).
Everything else is Django's: the changelist, search box, sorting headers, pagination, actions,
permissions, the change form and its history, the admin log.

Writes: the change form validates through the record class (``RecordForm.clean``) and
``write`` saves the record (``record.save``) in a WATCH/MULTI that first checks the record is
still what the form was built from.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from changelog_site.kv import client as kv
from changelog_site.kv import keys
from changelog_site.kv.records import JsonRecord
from changelog_site.kv.records import ValidationError as RecordInvalid
from changelog_site.kv.records import utc_now

from . import terms
from .fields import django_field, kind_of, record_value
from .listing import Listing
from .query import RecordQuerySet

STALE = "This record changed since the form was opened; reload the page and make the change again."


class RecordChanged(Exception):
    """The record was written by someone else between loading it and saving it."""


def version_of(raw):
    return hashlib.sha256((raw or "").encode()).hexdigest()[:16]


class Row(models.Model):
    """Base of the row models: one row of a Redis collection. Never stored in SQL."""

    class Meta:
        abstract = True
        managed = False

    def __str__(self):
        return getattr(self, "kv_label", None) or str(self.pk)

    def save(self, *args, **kwargs):
        raise TypeError("a Redis row is written through its record: RecordAdmin.write")

    def delete(self, *args, **kwargs):
        raise TypeError("a Redis row is deleted through its collection's service")

    def validate_unique(self, exclude=None):
        """Keys are unique by construction; there is no table to ask."""


def register(record_class, *, pk, verbose_name, verbose_name_plural=None, fields=None, site=None):
    """Decorator for a ``RecordAdmin`` subclass: build the row model of ``record_class`` (in the app
    of the module declaring it) and register it. ``pk`` names the field that identifies a row in
    URLs (``"key"``: the record's Redis key); ``fields`` ({name: ``Kind``}) is for collections
    that are not JSON records (counters, hashes)."""

    def wrap(admin_class):
        kinds = fields or {name: kind_of(info) for name, info in record_class.model_fields.items()
                           if name not in admin_class.hidden}
        attrs = {"__module__": admin_class.__module__, "Meta": type("Meta", (), {
            "managed": False, "db_table": f"kvadmin_{record_class.__name__.lower()}",
            "verbose_name": verbose_name, "verbose_name_plural": verbose_name_plural or verbose_name + "s",
            "default_permissions": ("change", "delete", "view")})}
        if pk not in kinds:
            attrs[pk] = django_field(pk, None, primary_key=True)
        for name, kind in kinds.items():
            attrs[name] = django_field(name, kind, primary_key=name == pk)
        model = type(record_class.__name__, (Row,), attrs)
        admin_class.record_class, admin_class.kinds = record_class, kinds
        (site or admin.site).register(model, admin_class)
        return admin_class

    return wrap


class RecordForm(forms.ModelForm):
    """Validates the edited fields through the record class; ``kv_version`` refuses a form opened
    before the record last changed."""

    kv_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kv_version" in self.fields:
            self.fields["kv_version"].initial = version_of(getattr(self.instance, "kv_raw", ""))

    def clean(self):
        cleaned = super().clean()
        row, collection = self.instance, self.kv_collection
        if "kv_version" in self.fields and cleaned.get("kv_version") != version_of(row.kv_raw):
            raise ValidationError(STALE)
        changed = [name for name in self.changed_data if name in collection.editable and name in cleaned]
        self.kv_record, self.kv_changed = None, changed
        if not changed:
            return cleaned
        candidate = row.record.model_copy(deep=True)
        for name in changed:
            setattr(candidate, name, record_value(collection.kinds[name], cleaned[name]))
        if "updatedAt" in type(candidate).model_fields:
            candidate.updatedAt = utc_now()
        try:
            candidate.validate()
            problems = collection.problems(candidate, changed)
        except RecordInvalid as error:
            problems = error.errors
        for name, message in problems.items():
            self.add_error(name if name in self.fields else NON_FIELD_ERRORS, message)
        self.kv_record, self.kv_changed = candidate, changed
        return cleaned


class RecordAdmin(admin.ModelAdmin):
    """A collection's admin. Subclasses give ``listing`` and may override the rest."""

    record_class = None  # set by register
    kinds = {}
    editable = ()  # record fields the change form edits
    hidden = ()  # record fields not shown (secrets; copies of live counters), kept as they are on save
    detail_fields = ()  # read-only extras of the change form (methods of the admin)
    scopes = ()  # what ``listing`` narrows to (userId, email, repoId, entryId, ...), beside the parent's
    label_field = None  # the record field a row is called by (else its pk)
    by_score = ()  # sortable fields that are the score of the listing's sorted sets (merged across them)
    covers = ()  # registered classes shown as columns of this collection (usage on users, ...)
    sortable_by = ()
    form = RecordForm
    show_full_result_count = False
    list_per_page = 50
    change_form_template = "admin/kvadmin/change_form.html"
    search_help_text = None

    # --- the collection: subclasses ----------------------------------------------------------------

    def parent_admin(self):
        """The admin of the collection this one hangs off, found through the registry's ``parent``."""
        kind = self.record_class.parent
        return next((other for other in self.admin_site._registry.values()
                     if kind and isinstance(other, RecordAdmin) and other.record_class.kind == kind), None)

    def scope_names(self):
        """What the listing can narrow to: this collection's ``scopes`` and, through it, its parent's."""
        parent = self.parent_admin()
        return set(self.scopes) | (parent.scope_names() if parent else set())

    def refs(self, scope):
        """``[{scope name: value}]`` naming this collection's rows in ``scope`` for the collections that
        hang off it (a user: ``{"userId"}``; an entry: ``{"userId", "entryId"}``)."""
        raise NotImplementedError(f"nothing hangs off {self.opts.verbose_name_plural} in the admin")

    def segments(self, parents, scope):
        """The ``Segment``s listing the rows that hang off ``parents`` (the parent collection's refs)."""
        raise NotImplementedError

    def listing(self, scope, ordering):
        """The ``Listing`` of the rows in ``scope`` (a dict of ``scopes`` names) in ``ordering``: by
        default the segments of each row of the parent collection in that scope."""
        field, descending = self.sort(ordering)
        parents = self.parent_admin().refs(scope)
        return Listing(self.segments(parents, scope), descending=descending, by_score=field in self.by_score)

    def record_keys(self, pks):
        """The Redis key of each pk (None when it names no record of this collection); by default
        the pk is the key, checked to have the collection's format."""
        names = self.record_class.key_names[:1]
        return [pk if keys.parse(pk)[0] in names else None for pk in pks]

    def load(self, pks):
        """``[(pk, values, record, raw)]`` of the rows that exist, in order."""
        found = []
        record_keys = self.record_keys(pks)
        present = [key for key in record_keys if key]
        raws = dict(zip(present, kv.get_client().mget(present))) if present else {}
        for pk, key in zip(pks, record_keys):
            raw = raws.get(key) if key else None
            if raw is None:
                continue
            try:
                record = self.record_class.loads(raw)
            except ValueError:
                continue
            found.append((pk, {name: getattr(record, name, None) for name in self.kinds}, record, raw))
        return found

    def annotate(self, rows):
        """Add the extra columns of a page of rows, in as few round trips as possible."""

    def problems(self, record, changed):
        """``{field: message}`` of the domain's rules beyond the record class's (checked after it)."""
        return {}

    def after_save(self, record, changed, pipe):
        """Queue what else an edit of ``changed`` fields writes, in the record's MULTI."""

    # --- rows -------------------------------------------------------------------------------------

    def rows(self, pks, annotate=True):
        pk_name = self.model._meta.pk.name
        rows = []
        for pk, values, record, raw in self.load(list(pks)):
            row = self.model(**{**values, pk_name: pk})
            row.record, row.kv_raw = record, raw
            row.kv_key = record.key() if isinstance(record, JsonRecord) else None
            if self.label_field and values.get(self.label_field):
                row.kv_label = str(values[self.label_field])[:200]
            rows.append(row)
        if annotate and rows:
            self.annotate(rows)
        return rows

    def scope_of_term(self, term):
        named = terms.scope_of(term)
        if named and set(named) <= self.scope_names():
            return named
        return None

    def searchable_texts(self, row):
        for name in self.search_fields:
            value = getattr(row, name, None)
            if isinstance(value, (list, tuple)):
                yield from (str(item) for item in value)
            elif value is not None:
                yield str(value)

    def sort(self, ordering):
        """``(field, descending)`` of the first sortable field in ``ordering``, else ``(None, False)``."""
        for part in ordering:
            name = str(part).lstrip("-")
            if name in (self.sortable_by or ()):
                return name, str(part).startswith("-")
        return None, False

    # --- ModelAdmin -------------------------------------------------------------------------------

    def get_queryset(self, request):
        return RecordQuerySet(self, ordering=self.get_ordering(request) or ())

    def get_search_results(self, request, queryset, search_term):
        return queryset.search(search_term), False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        editing = bool(self.editable) and self.has_change_permission(request, obj)
        return [self.model._meta.pk.name, *[name for name in self.kinds if name != self.model._meta.pk.name],
                *self.detail_fields, *(["kv_version"] if editing else [])]

    def get_readonly_fields(self, request, obj=None):
        return [name for name in self.get_fields(request, obj) if name not in (*self.editable, "kv_version")]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.kv_collection = self
        return form

    def save_model(self, request, obj, form, change):
        if form.kv_changed:
            self.write(obj, form.kv_record, form.kv_changed)

    def write(self, row, record, changed):
        """Save ``record`` (the row's edited record) if its key still holds what the row was loaded from."""

        def apply(pipe):
            if pipe.get(row.kv_key) != row.kv_raw:
                raise RecordChanged()
            pipe.multi()
            record.save(pipe=pipe)
            self.after_save(record, changed, pipe)

        kv.transaction(apply, row.kv_key)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except RecordChanged:
            self.message_user(request, STALE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if not self.editable:
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        if obj is not None:
            choices = [choice for choice in self.get_action_choices(request, default_choices=[])
                       if choice[0] != "delete_selected"]
            context.update(kv_actions=choices, kv_action_form=self.action_form(auto_id="kv-%s"),
                           kv_changelist_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                                                     current_app=self.admin_site.name),
                           kv_object_pk=obj.pk)
        return super().render_change_form(request, context, add, change, form_url, obj)


def add_actions(record_class, *actions, site=None):
    """Add ``actions`` to the admin of ``record_class``'s collection: how an app offers its services
    on a collection of an app it builds on (roadmap's sync on repositories, ...) without that app
    importing it."""
    for model_admin in (site or admin.site)._registry.values():
        if isinstance(model_admin, RecordAdmin) and model_admin.record_class is record_class:
            model_admin.actions = [*(model_admin.actions or ()), *actions]
            return
    raise LookupError(f"{record_class.__name__} has no admin to add actions to")


def changelist_link(model_label, text, **scope):
    """A link to another collection's changelist narrowed to ``scope`` (e.g. a user's entries),
    or the bare text when that collection is not in the admin."""
    app_label, model_name = model_label.split(".")
    try:
        url = reverse(f"admin:{app_label}_{model_name}_changelist")
    except NoReverseMatch:
        return text
    return format_html('<a href="{}?{}">{}</a>', url, urlencode(scope), text)
