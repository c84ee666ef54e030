"""What happens to the archive a backend built: normalize it (scrubbing text members), then guard it.

Both wheel steps share one pass over the members: the normalizer hands each
text member to the scrubber and every member's final bytes to the leak guard.
Editable wheels are normalized only: their ``.pth`` and finder modules name the
source tree on purpose. Sdists hold the user's own files and are normalized only
(see docs/archives.md).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Optional, Sequence

from .. import log
from ..settings import Settings
from ..remap.pathmap import PathMap


def finish_artifact(hook_name: str, artifact: Path, maps: Sequence[PathMap], settings: Settings,
                    epoch: Optional[int]) -> None:
    wheel = hook_name == "build_wheel" and artifact.name.endswith(".whl")
    guard = scrub = None
    if wheel and maps:
        from ..archives.guard import Guard
        from ..remap.varying import Matcher

        guard = Guard(maps)
        scrub = Matcher(maps) if settings.scrub_text else None
    if settings.normalize:
        from ..archives import normalize_artifact

        if normalize_artifact(artifact, epoch, scrub=scrub, observe=guard.inspect if guard else None):
            log.debug(f"normalized {artifact.name}")
    elif guard is not None:
        guard.scan_wheel(artifact)  # nothing rewritten, so nothing scrubbed either
    if guard is not None:
        from ..archives.guard import report

        try:
            report(guard.findings(), artifact.name, settings.strict)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                artifact.unlink()  # a failed build leaves no wheel a frontend might pick up
            raise
