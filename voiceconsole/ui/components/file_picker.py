"""`rx.upload` with its hidden file input named for screen readers: Reflex renders the input itself, with no
label, and react-dropzone's root div is what people click; axe (rightly) calls an unnamed form field critical."""

from __future__ import annotations

import reflex as rx


def file_picker(*children: rx.Component, label: str, **props) -> rx.Component:
    upload = rx.upload(*children, **props)
    stack: list[rx.Component] = [upload]
    while stack:
        component = stack.pop()
        if getattr(component, "tag", None) == "input":
            component.custom_attrs["aria-label"] = label
        stack.extend(component.children)
    return upload
