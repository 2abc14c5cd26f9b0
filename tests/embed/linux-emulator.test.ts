// The embedding API on a user-mode Linux process (src/embed/linux-emulator.ts):
// a real gcc -m32 program (tests/guest/embed_target.c) run with hooks, its
// output compared with the reference's (the CPU, or qemu-i386), and each hook
// counted against what the program does.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LinuxEmulator, type LinuxEmulatorOptions } from '../../src/embed/linux-emulator.js';
import { REPO_ROOT, exitStatus, runNative } from '../lib/run.js';

const PROGRAM = join(REPO_ROOT, 'tests/guest/build/embed_target.O2');
const STEPS = 20000;
const ENGINES = ['interp', 'jit', 'auto'] as const;

function symbol(name: string): number {
  const line = execFileSync('nm', [PROGRAM], { encoding: 'utf8' }).split('\n').find((l) => l.endsWith(` ${name}`));
  if (!line) throw new Error(`no symbol ${name} in ${PROGRAM}`);
  return parseInt(line.split(' ')[0], 16);
}

function emulator(engine: (typeof ENGINES)[number], extra: Partial<LinuxEmulatorOptions> = {}): { emu: LinuxEmulator; stdout: () => string } {
  const out: Buffer[] = [];
  const emu = new LinuxEmulator({
    program: PROGRAM,
    args: [String(STEPS)],
    engine,
    translator: { threshold: 10 },
    stdio: { stdin: '', stdout: (d) => void out.push(Buffer.from(d)), stderr: () => {} },
    ...extra,
  });
  return { emu, stdout: () => Buffer.concat(out).toString('latin1') };
}

describe('LinuxEmulator: a Linux process with the embedding API', () => {
  test.each(ENGINES)('runs to exit with the output and status the reference gives (%s)', async (engine) => {
    const reference = await runNative(PROGRAM, { args: [String(STEPS)] });
    const { emu, stdout } = emulator(engine);
    try {
      const end = emu.run({ timeoutMs: 30_000 });
      expect(end).toEqual({ reason: 'exit', eip: expect.any(Number), status: exitStatus(reference) });
      expect(stdout()).toBe(reference.stdout.toString('latin1'));
    } finally {
      emu.dispose();
    }
  });

  test('until main: argc and argv read from the process\'s stack, then the run goes on to exit', () => {
    const { emu, stdout } = emulator('auto');
    try {
      expect(emu.run({ until: symbol('main') })).toEqual({ reason: 'until', eip: symbol('main') });
      const esp = emu.readRegister('esp');
      const frame = new DataView(emu.readMemory(esp, 12).buffer);
      expect(frame.getUint32(4, true)).toBe(2); // argc
      const argv = frame.getUint32(8, true);
      const arg1 = new DataView(emu.readMemory(argv + 4, 4).buffer).getUint32(0, true);
      expect(Buffer.from(emu.readMemory(arg1, 6)).toString('latin1')).toBe(`${STEPS}\0`);
      expect(emu.run().reason).toBe('exit');
      expect(stdout()).toContain(`${STEPS} steps`);
    } finally {
      emu.dispose();
    }
  });

  test.each(ENGINES)('a code hook on step()\'s RET runs once per call while the code around it stays translated (%s)', (engine) => {
    const { emu } = emulator(engine);
    try {
      // step() ends in its first C3 byte (gcc -O2: no immediate holds one); only the block that RET starts is interpreted.
      const ret = symbol('step') + emu.readMemory(symbol('step'), 64).indexOf(0xc3);
      let calls = 0;
      emu.onCode(ret, ret, (address) => {
        expect(address).toBe(ret);
        calls++;
      });
      expect(emu.run().reason).toBe('exit');
      expect(calls).toBe(STEPS);
      const s = emu.vm.stats();
      if (engine !== 'interp') expect(s.translator!.translatedInstructions / s.instructions).toBeGreaterThan(0.8);
    } finally {
      emu.dispose();
    }
  });

  test.each(ENGINES)('a memory hook on the global counter sees each read and each write with its value (%s)', (engine) => {
    const { emu } = emulator(engine);
    try {
      const address = symbol('counter');
      const writes: number[] = [];
      let reads = 0;
      emu.onMemory(address, address + 3, (kind, _a, size, value) => {
        if (kind === 'write') {
          expect(size).toBe(4);
          writes.push(value);
        } else reads++;
      });
      expect(emu.run().reason).toBe('exit');
      expect(writes.length).toBe(STEPS);
      expect(writes[STEPS - 1]).toBe(STEPS);
      expect(reads).toBeGreaterThanOrEqual(STEPS);
    } finally {
      emu.dispose();
    }
  });

  test('a syscall hook runs before the call is served (EAX holds its number); the last is exit_group', () => {
    const { emu, stdout } = emulator('auto');
    try {
      const numbers: number[] = [];
      emu.onSyscall((kind) => {
        expect(kind).toBe('int80');
        numbers.push(emu.readRegister('eax'));
      });
      const end = emu.run();
      expect(end.reason).toBe('exit');
      expect(numbers).toContain(4); // write
      expect(numbers[numbers.length - 1]).toBe(252); // exit_group
      expect(stdout()).toContain('steps');
    } finally {
      emu.dispose();
    }
  });

  test('a syscall hook may change the call: write to fd 1 made a write to a closed fd returns EBADF to the guest, which prints nothing', () => {
    const { emu, stdout } = emulator('interp');
    try {
      emu.onSyscall(() => {
        if (emu.readRegister('eax') === 4 && emu.readRegister('ebx') === 1) emu.writeRegister('ebx', 99);
      });
      const end = emu.run();
      expect(end).toEqual({ reason: 'exit', eip: expect.any(Number), status: 7 });
      expect(stdout()).toBe('');
    } finally {
      emu.dispose();
    }
  });

  test('stop() from a block hook ends the run there; run() goes on from the same place', () => {
    const { emu, stdout } = emulator('auto');
    try {
      let blocks = 0;
      const hook = emu.onBlock(() => {
        if (++blocks === 50) emu.stop();
      });
      expect(emu.run().reason).toBe('stopped');
      hook.remove();
      expect(emu.run().reason).toBe('exit');
      expect(stdout()).toContain(`counter = ${STEPS}`);
    } finally {
      emu.dispose();
    }
  });

  test('a guest fault no hook handles becomes the signal Linux would deliver: the process dies of SIGSEGV (status 139)', async () => {
    const program = join(REPO_ROOT, 'tests/guest/build/fault_segv.O2');
    const reference = await runNative(program);
    const out: Buffer[] = [];
    const faults: number[] = [];
    const emu = new LinuxEmulator({ program, stdio: { stdin: '', stdout: (d) => void out.push(Buffer.from(d)), stderr: () => {} }, diag: () => {} });
    try {
      emu.onFault((_kind, address) => (faults.push(address), false));
      const end = emu.run();
      expect(end).toMatchObject({ reason: 'exit', status: exitStatus(reference) });
      expect(exitStatus(reference)).toBe(139);
      expect(faults.length).toBe(1);
      expect(Buffer.concat(out).toString('latin1')).toBe(reference.stdout.toString('latin1'));
    } finally {
      emu.dispose();
    }
  });
});
