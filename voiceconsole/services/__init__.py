"""Domain logic: the one place business rules live. UI state, API routes and jobs call these."""
