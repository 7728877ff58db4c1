from django.contrib import admin

from billing.models import Account, DodoIds, Usage, User
from billing.services import billing_export


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
        record = User.get(account.shiplog_user_id)
        return record.plan if record else "(no user record)"

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
