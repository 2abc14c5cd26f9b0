import { performance } from 'node:perf_hooks';
import { sleepInterruptibly } from './syscalls-signal.js';
import { E } from './errno.js';
import { fail } from './guest-io.js';
import type { LinuxProcess } from './process.js';
import { readTimespec, writeTimespec32, writeTimespec64, writeTimeval32 } from './structs.js';
import { type SyscallDef, sys } from './syscall-def.js';

const CLOCK_REALTIME = 0;
const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const CLOCK_REALTIME_ALARM = 8;
const CLOCK_BOOTTIME_ALARM = 9;
const CLOCK_TAI = 11;
const TIMER_ABSTIME = 1;
const USER_HZ = 100n;

/** Wall-clock time in ns, microsecond-resolution (Date.now is only milliseconds). */
export function realtimeNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1000)) * 1000n;
}

function cpuNs(): bigint {
  const u = process.cpuUsage();
  return BigInt(u.user + u.system) * 1000n;
}

/** A clock's current value in ns; EINVAL for clocks that do not exist (or other processes' CPU clocks). */
export function clockNs(clock: number): bigint {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_TAI:
      return realtimeNs();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      return process.hrtime.bigint();
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
      return cpuNs();
    default:
      return fail(E.EINVAL);
  }
}

function clockResNs(clock: number): bigint {
  clockNs(clock); // validates
  return clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE ? 4000000n : 1n;
}


function clockNanosleep(p: LinuxProcess, clock: number, flags: number, req: number, rem: number, time64: boolean): number {
  if (clock === CLOCK_THREAD_CPUTIME_ID) return -E.EINVAL;
  const want = readTimespec(p.io, req, time64);
  const now = clockNs(clock);
  const abs = (flags & TIMER_ABSTIME) !== 0;
  return sleepInterruptibly(p, abs ? want - now : want, abs ? 0 : rem, time64);
}

function writeRusage(p: LinuxProcess, a: number, who: number): number {
  const RUSAGE_SELF = 0;
  const RUSAGE_CHILDREN = -1;
  const RUSAGE_THREAD = 1;
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -E.EINVAL;
  const u = who === RUSAGE_CHILDREN ? { user: 0, system: 0 } : process.cpuUsage();
  p.io.struct(a, 72, (dv) => {
    dv.setInt32(0, Math.floor(u.user / 1e6), true);
    dv.setInt32(4, u.user % 1e6, true);
    dv.setInt32(8, Math.floor(u.system / 1e6), true);
    dv.setInt32(12, u.system % 1e6, true);
    if (who !== RUSAGE_CHILDREN) dv.setInt32(16, Math.round(p.vm.mem.bytesInUse / 1024), true); // ru_maxrss in KiB
  });
  return 0;
}

export const TIME_SYSCALLS: SyscallDef[] = [
  sys(13, 'time', (p, tloc) => {
    const s = Number(realtimeNs() / 1000000000n);
    if (tloc) p.io.setU32(tloc, s);
    return s;
  }),
  sys(43, 'times', (p, buf) => {
    const u = process.cpuUsage();
    if (buf) {
      p.io.struct(buf, 16, (dv) => {
        dv.setInt32(0, Math.floor(u.user / 10000), true);
        dv.setInt32(4, Math.floor(u.system / 10000), true);
      });
    }
    return Number(((process.hrtime.bigint() / 1000000000n) * USER_HZ) & 0x7fffffffn);
  }),
  sys(77, 'getrusage', (p, who, usage) => writeRusage(p, usage, who)),
  sys(78, 'gettimeofday', (p, tv, tz) => {
    if (tv) writeTimeval32(p.io, tv, realtimeNs());
    if (tz) p.io.write(tz, new Uint8Array(8));
    return 0;
  }),
  sys(79, 'settimeofday', () => -E.EPERM),
  sys(162, 'nanosleep', (p, req, rem) => sleepInterruptibly(p, readTimespec(p.io, req, false), rem, false)),
  sys(265, 'clock_gettime', (p, clock, ts) => (writeTimespec32(p.io, ts, clockNs(clock)), 0)),
  sys(266, 'clock_getres', (p, clock, ts) => {
    const r = clockResNs(clock);
    if (ts) writeTimespec32(p.io, ts, r);
    return 0;
  }),
  sys(267, 'clock_nanosleep', (p, clock, flags, req, rem) => clockNanosleep(p, clock, flags, req, rem, false)),
  sys(403, 'clock_gettime64', (p, clock, ts) => (writeTimespec64(p.io, ts, clockNs(clock)), 0)),
  sys(404, 'clock_settime64', () => -E.EPERM),
  sys(406, 'clock_getres_time64', (p, clock, ts) => {
    const r = clockResNs(clock);
    if (ts) writeTimespec64(p.io, ts, r);
    return 0;
  }),
  sys(407, 'clock_nanosleep_time64', (p, clock, flags, req, rem) => clockNanosleep(p, clock, flags, req, rem, true)),
];
