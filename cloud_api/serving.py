"""The cloud's HTTP workers under uvicorn, with the same options wherever they serve: the
customers' (`makeline cloud`) and the stores' own (`sync.front`)."""

from __future__ import annotations

from sync import contract


def serve(host: str, port: int, workers: int) -> None:
    """The cloud's API on `host:port` with `workers` worker processes, until stopped."""
    import uvicorn

    uvicorn.run(
        "cloud_api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        ws="websockets-sansio",
        timeout_keep_alive=contract.CLOUD_KEEPS_IDLE_S,  # a store's beats on one connection
    )
