"""Who may do what in moderation (R20–R23). The role predicates are the registry's
(accounts/rules.py): an editor is someone with a mandate in force today for that account (R10)."""

import rules

from accounts.rules import edits_account, is_comms, is_editor


@rules.predicate
def edits_records_account(user, record):
    """The user edits the account that a case, question, legal-basis record or evidence belongs to."""
    return record is not None and edits_account(user, record.account)


# Opening and keeping records for an account: its editors.
rules.add_perm("moderation.open_case", edits_account)  # obj: the account
rules.add_perm("moderation.log_inquiry", edits_account)  # obj: the account
rules.add_perm("moderation.record_legal_basis", edits_account)  # obj: the account
# Reading and adding to a record (evidence, removal, police report, answer): its account's editors
# and comms; evidence files likewise (R22: served to nobody else).
rules.add_perm("moderation.view_record", edits_records_account | is_comms)  # obj: case/inquiry/record
rules.add_perm("moderation.change_record", edits_records_account)  # obj: case/inquiry/record
rules.add_perm("moderation.view_evidence", edits_records_account | is_comms)  # obj: the evidence
# R21: what disappeared from an account's platform or was hidden: its editors and comms read the
# list (obj: the account); its editors say why (obj: the captured item), as they open cases.
rules.add_perm("moderation.view_removals", edits_account | is_comms)
rules.add_perm("moderation.explain_removal", edits_records_account)


@rules.predicate
def is_case_evidence(user, evidence):
    return evidence is not None and evidence.case_id is not None


@rules.predicate
def uploaded_it(user, evidence):
    return evidence is not None and evidence.uploaded_by_id == user.pk


# R22: a colleague who may see the case testifies that a screenshot is unaltered (the police ask
# for it); the uploader does not attest their own. obj: the evidence.
rules.add_perm("moderation.attest_evidence", is_case_evidence & (edits_records_account | is_comms) & ~uploaded_it)
# Comms' overview per account: cases, answers in time, legal bases and those recorded late.
rules.add_perm("moderation.review", is_comms)
rules.add_perm("moderation.index", is_editor | is_comms)
