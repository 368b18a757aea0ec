"""Timeline export to editors, and their edits back.

- :mod:`vidkit.export.build` — :func:`export_timeline`: a rendered project as an
  OpenTimelineIO timeline (screen, presenter, narration and music tracks; captions and
  chapters as markers; a tightened recording as real cuts);
- :mod:`vidkit.export.formats` — :func:`write_export`: that timeline written as OTIO, FCP X
  XML, FCP 7 XML or a CMX 3600 EDL through OpenTimelineIO's adapters;
- :mod:`vidkit.export.back` — :func:`import_edit`: an edited OTIO file read back: the scene
  order, and trims of recorded scenes as new versions of their cut lists.

OpenTimelineIO is imported only when a timeline is made or read.
"""

from __future__ import annotations

from vidkit.export.back import ImportReport, import_edit
from vidkit.export.build import export_timeline
from vidkit.export.formats import FORMATS, write_export

__all__ = ["FORMATS", "ImportReport", "export_timeline", "import_edit", "write_export"]
