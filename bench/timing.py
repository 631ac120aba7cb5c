"""What every bench script times with: one run of a command as a whole process, its wall time
and its own peak RSS (from wait4, so no wrapper process is timed with it)."""
import os
import subprocess
import sys
import tempfile
import time


def run(cmd, stdin=None, env=None, ok=(0,)):
    """Runs `cmd` once; returns (wall seconds, peak RSS in KiB). `stdin` is a path, an open
    file or None (empty). A status outside `ok` stops the bench with the command's stderr."""
    opened = open(stdin, "rb") if isinstance(stdin, (str, os.PathLike)) else None
    with tempfile.TemporaryFile() as err:
        try:
            start = time.perf_counter()
            proc = subprocess.Popen(cmd, stdin=opened or stdin or subprocess.DEVNULL,
                                    stdout=subprocess.DEVNULL, stderr=err, env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:
            if opened:
                opened.close()
        if proc.returncode not in ok:
            err.seek(0)
            sys.exit(f"{cmd[0]} exited {proc.returncode}: {err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss
