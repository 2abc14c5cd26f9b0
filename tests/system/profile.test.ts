// A system VM's time split (SystemVmOptions.profile): where a boot's time goes, as `run --profile` gives it for a program.
import { expect, test } from 'vitest';
import { SystemVm } from '../../src/system/system-vm.js';
import { TimeProfile } from '../../src/runtime/time-profile.js';
import { assemble } from '../runtime/asm.js';

test('a system VM given a TimeProfile charges the interpreter, translated code and compiling', async () => {
  const profile = new TimeProfile();
  const sys = new SystemVm({ memoryBytes: 1 << 20, engine: 'auto', translator: { threshold: 10, batchWindow: 0 }, profile, onSerial: () => {} });
  sys.writeMemory(0x1000, assemble('mov ecx, 2000000\n1: add eax, ecx\ndec ecx\njnz 1b\nhlt'));
  const end = await sys.run({ begin: 0x1000, count: 10_000_000 });
  expect(end.kind).not.toBe('count');
  profile.settle();
  expect(profile.ms.interpreter).toBeGreaterThan(0);
  expect(profile.ms.compile).toBeGreaterThan(0);
  expect(profile.ms.translated).toBeGreaterThan(0);
  expect(sys.vm.stats().translator!.translatedInstructions).toBeGreaterThan(5_000_000);
});
