"""Shared by the benchmark scripts: where the binary is, and timing whole processes fairly."""
import os
import statistics
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TWVOICE = os.path.join(ROOT, ".build", "release", "twvoice")
# FAKE credentials for the benchmarks that mint tokens (the environment twvoice and the seed's
# Python code both read).
MINT_ENV = dict(
    os.environ,
    TWILIO_ACCOUNT_SID="AC0123456789abcdef0123456789abcdef",
    TWILIO_API_KEY="SKfedcba9876543210fedcba9876543210",
    TWILIO_API_SECRET="benchmark-secret-0123456789abcdef",
    TWILIO_APPLICATION_SID="AP00000000000000000000000000000000",
)


def time_alternating(tools, runs, output=None):
    """Runs each command of `tools` (name -> argv) `runs` times, alternating between them so all
    see the same machine state; deletes `output` before each run, outside the timing. Returns
    name -> median wall seconds."""
    stats = time_alternating_stats(tools, runs, output)
    return {name: s["median"] for name, s in stats.items()}


def time_alternating_stats(tools, runs, output=None):
    """As `time_alternating`, with the spread: name -> {min, median, max} wall seconds and the
    median CPU seconds (user + system) of the process, which the machine's other load disturbs
    less than wall time. Before each run the previous output is deleted and the disks synced, so
    no run pays for an earlier one's writeback."""
    import resource
    times = {name: [] for name in tools}
    cpu = {name: [] for name in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            if output and os.path.exists(output):
                os.remove(output)
            # Outside the timing: the kernel writes back what earlier runs wrote now, not
            # during the next run.
            os.sync()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, check=True)
            times[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {
        name: {"min": min(v), "median": statistics.median(v), "max": max(v),
               "cpu": statistics.median(cpu[name])}
        for name, v in times.items()
    }
