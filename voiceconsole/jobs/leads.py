"""The lead import job: write an uploaded file's rows into leads. Thin: it takes an id and calls a service
(services/campaigns/imports.py), which resumes where an earlier run stopped."""

from __future__ import annotations

from voiceconsole.services.campaigns.imports import run_import


def lead_import_job(import_id: int) -> dict:
    return run_import(import_id).summary()
