"""`python -m voiceconsole.cli …`, the same as the `voiceconsole` command."""

from voiceconsole.cli import main

main()
