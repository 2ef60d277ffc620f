"""logsgd.tui: the command line and the Textual app that shows what logsgd.core computes."""
