"""Public shapes of our resources (camelCase on the wire), returned by the services and shared by the API
and the UI: one mapping per shape. Tables never leave the services, so secrets (key hashes, encrypted
platform keys) cannot leak."""

from voiceconsole.schemas.agents import (
    AgentDetail,
    AgentMonitoring,
    AgentsOverview,
    AgentStatsRow,
    AgentSummary,
    TrendPoint,
)
from voiceconsole.schemas.analytics import (
    AnalyticsOut,
    PeriodFigures,
    PeriodFiguresWithMeta,
    PeriodMeta,
    Portfolio,
    PortfolioAgentRow,
    PortfolioRow,
)
from voiceconsole.schemas.api_keys import ApiKeyCreated, ApiKeyOut
from voiceconsole.schemas.base import PublicModel
from voiceconsole.schemas.billing import BillingOut, InvoiceOut, RedirectOut
from voiceconsole.schemas.calls import CallDetail, CallSummary, CostComponent, LatencyStage, Note, VoiceMetrics
from voiceconsole.schemas.clients import ClientDeleted, ClientOut
from voiceconsole.schemas.integrations import IntegrationOut, WebhookReceipt, WorkQueued
from voiceconsole.schemas.notifications import ChannelCreated, ChannelOut, DeliveryAttemptOut, DeliveryOut
from voiceconsole.schemas.scoring import (
    AgentScoringOut,
    AgentThresholdOut,
    AiModeOut,
    ClientScoringOut,
    CoachingOut,
    CreditsOut,
    ScoringSettingsOut,
)
from voiceconsole.schemas.sign_in import AuditActor, AuditEntryOut, SessionOut, SessionsRevoked
from voiceconsole.schemas.team import InvitationOut, MemberOut, MemberRemoved, MyOrganization

__all__ = [
    "AgentDetail",
    "AgentMonitoring",
    "AgentScoringOut",
    "AgentStatsRow",
    "AgentSummary",
    "AgentThresholdOut",
    "AgentsOverview",
    "AiModeOut",
    "AnalyticsOut",
    "ApiKeyCreated",
    "ApiKeyOut",
    "AuditActor",
    "AuditEntryOut",
    "BillingOut",
    "CallDetail",
    "CallSummary",
    "ChannelCreated",
    "ChannelOut",
    "ClientDeleted",
    "ClientOut",
    "ClientScoringOut",
    "CoachingOut",
    "CostComponent",
    "CreditsOut",
    "DeliveryAttemptOut",
    "DeliveryOut",
    "IntegrationOut",
    "InvitationOut",
    "InvoiceOut",
    "LatencyStage",
    "MemberOut",
    "MemberRemoved",
    "MyOrganization",
    "Note",
    "PeriodFigures",
    "PeriodFiguresWithMeta",
    "PeriodMeta",
    "Portfolio",
    "PortfolioAgentRow",
    "PortfolioRow",
    "PublicModel",
    "RedirectOut",
    "ScoringSettingsOut",
    "SessionOut",
    "SessionsRevoked",
    "TrendPoint",
    "VoiceMetrics",
    "WebhookReceipt",
    "WorkQueued",
]
