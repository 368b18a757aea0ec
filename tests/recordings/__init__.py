"""Test media for raw recordings (#11) and the instruments that measure it."""
