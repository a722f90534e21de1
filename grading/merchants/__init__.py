"""Data merchants (数商): registration, the platform's verification, the public directory."""
