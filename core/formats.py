"""The export formats' names, apart from the exports themselves: the command line lists them
without importing core.export (and json), which the app's first frame does not need."""

FORMATS = ("text", "markdown", "latex", "jsonl", "summary")
