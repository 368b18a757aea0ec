"""Tests of vidkit.render."""
