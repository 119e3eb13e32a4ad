"""Runs a command (User-Mode Linux) with PTRACE_GETREGSET(NT_X86_XSTATE) refused.

Debian 12's UML kernel (6.1) saves and restores its processes' extended CPU state with a buffer
sized for older CPUs. On hosts whose XSAVE area is larger (AVX-512, AMX), the host kernel
rejects the restore with EFAULT and UML panics at boot ("ptrace set fp regs failed, errno =
14"). When the GETREGSET probe fails, UML falls back to PTRACE_GETFPREGS/SETFPREGS, which
carry only the x87/SSE state: that works on every host, provided the guest's programs keep to
SSE (see GUEST_ENV in uml.mjs). The filter changes nothing else: every other system call,
including every other ptrace request, is allowed.

usage: python3 uml-seccomp.py PROGRAM [ARG...]
"""
import ctypes
import os
import struct
import sys

PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
AUDIT_ARCH_X86_64 = 0xC000003E
NR_PTRACE = 101
PTRACE_GETREGSET = 0x4204
NT_X86_XSTATE = 0x202
RET_ALLOW = 0x7FFF0000
RET_ERRNO_EIO = 0x00050000 | 5

# classic BPF over struct seccomp_data { int nr; u32 arch; u64 ip; u64 args[6]; }
LD_W_ABS, JEQ_K, RET_K = 0x20, 0x15, 0x06


def insn(code, k, jt=0, jf=0):
    return struct.pack("HBBI", code, jt, jf, k)


program = b"".join([
    insn(LD_W_ABS, 4),                          # arch
    insn(JEQ_K, AUDIT_ARCH_X86_64, 0, 6),       # other arch: allow
    insn(LD_W_ABS, 0),                          # syscall number
    insn(JEQ_K, NR_PTRACE, 0, 4),               # not ptrace: allow
    insn(LD_W_ABS, 16),                         # args[0], low half: the request
    insn(JEQ_K, PTRACE_GETREGSET, 0, 2),
    insn(LD_W_ABS, 32),                         # args[2], low half: the regset
    insn(JEQ_K, NT_X86_XSTATE, 1, 0),
    insn(RET_K, RET_ALLOW),
    insn(RET_K, RET_ERRNO_EIO),
])


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def main():
    if len(sys.argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    if os.uname().machine != "x86_64":
        os.execvp(sys.argv[1], sys.argv[1:])
    libc = ctypes.CDLL(None, use_errno=True)
    buffer = ctypes.create_string_buffer(program)
    fprog = SockFprog(len(program) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 or libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) != 0:
        sys.stderr.write("uml-seccomp: cannot install the seccomp filter: %s\n" % os.strerror(ctypes.get_errno()))
        return 1
    os.execvp(sys.argv[1], sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
