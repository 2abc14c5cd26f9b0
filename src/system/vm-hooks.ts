import { listHandle, MachineHooks, type HookHandle, type PortHook } from '../embed/machine-hooks.js';
import type { Machine } from '../runtime/machine.js';
import type { InterruptSource } from './protected-mode.js';

/**
 * An interrupt or exception about to be delivered through the guest's IDT
 * (or, in real mode, its vector table): `errorCode` is -1 when there is
 * none; a page fault's address is in CR2 already. An invalid instruction is
 * vector 6. Returning true means the hook handled it: nothing is delivered
 * (a hook that emulates a BIOS call sets the registers and lets the guest
 * go on after its INT; for a fault it must change what faulted, else the
 * instruction runs and faults again).
 */
export type VmInterruptHook = (vector: number, source: InterruptSource, errorCode: number) => boolean | void;

/**
 * A SYSENTER about to run (EIP already past it; EAX, ECX, EDX as the guest
 * left them), before its checks and its transfer to SYSENTER_EIP. Returning
 * true means the hook served the call, as Unicorn's SYSENTER hook does: the
 * guest goes on after the instruction, at the same privilege, with the
 * registers as the hook left them.
 */
export type VmSysenterHook = () => boolean | void;

/**
 * Shows an event to every hook in `hooks` (a copy: a hook may remove
 * itself), by `call`; true when one of them returned true (handled it).
 */
export function anyHookHandled<F>(hooks: readonly F[], call: (hook: F) => boolean | void): boolean {
  let handled = false;
  for (const h of [...hooks]) if (call(h) === true) handled = true;
  return handled;
}

/**
 * The hooks of a whole PC (SystemVm.hooks): code, block and memory hooks
 * on linear addresses (MachineHooks), and interrupt and port hooks. Port
 * hooks see every IN and OUT the guest makes, before the devices do.
 */
export class SystemVmHooks extends MachineHooks {
  constructor(
    vm: Machine,
    private readonly interruptHooks: VmInterruptHook[],
    private readonly portHooks: PortHook[],
    private readonly sysenterHooks: VmSysenterHook[],
    reachedUntil: (eip: number) => void,
  ) {
    super(vm, reachedUntil);
  }

  /** Calls `fn` for each interrupt and exception before it is delivered. */
  onInterrupt(fn: VmInterruptHook): HookHandle {
    return listHandle(this.interruptHooks, fn);
  }

  /** Calls `fn` for each SYSENTER before it runs; one that returns true serves the call itself. */
  onSysenter(fn: VmSysenterHook): HookHandle {
    return listHandle(this.sysenterHooks, fn);
  }

  /** Calls `fn` for each IN and OUT (and each element of INS/OUTS); an IN hook may replace what the device answered. */
  onPort(fn: PortHook): HookHandle {
    return listHandle(this.portHooks, fn);
  }
}
