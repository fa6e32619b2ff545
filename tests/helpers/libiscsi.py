# libiscsi (libiscsi.so.7, installed with Debian's libiscsi-bin) through Python's ctypes, for the iSCSI
# tests' initiators (iscsi-block-io.py, iscsi-writer.py): libiscsi-bin has no dd-like tool. Logs in
# with the settings of the environment (T_*), so CHAP secrets stay off argv.
import ctypes as C
import os
import sys

lib = C.CDLL("libiscsi.so.7")


class Iov(C.Structure):
    _fields_ = [("iov_base", C.c_void_p), ("iov_len", C.c_size_t)]


def fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


P, I, S, U32, U64 = C.c_void_p, C.c_int, C.c_char_p, C.c_uint32, C.c_uint64
create = fn("iscsi_create_context", P, S)
error = fn("iscsi_get_error", S, P)
set_target = fn("iscsi_set_targetname", I, P, S)
set_type = fn("iscsi_set_session_type", I, P, I)
set_digest = fn("iscsi_set_header_digest", I, P, I)
set_chap = fn("iscsi_set_initiator_username_pwd", I, P, S, S)
set_mutual = fn("iscsi_set_target_username_pwd", I, P, S, S)
set_timeout = fn("iscsi_set_timeout", I, P, I)
set_retries = fn("iscsi_set_reconnect_max_retries", None, P, I)
connect = fn("iscsi_full_connect_sync", I, P, S, I)
write16 = fn("iscsi_write16_sync", P, P, I, U64, S, U32, I, I, I, I, I, I)
read16 = fn("iscsi_read16_iov_sync", P, P, I, U64, U32, I, I, I, I, I, I, C.POINTER(Iov), I)
free_task = fn("scsi_free_scsi_task", None, P)
logout = fn("iscsi_logout_sync", I, P)
destroy = fn("iscsi_destroy_context", I, P)
env = os.environ


def why(ctx):
    return (error(ctx) or b"").decode(errors="replace")


def fail(ctx, what):
    sys.stderr.write("%s failed: %s\n" % (what, why(ctx)))
    sys.exit(3)


def good(task):  # scsi_task.status is the struct's first field; 0 = GOOD
    return bool(task) and C.cast(task, C.POINTER(C.c_int))[0] == 0


def login(configure=None):
    """A context logged in to T_PORTAL/T_IQN, LUN T_LUN, as T_INITIATOR with CHAP T_USER (exit 3 if refused)."""
    ctx = create(env["T_INITIATOR"].encode())
    set_target(ctx, env["T_IQN"].encode())
    set_type(ctx, 2)  # ISCSI_SESSION_NORMAL
    set_digest(ctx, 1)  # ISCSI_HEADER_DIGEST_NONE_CRC32C
    if env.get("T_USER"):
        set_chap(ctx, env["T_USER"].encode(), env["T_PASSWORD"].encode())
        if env.get("T_MUTUAL_USER"):
            set_mutual(ctx, env["T_MUTUAL_USER"].encode(), env["T_MUTUAL_PASSWORD"].encode())
    if configure:
        configure(ctx)
    if connect(ctx, env["T_PORTAL"].encode(), int(env["T_LUN"])) != 0:
        fail(ctx, "login")
    return ctx
