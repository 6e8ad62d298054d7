"""gunicorn settings: ``gunicorn -c workbench/gunicorn.py workbench.wsgi``.

The app is CPU-bound Python between short database round trips. Threaded workers
(``gthread``) keep clients' connections alive, which saves a TCP handshake and a
worker hand-off per request; a few threads per process cover the time each request
waits for PostgreSQL, and more processes rather than more threads use the cores
without the threads contending for one interpreter lock. Each thread keeps its own
database connection (``CONN_MAX_AGE``), so workers x threads is also the number of
PostgreSQL connections per web host.

Everything can be overridden from the environment (``GUNICORN_WORKERS``,
``GUNICORN_THREADS``, ``GUNICORN_BIND``) or the command line.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", 4))
keepalive = 30  # seconds a client's idle connection is kept open
# Load Django once in the master, before forking: workers start at once and share
# the imported code's memory. (Nothing connects to the database at import time.)
preload_app = True
# Recycle a worker now and then, so a slow leak cannot grow without bound.
max_requests = 20_000
max_requests_jitter = 2_000
# The workers' heartbeat files, in memory rather than on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None


def when_ready(server):
    """Take the preloaded app out of the workers' cyclic garbage collections.

    The modules, classes and functions loaded before the fork (about 75,000 objects)
    live as long as a worker does. Frozen, they are not traversed by each worker's
    full collections (tens of milliseconds each, with every thread of that worker
    waiting), and a collection no longer writes to their pages, which each worker
    would then copy from the master. See ``gc.freeze`` in the Python docs.
    """
    gc.collect()
    gc.freeze()
