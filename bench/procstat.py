"""CPU time of local processes from /proc, for benchmarks that share the machine."""

from __future__ import annotations

import os
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int | str) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state is [0], ppid [1])."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of one process; None when it is gone or not local."""
    fields = _stat(pid)
    if fields is None:
        return None
    return (int(fields[11]) + int(fields[12])) / _TICKS


def server_cpu_seconds(connection) -> float | None:
    """CPU seconds used so far by the whole PostgreSQL server of a Django connection:
    every process of it, and the backends and parallel workers that have exited
    (the postmaster's reaped children). None if the server is not on this machine.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = _stat(cursor.fetchone()[0])
    postmaster = backend and backend[1]
    fields = postmaster and _stat(postmaster)
    if not fields:
        return None
    ticks = sum(int(value) for value in fields[11:15])  # its own and its reaped children's
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and (child := _stat(entry.name)) and child[1] == postmaster:
            ticks += int(child[11]) + int(child[12])
    return ticks / _TICKS


def backend_cpu_seconds(connection) -> float | None:
    """CPU seconds used so far by a Django connection's PostgreSQL backend (None if the
    server is not on this machine)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    return process_cpu_seconds(pid)
