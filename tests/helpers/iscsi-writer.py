# A writer holding one iSCSI session open, for tests/iscsi-fence.test.ts: it logs in (libiscsi.py, T_*)
# and writes numbered 512-byte blocks (WRITE(16) with FUA, block W_FIRST_LBA + seq) every W_INTERVAL_MS
# until W_SECONDS have passed, printing one line per write: "<seq> <start ms> <end ms> ok|error <why>"
# (host clock, epoch milliseconds). It never reconnects by itself for long: libiscsi gives up at once and
# the next write tries again, so a fence shows as failures from some write on.
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libiscsi as L  # noqa: E402


def impatient(ctx):
    L.set_timeout(ctx, 3)
    L.set_retries(ctx, 0)


ctx = L.login(impatient)
print("logged-in", flush=True)
lun = int(L.env["T_LUN"])
first, interval = int(L.env["W_FIRST_LBA"]), int(L.env["W_INTERVAL_MS"]) / 1000.0
deadline = time.monotonic() + float(L.env["W_SECONDS"])
seq = 0
while time.monotonic() < deadline:
    seq += 1
    block = ("hadb-fence-test seq=%08d\n" % seq).encode().ljust(512, b".")
    start = int(time.time() * 1000)
    task = L.write16(ctx, lun, first + seq, block, 512, 512, 0, 0, 1, 0, 0)
    ok = L.good(task)
    reason = "" if ok else L.why(ctx).replace("\n", " ")[-120:]
    if task:
        L.free_task(task)
    print("%d %d %d %s%s" % (seq, start, int(time.time() * 1000), "ok" if ok else "error ", reason), flush=True)
    time.sleep(interval)
