"""``python -m bench.sweep``: run every job once (as ``flask run-due-jobs``) and print, as JSON,
the count per job, the seconds each took and this process's peak RSS (``peak_rss_mb``)."""

from __future__ import annotations

import json
import resource
import time

from casework import create_app
from casework.db_types import utcnow
from casework.jobs.sweeps import JOBS, run_job


def main() -> None:
    app = create_app()
    result = {}
    with app.app_context():
        now = utcnow()
        for job in JOBS:
            started = time.perf_counter()
            count = run_job(job.id, now)
            result[job.id] = {"count": count, "seconds": round(time.perf_counter() - started, 3)}
    print(json.dumps({"jobs": result, "max_rss_mb": round(peak_rss_mb(), 1)}))


def peak_rss_mb() -> float:
    """This process's peak resident memory. ``VmHWM`` of /proc, not ``ru_maxrss``: Linux keeps
    ``ru_maxrss`` across ``exec``, so a sweep started by the benchmark (which has just held
    the generated data) would report the generator's peak, not its own."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
