"""Pipeline stages: one verb per module, each handed its backend and its inputs.

A stage is a plain function that returns a :class:`~vidkit.stages.step.Step`: what goes into
its cache key, the work, and how to read a stored result. It never runs the cache itself and
never looks a backend up: the pipeline (:mod:`vidkit.pipeline`) builds backends from config,
wires the stages into each scene's graph and decides whether a step is looked up or worked.
"""
