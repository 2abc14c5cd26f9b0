/** Linux signal numbers (1..64) as plain numbers. */
export type Signal = number;

export const SIG_DFL = 0;
export const SIG_IGN = 1;

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGSEGV = 11;
export const SIGPIPE = 13;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGSTOP = 19;

export const SIGNAL_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
});

export type DefaultAction = 'term' | 'core' | 'ignore' | 'stop' | 'cont';

/** signal(7)'s default dispositions; real-time signals (32..64) terminate. */
export function defaultAction(sig: Signal): DefaultAction {
  switch (sig) {
    case 3: case 4: case 5: case 6: case 7: case 8: case 11: case 24: case 25: case 31:
      return 'core';
    case 17: case 23: case 28:
      return 'ignore';
    case 19: case 20: case 21: case 22:
      return 'stop';
    case 18:
      return 'cont';
    default:
      return 'term';
  }
}
