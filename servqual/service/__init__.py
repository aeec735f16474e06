"""The organisation's side of service culture: sites, channels, cycles, touchpoints, promise."""
