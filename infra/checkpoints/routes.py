"""`GET /checkpoint` and `GET /checkpoint/keys`: public documents (no guard). A checkpoint
says only how many events the log holds and their Merkle root at a time, and a key is a
public key: no personal data, nothing scoped. An auditor keeps copies outside the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bridgework.projections.checkpoints import checkpoint_of_size, latest_checkpoint
from litestar import MediaType, Response, get
from litestar.params import Parameter

if TYPE_CHECKING:
    from bridgework.infra.runtime import Runtime
    from litestar.datastructures import State

NOT_FOUND = 404
MAX_SIZE = 2**63 - 1


@get("/checkpoint", media_type=MediaType.TEXT)
async def checkpoint(
    state: State,
    size: int | None = Parameter(default=None, ge=1, le=MAX_SIZE, description="a tree size"),
) -> Response[str]:
    """The latest signed checkpoint (C2SP tlog-checkpoint in a signed note), or the one
    stored for tree size `size`. A public document: a size, a root hash and a time."""
    runtime: Runtime = state.runtime
    if size is None:
        found = await latest_checkpoint(runtime.pool)
        missing = "no checkpoint has been published yet\n"
    else:
        found = await checkpoint_of_size(runtime.pool, size)
        missing = f"size: no checkpoint of tree size {size} was published\n"
    if found is None:
        return Response(missing, status_code=NOT_FOUND, media_type=MediaType.TEXT)
    return Response(found.note, media_type=MediaType.TEXT)


@get("/checkpoint/keys", media_type=MediaType.TEXT, sync_to_thread=False)
def checkpoint_keys(state: State) -> str:
    """The checkpoint verifier key(s), one signed-note vkey a line. A public document."""
    runtime: Runtime = state.runtime
    return runtime.signer.verifier.vkey() + "\n"
