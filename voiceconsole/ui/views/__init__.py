"""Views: the parts a page arranges (tables, filters, panels, dialogs), composed from components and bound
to one state class each."""
