"""Scoring stored calls (`score_calls`), the weights and thresholds that apply to a call (`rules`), reading
and changing them (`settings`), rescoring after a change or a scorer upgrade (`rescoring`), and coaching
(`coaching`). The scorer itself, which knows no database, is `voiceconsole.scoring`."""

from voiceconsole.services.scoring.coaching import generate_coaching, get_coaching
from voiceconsole.services.scoring.rescoring import (
    calls_to_rescore,
    request_outdated_rescoring,
    rescore_organization,
    scorer_version_key,
)
from voiceconsole.services.scoring.rules import (
    DEFAULT_ALERT_THRESHOLD,
    ScoringRules,
    check_threshold,
    check_weights,
    load_rules,
    stored_org_weights,
)
from voiceconsole.services.scoring.score_calls import ScoringOutcome, score_calls, score_stored_calls
from voiceconsole.services.scoring.settings import (
    UNSET,
    agent_scoring,
    client_scoring,
    scoring_settings,
    update_agent_scoring,
    update_client_scoring,
    update_org_scoring,
)

__all__ = [
    "DEFAULT_ALERT_THRESHOLD",
    "UNSET",
    "ScoringOutcome",
    "ScoringRules",
    "agent_scoring",
    "calls_to_rescore",
    "check_threshold",
    "check_weights",
    "client_scoring",
    "generate_coaching",
    "get_coaching",
    "load_rules",
    "request_outdated_rescoring",
    "rescore_organization",
    "score_calls",
    "score_stored_calls",
    "scorer_version_key",
    "scoring_settings",
    "stored_org_weights",
    "update_agent_scoring",
    "update_client_scoring",
    "update_org_scoring",
]
