"""Applications for conditional data: apply, the formal check, the agency's decision, accept."""
