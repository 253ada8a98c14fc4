"""A minimal, fast webhook receiver for the benchmark, run in a process of its own:

    python webhook_receiver.py PORT

An asyncio HTTP/1.1 server (keep-alive) that answers every POST 204 and notes when each
`webhook-id` arrived (`time.time()`); on SIGTERM it prints `<webhook-id> <time>` lines and
exits. It does not verify signatures (the tests do): it measures the sender, not itself."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

ARRIVED: list[tuple[str, float]] = []
ANSWER = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length, webhook_id = 0, ""
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"webhook-id":
                    webhook_id = value.strip().decode()
            await reader.readexactly(length)
            ARRIVED.append((webhook_id, time.time()))
            writer.write(ANSWER)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(port: int) -> None:
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    sys.stdout.write("".join(f"{i} {t}\n" for i, t in ARRIVED))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
