"""The file pickers' hidden input carries its name (axe: a form field without a label is critical)."""

import reflex as rx

from voiceconsole.ui.components.file_picker import file_picker


def _inputs(rendered) -> list[list[str]]:
    found = []
    if isinstance(rendered, dict):
        if str(rendered.get("name")).strip('"') == "input":
            found.append(rendered.get("props") or [])
        for value in rendered.values():
            found += _inputs(value)
    elif isinstance(rendered, list):
        for value in rendered:
            found += _inputs(value)
    return found


def test_the_hidden_file_input_is_named():
    picker = file_picker(rx.text("Choose a file"), label="CSV file of leads to import", id="leads-csv")
    (props,) = _inputs(picker.render())
    assert '"aria-label":"CSV file of leads to import"' in props and 'type:"file"' in props
