"""The README's leads-and-campaigns curl block runs as written (only its first line, the placeholders, is
replaced): bash and curl against the API served by uvicorn, the import job run by a worker, the campaign's
agent on the platform simulator. Then the database shows what each command was meant to do."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest
from sqlmodel import select

from tests.support.live_api import live_api, server_log
from tests.support.simulator import connect, run_jobs

pytestmark = pytest.mark.usefixtures("integration_settings", "no_jobs_left_behind")
README = Path(__file__).resolve().parents[3] / "README.md"
BLOCK = re.compile(r"<!-- test: leads-and-campaigns-curl -->\s*\n```bash\n(.*?)\n```", re.S)


def test_the_readme_curl_examples_work_verbatim(sim, factory, tmp_path):
    from voiceconsole.models import Agent, Campaign, Lead, LeadImport
    from voiceconsole.services import api_keys
    from voiceconsole.services.access.actor import SYSTEM

    found = BLOCK.search(README.read_text(encoding="utf-8"))
    assert found, "README has no block marked <!-- test: leads-and-campaigns-curl -->"
    placeholders, commands = found.group(1).split("\n", 1)
    assert placeholders.startswith("KEY=viq_YOUR_KEY; API=http://localhost:3000/api/v1; AGENT=")

    org, integration = connect(factory, sim, "retell")
    platform_agent = next(iter(sim.state.data("retell").agents))
    factory.s.add(
        Agent(
            organization_id=org.id,
            integration_id=integration.id,
            platform="retell",
            platform_agent_id=platform_agent,
            name="Outbound",
        )
    )
    key = api_keys.create_api_key(factory.s, org=org, name="README", actor=SYSTEM).key
    factory.s.commit()

    with live_api(tmp_path) as base:
        script = (
            f"set -euo pipefail\nKEY={key}; API={base}/api/v1; AGENT={platform_agent}; FROM=+14155550100\n{commands}\n"
        )
        proc = subprocess.Popen(
            ["bash", "-c", script], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while proc.poll() is None:  # this test's worker: the import the block waits for
            assert time.monotonic() < deadline, "the README block did not finish within 120 s"
            run_jobs("default")
            time.sleep(0.3)
        out, err = proc.communicate()
        assert proc.returncode == 0, f"{err}\n{out[-3000:]}\n{server_log(tmp_path)[-3000:]}"

    assert re.search(r'"row":\s*4,\s*"field":\s*"phone"', out), out  # the dry run names the bad line
    assert "row,field,message,Phone Number,First,Plan" in out  # the error report's header
    factory.s.expire_all()
    leads = {lead.phone: lead for lead in factory.s.exec(select(Lead).where(Lead.organization_id == org.id))}
    assert set(leads) == {"+14155552671", "+14155550134", "+442079460321"}
    assert leads["+442079460321"].custom_fields == {"plan": "silver"}
    assert leads["+442079460321"].timezone == "Europe/London"  # derived from the number
    assert leads["+14155550134"].status == "do_not_call"  # added to the list after its import
    imported = factory.s.exec(select(LeadImport).where(LeadImport.organization_id == org.id)).one()
    assert (imported.status, imported.created_count, imported.error_count) == ("done", 2, 1)
    campaign = factory.s.exec(select(Campaign).where(Campaign.organization_id == org.id)).one()
    assert (campaign.name, campaign.status, campaign.max_concurrent) == ("Spring renewals", "cancelled", 5)
    assert campaign.variables == {"first_name": "first_name", "plan": "custom.plan"}
