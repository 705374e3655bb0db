"""Take the network away from a query worker, as defence in depth behind the SERVICE guard.

Oxigraph answers ``SERVICE`` by opening an HTTP connection from the process that runs the query.
The guard (``kg.sparql.guard``) refuses such queries before any store sees them; this module makes
sure that a worker could not connect anywhere even if one got through. It must run before the store
is opened, while the worker is still single-threaded (filters and namespaces are inherited by the
threads created later, and ``unshare`` of a user namespace needs a single thread).

Two layers, each applied where the operating system allows it (Linux only):

* a seccomp filter: ``socket()`` for any family but ``AF_UNIX`` fails with EACCES, and io_uring (which
  can create sockets without the ``socket`` system call) is unavailable. Needs no privilege: it
  works for root, for an unprivileged user and inside Docker's default profile.
* a new, empty network namespace (no interface but a loopback that is down): as root with
  ``CLONE_NEWNET``, as an unprivileged user through a user namespace where the kernel permits them.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000
IO_URING_SETUP = 425

# Linux audit architecture and the number of socket(2) for each architecture the filter knows.
ARCHITECTURES = {
    "x86_64": (0xC000003E, 41),
    "aarch64": (0xC00000B7, 198),
}

# Classic BPF opcodes used by the filter.
LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
JUMP_IF_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
JUMP_IF_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
RETURN = 0x06  # BPF_RET | BPF_K
# Offsets in struct seccomp_data: nr, arch, instruction pointer, args[6] (low word first).
NR, ARCH, FIRST_ARGUMENT = 0, 4, 16


def _instruction(code: int, jump_true: int, jump_false: int, value: int) -> bytes:
    return struct.pack("=HBBI", code, jump_true, jump_false, value)


def socket_filter(arch: int, socket_nr: int) -> bytes:
    """A seccomp program: deny sockets other than AF_UNIX, io_uring, and foreign-ABI system calls."""
    deny = SECCOMP_RET_ERRNO | errno.EACCES
    program = [
        _instruction(LOAD_WORD, 0, 0, ARCH),
        _instruction(JUMP_IF_EQUAL, 1, 0, arch),
        _instruction(RETURN, 0, 0, deny),  # a 32-bit or other ABI: nothing a worker needs
        _instruction(LOAD_WORD, 0, 0, NR),
        _instruction(JUMP_IF_AT_LEAST, 0, 1, X32_SYSCALL_BIT),
        _instruction(RETURN, 0, 0, deny),
        _instruction(JUMP_IF_EQUAL, 0, 1, IO_URING_SETUP),
        _instruction(RETURN, 0, 0, deny),
        _instruction(JUMP_IF_EQUAL, 0, 3, socket_nr),
        _instruction(LOAD_WORD, 0, 0, FIRST_ARGUMENT),
        _instruction(JUMP_IF_EQUAL, 1, 0, AF_UNIX),
        _instruction(RETURN, 0, 0, deny),
        _instruction(RETURN, 0, 0, SECCOMP_RET_ALLOW),
    ]
    return b"".join(program)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _install_seccomp() -> str | None:
    """The seccomp layer; None when it is in place, otherwise why not."""
    known = ARCHITECTURES.get(platform.machine())
    if known is None:
        return f"seccomp filter: unknown architecture {platform.machine()}"
    program = socket_filter(*known)
    buffer = ctypes.create_string_buffer(program, len(program))
    fprog = _SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = _libc()
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"seccomp filter: no_new_privs refused ({os.strerror(ctypes.get_errno())})"
    if libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        return f"seccomp filter: refused ({os.strerror(ctypes.get_errno())})"
    return None


def _unshare_network() -> str | None:
    """The network-namespace layer; None when it is in place, otherwise why not."""
    libc = _libc()
    if libc.unshare(CLONE_NEWNET) == 0:
        return None
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0:
        return None
    return f"network namespace: {os.strerror(ctypes.get_errno())}"


def deny_network() -> list[str]:
    """Apply every layer this system allows; return why a layer could not be applied, if one could not."""
    if not sys.platform.startswith("linux"):
        return ["not Linux: neither a seccomp filter nor a network namespace is available"]
    missing = [reason for reason in (_unshare_network(), _install_seccomp()) if reason]
    if len(missing) == 2:
        print(
            "kg query worker: cannot take the network away from this process (" + "; ".join(missing) + "); "
            "the SERVICE guard is the only defence against outbound connections",
            file=sys.stderr,
            flush=True,
        )
    return missing
