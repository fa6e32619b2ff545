# One block through a fresh iSCSI session, for tests/iscsi-target.test.ts: login (libiscsi.py, T_*),
# optionally WRITE(16) T_WRITE_HEX (512 bytes) with FUA at block T_LBA, then READ(16) it in the same
# session and print it as hex.
import ctypes as C
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import libiscsi as L  # noqa: E402

ctx = L.login()
lun, lba = int(L.env["T_LUN"]), int(L.env["T_LBA"])
if L.env.get("T_WRITE_HEX"):
    data = bytes.fromhex(L.env["T_WRITE_HEX"])
    task = L.write16(ctx, lun, lba, data, len(data), 512, 0, 0, 1, 0, 0)
    if not L.good(task):
        L.fail(ctx, "WRITE(16)")
    L.free_task(task)
buf = C.create_string_buffer(512)
iov = L.Iov(C.cast(buf, C.c_void_p), 512)
task = L.read16(ctx, lun, lba, 512, 512, 0, 0, 0, 0, 0, C.byref(iov), 1)
if not L.good(task):
    L.fail(ctx, "READ(16)")
L.free_task(task)
L.logout(ctx)
L.destroy(ctx)
print(buf.raw.hex())
