"""The home page, the language switcher and error pages."""
