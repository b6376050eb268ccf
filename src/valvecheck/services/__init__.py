"""The use-cases. The CLI, the web pages and the JSON API all call these and nothing below them.

Each takes a `Context` (services/context.py) first and returns a typed result. They are loaded
on first use (PEP 562), so that a command pays only for the modules it needs.
"""

from __future__ import annotations

import importlib
from typing import Any

# use-case -> the module that holds it
USE_CASES: dict[str, str] = {
    # workspace and people
    "open_workspace": "workspace",
    "unit_of_work": "workspace",
    "init_workspace": "workspace",
    "migrate_workspace": "workspace",
    "role_warning": "workspace",
    "add_council": "people",
    "list_councils": "people",
    "add_person": "people",
    "list_people": "people",
    "set_role": "people",
    "deactivate": "people",
    "restore_access": "people",
    "set_password": "people",
    "forget_person": "forget",
    "sign_in": "people",
    "change_own_password": "account",
    "first_admin": "setup",
    "setup_councils": "setup",
    # the catalogue
    "import_catalogue": "catalogue",
    "import_package": "catalogue",
    "import_appendix": "imports",
    "export_package": "catalogue",
    "common_measures": "common",
    "decide": "equivalence",
    "decisions": "equivalence",
    "decisions_about": "equivalence",
    "other_measures": "equivalence",
    # the council's own programme
    "place": "programme",
    "unplace": "programme",
    "placement_history": "programme",
    "rename": "programme",
    "programme_themes": "programme",
    # measures, ratings and assessments
    "load_state": "measures",
    "list_measures": "measures",
    "show_measure": "measures",
    "measure_page": "measures",
    "measure_choices": "measures",
    "measure_listing": "listing",
    "next_in_listing": "listing",
    "measure_suggestions": "listing",
    "activity_suggestions": "listing",
    "rate": "ratings",
    "rate_copies": "rate_copies",
    "history": "ratings",
    "list_assessments": "ratings",
    "being_prepared": "ratings",
    "current_assessment": "ratings",
    "assessment_named": "ratings",
    "use_assessment": "ratings",
    "switch_preview": "switch",
    "make_current": "switch",
    "lock_assessment": "ratings",
    "new_assessment": "ratings",
    "compare": "compare",
    "assessment_detail": "compare",
    "assessment_info": "compare",
    # activities and suggestions
    "import_activities": "activities",
    "list_activities": "activities",
    "show_activity": "activities",
    "link": "links",
    "unlink": "links",
    "find_measure": "links",
    "not_relevant": "links",
    "edit_activity": "activities",
    "add_activity": "activities",
    "activity_history": "activity_details",
    "link_events": "links",
    "suggest": "suggestions",
    "accept": "suggestions",
    "council_links": "suggestions",
    # what the council sees
    "summary": "summary",
    "export": "summary",
    "dashboard": "dashboard",
    "recent_changes": "dashboard",
    "report_data": "reports",
    "report_assessment": "reports",
    "report_day": "reports",
    "render": "reports",
    # impact
    "impact": "impact",
    "import_savings": "impact",
    "saving_history": "impact",
    "set_saving": "impact",
    # how a saving is shared among measures
    "import_weights": "weights",
    "set_weights": "weights",
    # the deficit trajectory
    "import_trajectory": "trajectory",
    "set_trajectory": "trajectory",
    "trajectory": "trajectory",
    # deployments
    "create_token": "tokens",
    "list_tokens": "tokens",
    "revoke_token": "tokens",
    "backup": "backup",
    "restore": "backup",
}

__all__ = sorted(USE_CASES)


def __getattr__(name: str) -> Any:
    module = USE_CASES.get(name)
    if module is None:
        raise AttributeError(f"module 'valvecheck.services' has no attribute '{name}'")
    return getattr(importlib.import_module(f"valvecheck.services.{module}"), name)
