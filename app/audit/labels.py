"""What each kind of audit entry is called, in the reader's language."""

from flask_babel import lazy_gettext as _l

from app.labels import label, register

ACTIONS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "second_factor_failed": _l("Wrong second-step code"),
    "logout": _l("Logged out"),
    "end_session": _l("Ended a login session"),
    "end_other_sessions": _l("Logged out on other devices"),
    "end_all_sessions": _l("Logged an account out everywhere"),
    "create_account": _l("Created an account"),
    "change_access": _l("Changed an account's role or unit"),
    "deactivate_account": _l("Deactivated an account"),
    "reactivate_account": _l("Reactivated an account"),
    "change_password": _l("Changed own password"),
    "set_password": _l("Set an account's password"),
    "issue_reset_link": _l("Issued a password reset link"),
    "use_reset_link": _l("Set a password with a reset link"),
    "enrol_second_factor": _l("Set up the second step of login"),
    "reset_second_factor": _l("Removed an account's second step of login"),
    "new_recovery_codes": _l("Made new recovery codes"),
    "use_recovery_code": _l("Used a recovery code"),
    "view_profile": _l("Viewed a profile"),
    "print_profile": _l("Printed a dossier"),
    "view_decision": _l("Viewed an appointment decision"),
    "view_pool": _l("Viewed a planning pool"),
    "view_conditions": _l("Viewed the conditions of appointments"),
    "view_decisions": _l("Viewed the list of appointment decisions"),
    "view_unit_cadres": _l("Viewed a unit's cadres"),
    "export": _l("Exported data"),
    "view_learner_progress": _l("Viewed learners' progress in a course"),
    "export_learner_progress": _l("Exported learners' progress in a course"),
    "export_audit": _l("Exported the audit log"),
    "add_training": _l("Added a training record"),
    "correct_training": _l("Corrected a training record"),
    "revoke_training": _l("Revoked a training record"),
    "record_completion": _l("Training record from a completed course"),
    "add_qualification": _l("Added a qualification"),
    "revoke_qualification": _l("Revoked a qualification"),
    "add_planning": _l("Added to a planning pool"),
    "add_discipline": _l("Recorded a discipline decision"),
    "annul_discipline": _l("Annulled a discipline decision"),
    "replace_discipline": _l("Replaced a discipline decision by another level"),
    "link_account": _l("Linked an account to a profile"),
    "propose_appointment": _l("Proposed an appointment"),
    "override_appointment": _l("Recorded an override"),
    "apply_appointment": _l("Applied a decision on its date"),
    "save_requirements": _l("Saved requirements"),
    "create_assignment": _l("Created an assignment"),
    "edit_assignment": _l("Changed an assignment"),
    "cancel_assignment": _l("Cancelled an assignment"),
    "view_assignment_members": _l("Viewed an assignment's members"),
    "import_units": _l("Imported units"),
    "import_cadres": _l("Imported cadres"),
    "edit_legal_document": _l("Changed a document of the legal register"),
    "assign_course_trainer": _l("Assigned a trainer to a course"),
    "remove_course_trainer": _l("Removed a trainer from a course"),
    "set_course_issuer": _l("Set a course's issuing unit"),
    "upload_course": _l("Uploaded a course as a draft edition"),
    "fetch_course": _l("Fetched a course from its git repository"),
    "edit_course": _l("Edited a lesson into a draft edition"),
    "publish_edition": _l("Published an edition of a course"),
    "republish_edition": _l("Published an earlier edition again"),
    "discard_edition": _l("Set a draft edition aside"),
    "link_course_repository": _l("Linked a course to a git repository"),
}


register("audit_action", ACTIONS)


def action_label(action: str) -> str:
    return label("audit_action", action)
