"""The Agent Builder: one platform-neutral spec (schemas/agent_spec.py) deployed to Retell, Vapi and
ElevenLabs through the connectors' writers (platforms/builder), versions kept here, drift, quality per
version, coaching to prompt, templates and the prompt check."""

from voiceconsole.services.builder.checks import check_spec
from voiceconsole.services.builder.coaching import add_to_prompt
from voiceconsole.services.builder.deploy import create_agent, deploy_version, get_config, put_config
from voiceconsole.services.builder.drift import check_integration, import_drift
from voiceconsole.services.builder.quality import compare_versions
from voiceconsole.services.builder.templates import TEMPLATES, template
from voiceconsole.services.builder.versions import diff, get_version, list_versions

__all__ = [
    "TEMPLATES",
    "add_to_prompt",
    "check_integration",
    "check_spec",
    "compare_versions",
    "create_agent",
    "deploy_version",
    "diff",
    "get_config",
    "get_version",
    "import_drift",
    "list_versions",
    "put_config",
    "template",
]
