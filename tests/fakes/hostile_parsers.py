"""Stand-ins for a feed parser gone wrong, run inside the parser worker process. Kept in a module without heavy
imports: the worker imports it after its memory cap is in place."""

import time


def hang_worker(data: bytes) -> dict:
    time.sleep(60)
    return {}


def greedy_worker(data: bytes) -> dict:  # tries to take 2 GB
    blob = bytearray(2 * 1024 * 1024 * 1024)
    return {"n": len(blob)}
