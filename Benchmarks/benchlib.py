"""Shared by the benchmark scripts: where the binary is, and timing whole processes fairly."""
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TWVOICE = os.path.join(ROOT, ".build", "release", "twvoice")


def time_alternating(tools, runs, output=None):
    """Runs each command of `tools` (name -> argv) `runs` times, alternating between them so all
    see the same machine state; deletes `output` before each run, outside the timing. Returns
    name -> median wall seconds."""
    times = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            if output and os.path.exists(output):
                os.remove(output)
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
