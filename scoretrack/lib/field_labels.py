"""Labels and help texts that record forms and histories take from model fields, for
the catalogues.

Model fields keep their English verbose names and help texts (no migration for a
translation); `RecordForm` and the history (web/audit.py) pass each through gettext,
and these marks put them in the .po files. Regenerate the list when a record gains a
field. `HISTORY_LABELS` names, for the history, the fields whose verbose name reads
badly ("Usd", "Eit member").
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

FIELD_TEXTS = (
    gettext_noop("Half"),
    gettext_noop("Disaggregation"),
    gettext_noop("Cumulative"),
    gettext_noop("Position"),
    gettext_noop("Statement"),
    gettext_noop("Verification"),
    gettext_noop("End"),
    gettext_noop("Submitted at"),
    gettext_noop("Submitted by"),
    gettext_noop("Approved at"),
    gettext_noop("Approved by"),
    gettext_noop("Reopened at"),
    gettext_noop("Reopened by"),
    gettext_noop("Reopen reason"),
    gettext_noop("Amount"),
    gettext_noop("Blank for a global organisation (a multinational, a donor)"),
    gettext_noop("Category"),
    gettext_noop("Cluster"),
    gettext_noop("Collective agreement"),
    gettext_noop("Country"),
    gettext_noop("Currency"),
    gettext_noop("Date"),
    gettext_noop("Delivery"),
    gettext_noop("Email"),
    gettext_noop("End date"),
    gettext_noop("Ended on"),
    gettext_noop("Enterprise"),
    gettext_noop("Fee"),
    gettext_noop("Hours"),
    gettext_noop("Independence"),
    gettext_noop("Key"),
    gettext_noop("Kind"),
    gettext_noop("Leave blank to convert at the stored rate of the date"),
    gettext_noop("Links the same person's attendance across deliveries; blank = one person"),
    gettext_noop("Member of the enterprise improvement team"),
    gettext_noop("Milestone"),
    gettext_noop("Module"),
    gettext_noop("Name"),
    gettext_noop("Note"),
    gettext_noop("Organisation"),
    gettext_noop("Organiser"),
    gettext_noop("Person"),
    gettext_noop("Region"),
    gettext_noop("Role"),
    gettext_noop("Satisfaction"),
    gettext_noop("Sector"),
    gettext_noop("Sex"),
    gettext_noop("Signed on"),
    gettext_noop("Source"),
    gettext_noop("Start date"),
    gettext_noop("Status"),
    gettext_noop("The implementation partner that organised it"),
    gettext_noop("The participant's rating of the training, 1 (poor) to 5 (very good)"),
    gettext_noop("Trainer"),
    gettext_noop("Trainers"),
    gettext_noop("Type"),
    gettext_noop("Unionised"),
    gettext_noop("Women owned"),
    gettext_noop("Your own identifier, unique per country"),
    gettext_noop("Lead buyer"),
    gettext_noop("Denominator"),
    gettext_noop("Event"),
    gettext_noop("Frequency"),
    gettext_noop("In place"),
    gettext_noop("Numerator"),
    gettext_noop("Selected on"),
)

HISTORY_LABELS = {
    "usd": gettext_noop("USD"),
    "fee_usd": gettext_noop("Fee in USD"),
    "per_usd": gettext_noop("Per USD"),
    "cost_usd": gettext_noop("Cost (USD)"),
    "saving_usd": gettext_noop("Saving (USD)"),
    "eit_member": gettext_noop("EIT member"),
    "kpi": gettext_noop("KPI"),
    "workforce_female": gettext_noop("Women in the workforce"),
    "workforce_male": gettext_noop("Men in the workforce"),
    "name_translations": gettext_noop("Translated names"),
    "gender_related": gettext_noop("Gender-related"),
    # An event's participants of a group: how many women and men.
    "female": gettext_noop("Women"),
    "male": gettext_noop("Men"),
}
