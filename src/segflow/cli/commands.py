"""Every command family of the CLI, imported once so each registers itself on `app`."""
