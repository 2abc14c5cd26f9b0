import { constants as osConstants } from 'node:os';

/** Linux errno values the handlers return (negated). Host-independent: the guest ABI is Linux's. */
export const enum E {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  EIO = 5,
  ENXIO = 6,
  E2BIG = 7,
  ENOEXEC = 8,
  EBADF = 9,
  ECHILD = 10,
  EAGAIN = 11,
  ENOMEM = 12,
  EACCES = 13,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  EXDEV = 18,
  ENODEV = 19,
  ENOTDIR = 20,
  EISDIR = 21,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ENOTTY = 25,
  EFBIG = 27,
  ENOSPC = 28,
  ESPIPE = 29,
  EROFS = 30,
  EPIPE = 32,
  ERANGE = 34,
  EDEADLK = 35,
  ENAMETOOLONG = 36,
  ENOSYS = 38,
  ENOTEMPTY = 39,
  ELOOP = 40,
  EOVERFLOW = 75,
  ENOTSOCK = 88,
  EOPNOTSUPP = 95,
  EAFNOSUPPORT = 97,
  ETIMEDOUT = 110,
}

// prettier-ignore
const LINUX_ERRNO_LIST =
  'EPERM=1 ENOENT=2 ESRCH=3 EINTR=4 EIO=5 ENXIO=6 E2BIG=7 ENOEXEC=8 EBADF=9 ECHILD=10 EAGAIN=11 ENOMEM=12 ' +
  'EACCES=13 EFAULT=14 ENOTBLK=15 EBUSY=16 EEXIST=17 EXDEV=18 ENODEV=19 ENOTDIR=20 EISDIR=21 EINVAL=22 ' +
  'ENFILE=23 EMFILE=24 ENOTTY=25 ETXTBSY=26 EFBIG=27 ENOSPC=28 ESPIPE=29 EROFS=30 EMLINK=31 EPIPE=32 EDOM=33 ' +
  'ERANGE=34 EDEADLK=35 ENAMETOOLONG=36 ENOLCK=37 ENOSYS=38 ENOTEMPTY=39 ELOOP=40 ENOMSG=42 EIDRM=43 ' +
  'ENOSTR=60 ENODATA=61 ETIME=62 ENOSR=63 EREMOTE=66 ENOLINK=67 EPROTO=71 EMULTIHOP=72 EBADMSG=74 ' +
  'EOVERFLOW=75 EBADFD=77 EILSEQ=84 EUSERS=87 ENOTSOCK=88 EDESTADDRREQ=89 EMSGSIZE=90 EPROTOTYPE=91 ' +
  'ENOPROTOOPT=92 EPROTONOSUPPORT=93 ESOCKTNOSUPPORT=94 EOPNOTSUPP=95 ENOTSUP=95 EPFNOSUPPORT=96 ' +
  'EAFNOSUPPORT=97 EADDRINUSE=98 EADDRNOTAVAIL=99 ENETDOWN=100 ENETUNREACH=101 ENETRESET=102 ' +
  'ECONNABORTED=103 ECONNRESET=104 ENOBUFS=105 EISCONN=106 ENOTCONN=107 ESHUTDOWN=108 ETOOMANYREFS=109 ' +
  'ETIMEDOUT=110 ECONNREFUSED=111 EHOSTDOWN=112 EHOSTUNREACH=113 EALREADY=114 EINPROGRESS=115 ESTALE=116 ' +
  'EDQUOT=122 ENOMEDIUM=123 EMEDIUMTYPE=124 ECANCELED=125 EOWNERDEAD=130 ENOTRECOVERABLE=131 EWOULDBLOCK=11';

/** Linux errno numbers by name (frozen, shared read-only). */
export const LINUX_ERRNO: Readonly<Record<string, number>> = Object.freeze(
  Object.fromEntries(LINUX_ERRNO_LIST.split(' ').map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])])),
);

/** "ENOENT" for 2 (the first name listed for a number), for traces. */
export function errnoName(n: number): string {
  for (const [name, v] of Object.entries(LINUX_ERRNO)) if (v === n) return name;
  return `errno ${n}`;
}

/**
 * The Linux errno for a host error thrown by `fs` (err.code 'ENOENT' → 2).
 * Names are looked up in Linux's table so a non-Linux host still gives the
 * guest Linux numbers; unknown codes fall back to the host's number, then EIO.
 */
export function errnoOf(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    const n = LINUX_ERRNO[code] ?? (osConstants.errno as Record<string, number>)[code];
    if (n !== undefined) return n;
  }
  return E.EIO;
}

/** Human text of a host error code, for loader messages ("No such file or directory"). */
export function describeErrno(code: string | undefined): string {
  switch (code) {
    case 'ENOENT': return 'No such file or directory';
    case 'EACCES': return 'Permission denied';
    case 'EISDIR': return 'Is a directory';
    case 'ENOTDIR': return 'Not a directory';
    case 'ELOOP': return 'Too many levels of symbolic links';
    case 'EPERM': return 'Operation not permitted';
    case 'ENAMETOOLONG': return 'File name too long';
    default: return code ?? 'unknown error';
  }
}
