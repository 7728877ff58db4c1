"""Admin actions that run a domain service on each selected row and write the admin log.

``@row_action("Grant Pro")`` turns ``func(modeladmin, request, row, options)`` into a stock
admin action: it runs once per selected row (from the changelist, or from the change page's
"Actions" box), and each row it changes gets a ``LogEntry`` (who, and the text ``func`` returns:
what it did). A row the service refuses (a domain error, a record's ``ValidationError``,
``ActionRefused``) is reported and left out of the log. ``options`` are the extra fields of the
admin's ``action_form`` (an end date for Pro, ...).
"""

import copy
import functools

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from changelog_site.domain import DomainError
from changelog_site.kv.records import ValidationError as RecordInvalid

FROM_OBJECT = "kv_from_object"


class ActionRefused(Exception):
    """The action does not apply to this row (say why)."""


def action_options(modeladmin, request):
    """The cleaned extra fields of the action form, or None when they are invalid (reported)."""
    form = modeladmin.action_form(request.POST, auto_id=None)
    form.fields["action"].choices = modeladmin.get_action_choices(request)
    if not form.is_valid():
        for name, errors in form.errors.items():
            modeladmin.message_user(request, f"{form.fields[name].label or name}: {' '.join(errors)}", messages.ERROR)
        return None
    return {name: value for name, value in form.cleaned_data.items() if name not in ("action", "select_across")}


def row_action(description, *, permissions=("change",), deletes=False):
    """``deletes``: ``func`` deletes the row, logged as a deletion (with what ``func`` returns)."""
    flag = DELETION if deletes else CHANGE

    def wrap(func):
        @admin.action(description=description, permissions=permissions)
        @functools.wraps(func)
        def action(modeladmin, request, queryset):
            options = action_options(modeladmin, request)
            if options is None:
                return None
            done = []
            for row in queryset:
                logged = copy.copy(row)  # a deleted row loses its pk
                try:
                    what = func(modeladmin, request, row, options)
                except (ActionRefused, DomainError, RecordInvalid) as error:
                    detail = getattr(error, "detail", None) or str(error)
                    modeladmin.message_user(request, f"{row}: {detail}", messages.ERROR)
                    continue
                LogEntry.objects.log_actions(user_id=request.user.pk, queryset=[logged], action_flag=flag,
                                             change_message=what)
                done.append(what)
            if len(done) == 1:
                modeladmin.message_user(request, done[0], messages.SUCCESS)
            elif done:
                modeladmin.message_user(request, f"{description}: done for {len(done)} rows.", messages.SUCCESS)
            return _back(request)

        return action

    return wrap


def _back(request):
    """From the change page's Actions box, back to that page; else the changelist (Django's default)."""
    target = request.POST.get(FROM_OBJECT, "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return HttpResponseRedirect(target)
    return None
