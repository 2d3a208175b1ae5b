#!/usr/bin/env python3
# delay-proxy.py — a TCP proxy on loopback that delays every byte by a fixed
# time in each direction (netem is not available everywhere).
#
# Copyright 2026 The Popfetch authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   delay-proxy.py --target 127.0.0.1:995 --delay-ms 25
#
# Prints "PORT <n>" once listening on 127.0.0.1:<n>; runs until killed.
# Each chunk is forwarded <delay> after it arrived, in order, so a link
# with this proxy has 2 × delay of extra round-trip time but the same
# bandwidth: what pipelining is meant to hide.

import argparse
import asyncio
import sys


async def pump(reader, writer, delay):
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def send():
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                try:
                    writer.write_eof()
                except OSError:
                    pass
                return
            writer.write(data)
            await writer.drain()

    sender = asyncio.create_task(send())
    try:
        while True:
            data = await reader.read(65536)
            await queue.put((loop.time() + delay, data))
            if not data:
                break
        await sender
    except (ConnectionError, OSError):
        sender.cancel()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--target", required=True, help="host:port to forward to")
    parser.add_argument("--delay-ms", type=float, default=25.0)
    args = parser.parse_args()
    host, port = args.target.rsplit(":", 1)
    delay = args.delay_ms / 1000.0

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, delay),
                             pump(server_reader, client_writer, delay),
                             return_exceptions=True)
        server_writer.close()
        client_writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
