/**
 * Linux i386 signal frames as an x86-64 kernel builds them for a 32-bit
 * process (arch/x86/include/asm/sigframe.h: sigframe_ia32 and
 * rt_sigframe_ia32), so handlers that read their ucontext or siginfo see
 * what they see on the real kernel, and sigreturn/rt_sigreturn undo them.
 */
import { Seg } from '../decoder/types.js';
import { USER_CS, USER_DS } from '../runtime/segments.js';
import { Slot, XMM_BYTE } from '../runtime/layout.js';
import { restoreFxImage, saveFxImage } from '../runtime/interp/sse.js';
import { type CpuAndMemory as Machine, resetX87, restoreX87Image, saveX87Image } from '../runtime/interp/x87.js';

/** compat_siginfo_t, the fields that a signal's cause fills. */
export interface SigInfo {
  signo: number;
  code: number;
  errno?: number;
  /** SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP: the faulting address. */
  addr?: number;
  /** kill/tgkill/sigqueue: the sender. */
  pid?: number;
  uid?: number;
  /** sigqueue's value. */
  value?: number;
}

/** What the CPU said about a fault: sigcontext's trapno, err and cr2. */
export interface TrapInfo {
  trapno: number;
  err: number;
  cr2: number;
}

/** One signal to set a frame up for. */
export interface FrameRequest {
  sig: number;
  info: SigInfo;
  trap: TrapInfo;
  handler: number;
  /** SA_RESTORER's return address, or 0 for the frame's own retcode. */
  restorer: number;
  /** SA_SIGINFO: the rt frame with siginfo and ucontext. */
  rt: boolean;
  /** The mask to restore at sigreturn. */
  oldMask: bigint;
  /** The stack the frame goes on: its top (ESP, or the alternate stack's end). */
  sp: number;
  /** uc_stack: the alternate stack as it was (rt frames). */
  altstack: { sp: number; flags: number; size: number };
}

export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_QUEUE = -1;
export const SI_TKILL = -6;

const SIGINFO_SIZE = 128;
const SIGCONTEXT_SIZE = 88;
/** struct _fpstate_32: the FSAVE image, status and magic, then the FXSAVE area. */
const FPSTATE_SIZE = 624;
const FPSTATE_LEGACY_SIZE = 112;
/** _fpstate_32.magic: 0 says an FXSAVE image (with MXCSR and the XMM registers) follows the FSAVE one. */
const FPSTATE_MAGIC_FXSR = 0;
const FPSTATE_MAGIC_FSAVE_ONLY = 0xffff;

// sigframe_ia32 {pretcode, sig, sc, fpstate_unused, extramask[1], retcode[8]}
const FRAME_SC = 8;
const FRAME_EXTRAMASK = FRAME_SC + SIGCONTEXT_SIZE + FPSTATE_SIZE;
const FRAME_RETCODE = FRAME_EXTRAMASK + 4;
const FRAME_SIZE = FRAME_RETCODE + 8;

// rt_sigframe_ia32 {pretcode, sig, pinfo, puc, info, uc{flags, link, stack, mcontext, sigmask}, retcode[8]}
const RT_INFO = 16;
const RT_UC = RT_INFO + SIGINFO_SIZE;
const UC_STACK = 8;
const UC_MCONTEXT = 20;
const UC_SIGMASK = UC_MCONTEXT + SIGCONTEXT_SIZE;
const RT_RETCODE = RT_UC + UC_SIGMASK + 8;
const RT_FRAME_SIZE = RT_RETCODE + 8;

/** popl %eax; movl $__NR_sigreturn, %eax; int $0x80 */
const RETCODE = [0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80];
/** movl $__NR_rt_sigreturn, %eax; int $0x80; pad */
const RT_RETCODE_BYTES = [0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0];

/** EFLAGS bits sigreturn takes from the frame (FIX_EFLAGS: AC OF DF TF SF ZF AF PF CF RF). */
const FIX_EFLAGS = 0x50dd5;
/** Cleared on entry to a handler: DF, TF, RF. */
const HANDLER_CLEARS = 0x10500;


const GREGS: readonly [number, number][] = [
  [16, Slot.EDI],
  [20, Slot.ESI],
  [24, Slot.EBP],
  [28, Slot.ESP],
  [32, Slot.EBX],
  [36, Slot.EDX],
  [40, Slot.ECX],
  [44, Slot.EAX],
];
const SEGMENTS: readonly [number, Seg][] = [
  [0, Seg.GS],
  [4, Seg.FS],
  [8, Seg.ES],
  [12, Seg.DS],
];

function writeSigcontext(vm: Machine, dv: DataView, at: number, trap: TrapInfo, fpstate: number, oldMask: bigint): void {
  const cpu = vm.cpu;
  for (const [off, seg] of SEGMENTS) dv.setUint32(at + off, cpu.selector(seg), true);
  for (const [off, slot] of GREGS) dv.setUint32(at + off, cpu.r32[slot] >>> 0, true);
  dv.setUint32(at + 48, trap.trapno, true);
  dv.setUint32(at + 52, trap.err >>> 0, true);
  dv.setUint32(at + 56, cpu.s[Slot.EIP] >>> 0, true);
  dv.setUint32(at + 60, cpu.selector(Seg.CS), true);
  dv.setUint32(at + 64, cpu.eflags, true);
  dv.setUint32(at + 68, cpu.r32[Slot.ESP] >>> 0, true);
  dv.setUint32(at + 72, cpu.selector(Seg.SS), true);
  dv.setUint32(at + 76, fpstate, true);
  dv.setUint32(at + 80, Number(oldMask & 0xffffffffn), true);
  dv.setUint32(at + 84, trap.cr2 >>> 0, true);
}

function writeSiginfo(dv: DataView, at: number, info: SigInfo): void {
  dv.setInt32(at, info.signo, true);
  dv.setInt32(at + 4, info.errno ?? 0, true);
  dv.setInt32(at + 8, info.code, true);
  if (info.addr !== undefined) {
    dv.setUint32(at + 12, info.addr >>> 0, true);
  } else {
    dv.setInt32(at + 12, info.pid ?? 0, true);
    dv.setUint32(at + 16, info.uid ?? 0, true);
    dv.setInt32(at + 20, info.value ?? 0, true);
  }
}

/** compat_siginfo_t as rt_sigtimedwait returns it. */
export function encodeSiginfo(info: SigInfo): Uint8Array {
  const bytes = new Uint8Array(SIGINFO_SIZE);
  writeSiginfo(new DataView(bytes.buffer), 0, info);
  return bytes;
}

/**
 * Builds the frame on the guest stack and points the CPU at the handler
 * (get_sigframe + ia32_setup_[rt_]frame + handle_signal). Throws the
 * CpuException of a frame that cannot be written (the caller makes that a
 * SIGSEGV).
 */
export function setupSignalFrame(vm: Machine, req: FrameRequest): void {
  const cpu = vm.cpu;
  // The FPU state goes first, 64-byte aligned; the frame below it, so that
  // the handler's (ESP + 4) is 16-byte aligned as gcc expects.
  const fpstate = ((req.sp - FPSTATE_SIZE) & ~63) >>> 0;
  const size = req.rt ? RT_FRAME_SIZE : FRAME_SIZE;
  const frame = ((((fpstate - size + 4) & ~15) - 4) >>> 0);
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  const retcodeAt = req.rt ? RT_RETCODE : FRAME_RETCODE;
  dv.setUint32(0, req.restorer !== 0 ? req.restorer : (frame + retcodeAt) >>> 0, true);
  dv.setInt32(4, req.sig, true);
  if (req.rt) {
    dv.setUint32(8, (frame + RT_INFO) >>> 0, true);
    dv.setUint32(12, (frame + RT_UC) >>> 0, true);
    writeSiginfo(dv, RT_INFO, req.info);
    dv.setUint32(RT_UC, 0, true); // uc_flags: no XSAVE state
    dv.setUint32(RT_UC + 4, 0, true);
    dv.setUint32(RT_UC + UC_STACK, req.altstack.sp >>> 0, true);
    dv.setInt32(RT_UC + UC_STACK + 4, req.altstack.flags, true);
    dv.setUint32(RT_UC + UC_STACK + 8, req.altstack.size >>> 0, true);
    writeSigcontext(vm, dv, RT_UC + UC_MCONTEXT, req.trap, fpstate, req.oldMask);
    dv.setBigUint64(RT_UC + UC_SIGMASK, req.oldMask, true);
    RT_RETCODE_BYTES.forEach((b, i) => dv.setUint8(RT_RETCODE + i, b));
  } else {
    writeSigcontext(vm, dv, FRAME_SC, req.trap, fpstate, req.oldMask);
    dv.setUint32(FRAME_EXTRAMASK, Number(req.oldMask >> 32n), true);
    RETCODE.forEach((b, i) => dv.setUint8(FRAME_RETCODE + i, b));
  }

  // The FSAVE image (what an old handler reads), then the FXSAVE one with MXCSR and the XMM registers.
  vm.mmu.writeBytes(fpstate, new Uint8Array(FPSTATE_SIZE));
  saveX87Image(vm, fpstate);
  vm.mmu.write16(fpstate + FPSTATE_LEGACY_SIZE - 4, vm.mmu.read16(fpstate + 4)); // 'status': the status word again
  vm.mmu.write16(fpstate + FPSTATE_LEGACY_SIZE - 2, FPSTATE_MAGIC_FXSR);
  saveFxImage(vm, fpstate + FPSTATE_LEGACY_SIZE);
  vm.mmu.writeBytes(frame, bytes);

  const r = cpu.r32;
  r[Slot.ESP] = frame | 0;
  cpu.s[Slot.EIP] = req.handler | 0;
  r[Slot.EAX] = req.sig;
  r[Slot.EDX] = req.rt ? (frame + RT_INFO) | 0 : 0;
  r[Slot.ECX] = req.rt ? (frame + RT_UC) | 0 : 0;
  cpu.eflags = cpu.eflags & ~HANDLER_CLEARS;
  for (const seg of [Seg.DS, Seg.ES, Seg.SS]) if (cpu.selector(seg) !== USER_DS) cpu.loadSegment(seg, USER_DS);
  if (cpu.selector(Seg.CS) !== USER_CS) cpu.loadSegment(Seg.CS, USER_CS);
  resetFpu(vm);
}

/** The FPU and SSE state a handler or a new program starts with (fpu__clear_user_states): FNINIT, MXCSR 0x1f80, XMM zero. */
export function resetFpu(vm: Machine): void {
  resetX87(vm);
  const s = vm.cpu.s;
  s[Slot.MXCSR] = 0x1f80;
  new Uint8Array(s.buffer, s.byteOffset + XMM_BYTE, 128).fill(0);
}

/** What sigreturn read back besides the registers. */
export interface RestoredFrame {
  mask: bigint;
  /** rt frames: uc_stack, for restore_altstack. */
  altstack: { sp: number; flags: number; size: number } | null;
}

/**
 * sigreturn / rt_sigreturn: the registers, flags, segments, FPU state and
 * mask from the frame the handler returned through. ESP is where the
 * restorer left it: 8 bytes into a sigframe (pretcode and sig popped), 4
 * into an rt frame. Throws CpuException for an unreadable or invalid frame.
 */
export function restoreSignalFrame(vm: Machine, rt: boolean): RestoredFrame {
  const cpu = vm.cpu;
  const frame = rt ? (cpu.r32[Slot.ESP] - 4) >>> 0 : (cpu.r32[Slot.ESP] - 8) >>> 0;
  const size = rt ? RT_FRAME_SIZE : FRAME_SIZE;
  const bytes = vm.mmu.readBytes(frame, size);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sc = rt ? RT_UC + UC_MCONTEXT : FRAME_SC;

  for (const [off, seg] of SEGMENTS) {
    const sel = dv.getUint16(sc + off, true);
    if (sel !== cpu.selector(seg)) cpu.loadSegment(seg, sel);
  }
  const cs = dv.getUint16(sc + 60, true) | 3;
  const ss = dv.getUint16(sc + 72, true) | 3;
  if (ss !== cpu.selector(Seg.SS)) cpu.loadSegment(Seg.SS, ss);
  if (cs !== cpu.selector(Seg.CS)) cpu.loadSegment(Seg.CS, cs);
  for (const [off, slot] of GREGS) cpu.r32[slot] = dv.getInt32(sc + off, true);
  cpu.s[Slot.EIP] = dv.getInt32(sc + 56, true);
  cpu.eflags = (cpu.eflags & ~FIX_EFLAGS) | (dv.getUint32(sc + 64, true) & FIX_EFLAGS);
  const fpstate = dv.getUint32(sc + 76, true);
  if (fpstate === 0) {
    resetFpu(vm);
  } else {
    // With an FXSAVE image, MXCSR and the XMM registers come from it and the x87 from the FSAVE part (convert_to_fxsr).
    if (vm.mmu.read16(fpstate + FPSTATE_LEGACY_SIZE - 2) !== FPSTATE_MAGIC_FSAVE_ONLY) restoreFxImage(vm, fpstate + FPSTATE_LEGACY_SIZE);
    restoreX87Image(vm, fpstate);
  }

  const mask = rt
    ? dv.getBigUint64(RT_UC + UC_SIGMASK, true)
    : (BigInt(dv.getUint32(FRAME_EXTRAMASK, true)) << 32n) | BigInt(dv.getUint32(sc + 80, true));
  const altstack = rt
    ? {
        sp: dv.getUint32(RT_UC + UC_STACK, true),
        flags: dv.getInt32(RT_UC + UC_STACK + 4, true),
        size: dv.getUint32(RT_UC + UC_STACK + 8, true),
      }
    : null;
  return { mask, altstack };
}
