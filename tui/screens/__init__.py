"""Modal screens: the help screen and the edit form."""
