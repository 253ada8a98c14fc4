"""Files that hold keys (the signing keys, the KEK): written whole, mode 0600, and made once
even by processes starting together."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from uuid import uuid4

if TYPE_CHECKING:
    from pathlib import Path


def private_copy(path: Path, body: str) -> Path:
    """`body` in a new 0600 file beside `path`, to be moved or linked into place whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid4().hex}")
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as f:
        f.write(body)
    return temporary


def link_once(temporary: Path, path: Path) -> None:
    """Link `temporary` into place unless `path` exists, then remove it: of two processes
    making the file at once one makes it, the other reads it, and neither sees it half
    written."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
