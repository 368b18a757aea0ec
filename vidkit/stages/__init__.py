"""Pipeline stages: one verb per module, each handed its backend.

A stage takes catalogue objects and parameters, runs its backend through
:func:`vidkit.stages.cache.run_cached` (which owns caching and job records for every stage), and
returns assets from the asset store. Stages never look a backend up themselves; see
:mod:`vidkit.backends.registry` for building backends from config.
"""
