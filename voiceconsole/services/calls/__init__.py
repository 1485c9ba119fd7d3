"""Calls: the filtered list (`listing`), one call in full (`detail`), notes and tags (`annotations`), the
CSV export (`export`), and a call's neighbours in a list, for previous/next (`neighbours`). Every query is
scoped to one organization, and to one client for a client viewer."""

from voiceconsole.services.calls.annotations import (
    MAX_NOTE_LENGTH,
    MAX_TAG_LENGTH,
    MAX_TAGS_PER_REQUEST,
    add_note,
    add_tags,
    normalise_tags,
    remove_tags,
)
from voiceconsole.services.calls.detail import find_call, get_call
from voiceconsole.services.calls.export import export_filename, stream_calls_csv
from voiceconsole.services.calls.listing import (
    EXACT_TOTAL_LIMIT,
    SORT_COLUMNS,
    CallFilters,
    CallPage,
    check_filters,
    count_calls,
    filter_conditions,
    list_calls,
    page_calls,
    split_tags,
)
from voiceconsole.services.calls.neighbours import call_neighbours

__all__ = [
    "EXACT_TOTAL_LIMIT",
    "MAX_NOTE_LENGTH",
    "MAX_TAGS_PER_REQUEST",
    "MAX_TAG_LENGTH",
    "SORT_COLUMNS",
    "CallFilters",
    "CallPage",
    "add_note",
    "add_tags",
    "call_neighbours",
    "check_filters",
    "count_calls",
    "export_filename",
    "filter_conditions",
    "find_call",
    "get_call",
    "list_calls",
    "normalise_tags",
    "page_calls",
    "remove_tags",
    "split_tags",
    "stream_calls_csv",
]
