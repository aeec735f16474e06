"""Staff access to the gap analyses: the manager JSON API."""
