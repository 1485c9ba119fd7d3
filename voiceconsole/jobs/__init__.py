"""RQ jobs: thin wrappers that load ids and call services. Jobs are idempotent."""
