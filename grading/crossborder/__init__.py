"""Cross-border data flow (seed 003 §15-17): the general data list, self-assessment, filing."""
