import { E } from './errno.js';
import type { LinuxProcess } from './process.js';
import { type SyscallDef, sys } from './syscall-def.js';

/**
 * There is no network inside a guest: socket() and socketpair() fail with
 * EAFNOSUPPORT, as on a kernel built without the family, so programs take
 * their fallback (glibc's NSS goes to /etc/passwd when nscd's socket
 * cannot be made). The calls that need a socket fd find none: ENOTSOCK on
 * an open fd, EBADF otherwise.
 */
const SYS_SOCKET = 1;
const SYS_SOCKETPAIR = 8;

function onFd(p: LinuxProcess, fd: number): number {
  return p.fds.get(fd) ? -E.ENOTSOCK : -E.EBADF;
}

/** socketcall(call, args): the i386 multiplexer; args[0] is the fd for every call but socket and socketpair. */
function socketcall(p: LinuxProcess, call: number, args: number): number {
  if (call === SYS_SOCKET || call === SYS_SOCKETPAIR) return -E.EAFNOSUPPORT;
  if (call < 1 || call > 20) return -E.EINVAL;
  return onFd(p, p.io.i32(args));
}

export const NET_SYSCALLS: SyscallDef[] = [
  sys(102, 'socketcall', socketcall),
  sys(359, 'socket', () => -E.EAFNOSUPPORT),
  sys(360, 'socketpair', () => -E.EAFNOSUPPORT),
  ...(
    [
      [361, 'bind'], [362, 'connect'], [363, 'listen'], [364, 'accept4'], [365, 'getsockopt'], [366, 'setsockopt'],
      [367, 'getsockname'], [368, 'getpeername'], [369, 'sendto'], [370, 'sendmsg'], [371, 'recvfrom'], [372, 'recvmsg'],
      [373, 'shutdown'],
    ] as const
  ).map(([nr, name]) => sys(nr, name, (p, fd) => onFd(p, fd))),
];
