"""Customer and internal surveys: campaigns, distribution, responses, imports and exports."""
