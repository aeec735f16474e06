"""Mystery-shopper audits: programmes, visits, checklists, evidence and review."""
