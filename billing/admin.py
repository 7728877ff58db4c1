from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import user_ids
from accounts.models import Account, User
from accounts.lifecycle import account_delete
from billing import staff
from billing.models import DodoIds, Usage, current_month
from billing.services import billing_export
from changelog_site import kvadmin
from changelog_site.kv import keys


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("shiplog_user_id", "email", "plan", "usage_this_month", "created_at")
    search_fields = ("shiplog_user_id", "user__email", "user__username")
    readonly_fields = ("shiplog_user_id", "created_at", "plan", "usage_this_month", "dodo_ids", "subscription")
    raw_id_fields = ("user",)

    @admin.display(description="email")
    def email(self, account):
        return account.user.email

    @admin.display(description="plan")
    def plan(self, account):
        """The plan, linking to the user's record, where staff grant or remove Pro (UserAdmin below)."""
        record = User.get(account.shiplog_user_id)
        if record is None:
            return "(no user record)"
        return format_html('{} (<a href="{}">grant or remove Pro</a>)', record.plan,
                           reverse("admin:billing_user_change", args=[quote(account.shiplog_user_id)]))

    @admin.display(description="usage this month")
    def usage_this_month(self, account):
        usage = Usage(account.shiplog_user_id).get()
        return f"{usage['entriesPublished']} published, {usage['aiRewrites']} AI rewrites"

    @admin.display(description="DodoPayments ids")
    def dodo_ids(self, account):
        ids = DodoIds(account.shiplog_user_id).get()
        return f"customer {ids['customerId'] or '-'}, subscription {ids['subscriptionId'] or '-'}"

    @admin.display(description="subscription (last Dodo event)")
    def subscription(self, account):
        state = billing_export(user_id=account.shiplog_user_id)["subscription"]
        if not state:
            return "(no subscription event seen)"
        ending = " (cancels at period end)" if state.get("cancelAtNextBillingDate") else ""
        return f"{state.get('status')}{ending}, next billing {state.get('nextBillingDate') or '-'}, " \
               f"last event {state.get('eventType')}"


# --- the users collection (user:{userId}, with its usage, Dodo ids and GitHub token) ------------

class PlanActionForm(helpers.ActionForm):
    until = forms.DateField(required=False, label="Pro until", widget=forms.DateInput(attrs={"type": "date"}),
                            help_text="For “Grant Pro”: the last day (UTC); empty: until removed.")


@kvadmin.row_action("Grant Pro (until the date given, or until removed)")
def grant_pro(modeladmin, request, row, options):
    grant = staff.pro_grant(user_id=row.pk, until=options.get("until"), granted_by=request.user.get_username())
    return f"Granted Pro to {row} until {options['until'].isoformat()}." if grant["until"] else \
        f"Granted Pro to {row} until removed."


@kvadmin.row_action("Remove Pro (free plan now)")
def remove_pro(modeladmin, request, row, options):
    still_paying = staff.pro_remove(user_id=row.pk)
    return f"Moved {row} to the free plan." + (
        " They still have a DodoPayments subscription: its next renewal sets Pro again." if still_paying else "")


@kvadmin.row_action("Reset this month's usage")
def reset_usage(modeladmin, request, row, options):
    month = staff.usage_reset(user_id=row.pk)
    return f"Reset the {month} usage of {row}."


@kvadmin.register(User, pk="id", verbose_name="user")
class UserAdmin(kvadmin.RecordAdmin):
    covers = (Usage, DodoIds)
    list_display = ("id", "email", "plan_and_grant", "usage_this_month", "dodo_ids", "github_token", "django_account")
    sortable_by = ("id",)
    ordering = ("id",)
    search_fields = ("email", "id")
    search_help_text = "A user id, an email address, a repository (owner/repo), an entry id, or part of an email."
    scopes = ("userId", "email", "repoId", "entryId", "widgetId", "roadmapId")
    editable = ("location",)
    detail_fields = ("pro_grant", "usage_this_month", "dodo_ids", "github_token", "django_account", "records")
    label_field = "email"
    action_form = PlanActionForm
    actions = [grant_pro, remove_pro, reset_usage]

    def refs(self, scope):
        ids = user_ids(scope)
        return [{"userId": user_id} for user_id in (ids if ids is not None else User.all_ids())]

    def listing(self, scope, ordering):
        _, descending = self.sort(ordering)
        ids = user_ids(scope)
        if ids is None:
            return kvadmin.Listing([kvadmin.members_of(keys.idx_users())], descending=descending)
        return kvadmin.Listing([kvadmin.if_exists(keys.user(user_id), user_id)
                                for user_id in sorted(ids, reverse=descending)])

    def record_keys(self, pks):
        return [keys.user(pk) if ":" not in pk else None for pk in pks]

    def annotate(self, rows):
        ids = [row.pk for row in rows]
        month = current_month()
        replies = kvadmin.pipelined([command for user_id in ids for command in (
            ("hgetall", keys.usage(user_id, month)), ("get", keys.dodo_customer_id(user_id)),
            ("get", keys.dodo_subscription_id(user_id)), ("exists", keys.github_token(user_id)))],
            errors_as_values=True)
        grants = staff.pro_grants_get(user_ids=ids)
        accounts = {account.shiplog_user_id: account.user for account in
                    Account.objects.filter(shiplog_user_id__in=ids).select_related("user")}
        for index, row in enumerate(rows):
            usage, customer, subscription, token = replies[4 * index:4 * index + 4]
            row.usage = Usage(row.pk).get() if not isinstance(usage, dict) else \
                {name: int(usage.get(name) or 0) for name in ("entriesPublished", "aiRewrites")}
            row.dodo = (customer, subscription)
            row.has_token = bool(token)
            row.grant = grants.get(row.pk)
            row.account = accounts.get(row.pk)

    @admin.display(description="plan")
    def plan_and_grant(self, row):
        return f"{row.plan} ({self.pro_grant(row)})" if row.grant else row.plan

    @admin.display(description="Pro granted by staff")
    def pro_grant(self, row):
        if not row.grant:
            return "–"
        ends = (row.grant.get("until") or "")[:10]
        return f"granted by {row.grant.get('grantedBy') or 'staff'}" + (f", ends {ends}" if ends else "")

    @admin.display(description="usage this month")
    def usage_this_month(self, row):
        return f"{row.usage['entriesPublished']} published · {row.usage['aiRewrites']} AI rewrites"

    @admin.display(description="Dodo customer / subscr.")
    def dodo_ids(self, row):
        customer, subscription = row.dodo
        return f"{customer or '–'} / {subscription or '–'}"

    @admin.display(description="GitHub token", boolean=True)
    def github_token(self, row):
        return row.has_token

    @admin.display(description="Django account")
    def django_account(self, row):
        if row.account is None:
            return "(none linked)"
        return format_html('<a href="{}">{}</a>', reverse("admin:auth_user_change", args=[row.account.pk]),
                           row.account.get_username())

    @admin.display(description="records")
    def records(self, row):
        return format_html("{} · {} · {} · {}", kvadmin.changelist_link("repos.repo", "repositories", userId=row.pk),
                           kvadmin.changelist_link("entries.entry", "entries", userId=row.pk),
                           kvadmin.changelist_link("widget.widgetconfig", "widgets", userId=row.pk),
                           kvadmin.changelist_link("roadmap.roadmapitem", "roadmap", userId=row.pk))

    # Deleting a user is the GDPR deletion, the same path as deleting one's own account.

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def get_deleted_objects(self, objs, request):
        rows = list(objs)
        perms_needed = set() if self.has_delete_permission(request) else {self.opts.verbose_name}
        described = [format_html("{} and everything of theirs: repositories (and their webhooks), entries, social "
                                 "posts, widgets, roadmap items, usage, billing records, GitHub token, Django "
                                 "account; subscribers of repositories no one else connected", row) for row in rows]
        return described, {self.opts.verbose_name_plural: len(rows)}, perms_needed, []

    def delete_model(self, request, obj):
        account_delete(user_id=obj.pk)

    def delete_queryset(self, request, queryset):
        for row in queryset:
            account_delete(user_id=row.pk)


# --- totals on the admin's index page ---------------------------------------------------------

@kvadmin.total("users", permission="billing.view_user", order=10, link="billing.user")
def users_total():
    return len(User.all_ids())


@kvadmin.total("Pro users", permission="billing.view_user", order=20, link="billing.user")
def pro_users_total():
    """Every ``user:`` record is read (pipelined, 500 a round trip): no index keeps plans."""
    raws = kvadmin.pipelined([("get", keys.user(user_id)) for user_id in User.all_ids()])
    return sum(1 for raw in raws if raw and User.loads(raw).plan == "pro")


@kvadmin.total("entries published this month", permission="entries.view_entry", order=30)
def published_this_month_total():
    """The sum of the users' ``entriesPublished`` this month: an entry counts once a month however
    often it is republished, as on the usage card."""
    month, ids = current_month(), User.all_ids()
    replies = kvadmin.pipelined([("hget", keys.usage(user_id, month), "entriesPublished") for user_id in ids],
                                errors_as_values=True)
    return sum(Usage(user_id, month).get()["entriesPublished"] if isinstance(reply, Exception) else int(reply or 0)
               for user_id, reply in zip(ids, replies))
