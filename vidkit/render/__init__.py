"""Rendering: timelines to ffmpeg filtergraphs (final output) and a numpy compositor (previews)."""
