import type { Device, DeviceState, IrqLine } from './device.js';
import type { IoBus } from './io-bus.js';

/** Port 0x60: the data port (output buffer on read, input buffer on write). */
const DATA_PORT = 0x60;
/** Port 0x64: the status register on read, the command register on write. */
const STATUS_PORT = 0x64;

// Status register bits (8042 datasheet / IBM AT and PS/2 technical references).
/** Output buffer full: a byte waits at port 0x60. */
const STR_OBF = 0x01;
// Bit 1, IBF (input buffer full), stays 0: every write is processed before the next instruction, so guests never wait on it.
/** System flag: set by a passed self test, or by command byte bit 2. */
const STR_SYS = 0x04;
/** A2 (command/data): the last write went to port 0x64 (a command) rather than 0x60. */
const STR_A2 = 0x08;
/**
 * INH, the keyboard inhibit (keylock) switch, which is active low: 1 means NOT inhibited.
 * Linux's i8042 driver warns "Keylock active" when it reads 0.
 */
const STR_INH = 0x10;
/** Auxiliary output buffer full: the byte at port 0x60 came from the aux (mouse) side. */
const STR_AUXB = 0x20;
/** General time-out: the device did not answer (here: aux commands, as no mouse is attached). */
const STR_TIMEOUT = 0x40;

// Command byte bits (controller RAM byte 0).
const CB_KBD_INT = 0x01;
const CB_AUX_INT = 0x02;
const CB_SYS = 0x04;
const CB_KBD_DIS = 0x10;
const CB_AUX_DIS = 0x20;
/** IBM PC compatibility mode: the controller translates scan code set 2 to set 1. */
const CB_XLAT = 0x40;

// Output port bits (read with 0xD0, written with 0xD1).
/** System reset line, active low: writing 0 here resets the CPU. */
const OP_RESET = 0x01;
const OP_A20 = 0x02;
/** Reflects the keyboard output buffer full (IRQ 1 line). */
const OP_OBF = 0x10;
/** Reflects the aux output buffer full (IRQ 12 line). */
const OP_AUXB = 0x20;
/** Power-on output port as QEMU models it: reset inactive, A20 on, clock and data lines high. */
const OP_POWER_ON = 0xcf;

/** Input port (0xC0): bit 7 high means the keyboard is not inhibited. */
const INPUT_PORT = 0x80;

/**
 * The command byte at power-on, as QEMU resets it: both interrupts on,
 * translation off. A BIOS would normally turn on XLAT; with no BIOS the guest
 * sees scan code set 2 (Linux then runs its keyboard driver in direct mode).
 */
const CB_POWER_ON = CB_KBD_INT | CB_AUX_INT;

// Controller commands (written to port 0x64).
const CMD_READ_RAM = 0x20; // 0x20-0x3F: RAM byte n (0x20 = command byte)
const CMD_WRITE_RAM = 0x60; // 0x60-0x7F: next data byte to RAM byte n
const CMD_AUX_DISABLE = 0xa7;
const CMD_AUX_ENABLE = 0xa8;
const CMD_AUX_TEST = 0xa9;
const CMD_SELF_TEST = 0xaa;
const CMD_KBD_TEST = 0xab;
const CMD_KBD_DISABLE = 0xad;
const CMD_KBD_ENABLE = 0xae;
const CMD_READ_INPUT = 0xc0;
const CMD_READ_OUTPUT = 0xd0;
const CMD_WRITE_OUTPUT = 0xd1;
const CMD_WRITE_KBD_OBUF = 0xd2;
const CMD_WRITE_AUX_OBUF = 0xd3;
const CMD_WRITE_AUX = 0xd4;
const CMD_PULSE = 0xf0; // 0xF0-0xFF: pulse output port bits 3:0 low for each clear bit

const SELF_TEST_OK = 0x55;
const INTERFACE_TEST_OK = 0x00;

// Keyboard commands and replies.
const KBD_SET_LEDS = 0xed;
const KBD_ECHO = 0xee;
const KBD_SCANCODE_SET = 0xf0;
const KBD_IDENTIFY = 0xf2;
const KBD_TYPEMATIC = 0xf3;
const KBD_ENABLE = 0xf4;
const KBD_DISABLE = 0xf5;
const KBD_DEFAULTS = 0xf6;
const KBD_RESET = 0xff;
const KBD_ACK = 0xfa;
const KBD_RESEND = 0xfe;
const KBD_BAT_OK = 0xaa;
const KBD_ID = [0xab, 0x83];
/** 0x83 passed through the controller's set 2 to set 1 translation (what translated-mode guests read). */
const KBD_ID_XLAT = 0x41;
/** Scan code set numbers 1-3 as the translating controller reports them. */
const SET_XLAT = [0, 0x43, 0x41, 0x3f];
const TYPEMATIC_DEFAULT = 0x2b; // 10.9 characters/s, 500 ms delay

/** A real keyboard buffers 16 bytes; more host keystrokes than that are dropped. */
const KBD_BUFFER = 16;

// An output-buffer entry: the byte plus where it came from (an encoded number keeps state JSON-plain).
const ENTRY_AUX = 0x100;
const ENTRY_TIMEOUT = 0x200;
const EMPTY = -1;

/**
 * The PC keyboard controller (Intel 8042) with a PS/2 keyboard on its first
 * port and nothing on its aux (mouse) port. The controller's own replies and
 * the keyboard's bytes wait in separate queues so that a disabled keyboard
 * interface holds back keystrokes but not command replies; one byte at a
 * time moves into the output buffer, and each move is an interrupt edge
 * (IRQ 1 for keyboard/controller bytes, IRQ 12 for aux bytes), because
 * the guest's handler reads one byte per interrupt.
 */
export class I8042 implements Device {
  readonly name = 'i8042';
  private readonly irq1: IrqLine;
  private readonly irq12: IrqLine | undefined;
  private readonly onReset: () => void;

  /** Controller RAM; byte 0 is the command byte. */
  private ram = new Uint8Array(32);
  /** The stored status bits (SYS, A2); OBF/AUXB/TIMEOUT derive from the output buffer. */
  private status = 0;
  private outputPort = OP_POWER_ON;
  /** A controller command waiting for its data byte at port 0x60 (0: none). */
  private pendingCmd = 0;
  /** The output buffer (an entry) or EMPTY. */
  private obuf = EMPTY;
  /** Port 0x60 reads with nothing new return the previous byte, as the latch does. */
  private lastRead = 0;
  private ctrlQueue: number[] = [];
  private kbdQueue: number[] = [];

  // The keyboard itself.
  private scanning = true;
  private scancodeSet = 2;
  private leds = 0;
  private typematic = TYPEMATIC_DEFAULT;
  /** A keyboard command waiting for its argument byte (0: none). */
  private kbdPendingCmd = 0;

  constructor(bus: IoBus, irq1: IrqLine, opts: { onReset: () => void; irq12?: IrqLine }) {
    this.irq1 = irq1;
    this.irq12 = opts.irq12;
    this.onReset = opts.onReset;
    this.reset();
    bus.register(this.name, DATA_PORT, 1, {
      read8: () => this.readData(),
      write8: (_o, v) => this.writeData(v),
    });
    bus.register(this.name, STATUS_PORT, 1, {
      read8: () => this.readStatus(),
      write8: (_o, v) => this.writeCommand(v),
    });
  }

  /** The A20 gate as the output port drives it (the CPU side does not consult it yet). */
  get a20(): boolean {
    return (this.outputPort & OP_A20) !== 0;
  }

  /**
   * Host keystrokes: bytes exactly as the guest should read them at port
   * 0x60 (set 2 codes with translation off, which is the power-on state;
   * set 1 codes if the guest turned XLAT on). Dropped while the keyboard
   * has scanning disabled or its buffer cannot take them all.
   */
  keyPress(scancodes: number[]): void {
    if (!this.scanning || this.kbdQueue.length + scancodes.length > KBD_BUFFER) return;
    for (const code of scancodes) this.kbdQueue.push(code & 0xff);
    this.fillOutputBuffer();
  }

  reset(): void {
    this.ram = new Uint8Array(32);
    this.ram[0] = CB_POWER_ON;
    this.status = 0;
    this.outputPort = OP_POWER_ON;
    this.pendingCmd = 0;
    this.obuf = EMPTY;
    this.lastRead = 0;
    this.ctrlQueue = [];
    this.kbdQueue = [];
    this.keyboardDefaults();
    this.scanning = true;
    this.leds = 0;
    this.kbdPendingCmd = 0;
  }

  saveState(): DeviceState {
    return {
      ram: Array.from(this.ram),
      status: this.status,
      outputPort: this.outputPort,
      pendingCmd: this.pendingCmd,
      obuf: this.obuf,
      lastRead: this.lastRead,
      ctrlQueue: [...this.ctrlQueue],
      kbdQueue: [...this.kbdQueue],
      scanning: this.scanning,
      scancodeSet: this.scancodeSet,
      leds: this.leds,
      typematic: this.typematic,
      kbdPendingCmd: this.kbdPendingCmd,
    };
  }

  restoreState(state: DeviceState): void {
    const s = state as {
      ram: number[];
      status: number;
      outputPort: number;
      pendingCmd: number;
      obuf: number;
      lastRead: number;
      ctrlQueue: number[];
      kbdQueue: number[];
      scanning: boolean;
      scancodeSet: number;
      leds: number;
      typematic: number;
      kbdPendingCmd: number;
    };
    this.ram = Uint8Array.from(s.ram);
    this.status = s.status;
    this.outputPort = s.outputPort;
    this.pendingCmd = s.pendingCmd;
    this.obuf = s.obuf;
    this.lastRead = s.lastRead;
    this.ctrlQueue = [...s.ctrlQueue];
    this.kbdQueue = [...s.kbdQueue];
    this.scanning = s.scanning;
    this.scancodeSet = s.scancodeSet;
    this.leds = s.leds;
    this.typematic = s.typematic;
    this.kbdPendingCmd = s.kbdPendingCmd;
  }

  private get commandByte(): number {
    return this.ram[0];
  }

  private readStatus(): number {
    let s = (this.status & (STR_SYS | STR_A2)) | STR_INH;
    if (this.obuf !== EMPTY) {
      s |= STR_OBF;
      if (this.obuf & ENTRY_AUX) s |= STR_AUXB;
      if (this.obuf & ENTRY_TIMEOUT) s |= STR_TIMEOUT;
    }
    return s;
  }

  private readData(): number {
    if (this.obuf === EMPTY) return this.lastRead;
    this.lastRead = this.obuf & 0xff;
    this.obuf = EMPTY;
    this.fillOutputBuffer();
    return this.lastRead;
  }

  private writeCommand(cmd: number): void {
    this.status |= STR_A2;
    // A new command abandons one still waiting for its data byte, as the 8042 firmware does.
    this.pendingCmd = 0;
    if (cmd >= CMD_READ_RAM && cmd < CMD_READ_RAM + 0x20) {
      this.reply(this.ram[cmd & 0x1f]);
      return;
    }
    if ((cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) || (cmd >= CMD_WRITE_OUTPUT && cmd <= CMD_WRITE_AUX)) {
      this.pendingCmd = cmd;
      return;
    }
    if (cmd >= CMD_PULSE) {
      // Bits 3:0 clear are the output port lines pulsed low; bit 0 is the CPU reset line.
      if ((cmd & OP_RESET) === 0) this.onReset();
      return;
    }
    switch (cmd) {
      case CMD_AUX_DISABLE:
        this.setCommandByte(this.commandByte | CB_AUX_DIS);
        break;
      case CMD_AUX_ENABLE:
        this.setCommandByte(this.commandByte & ~CB_AUX_DIS);
        break;
      case CMD_AUX_TEST:
      case CMD_KBD_TEST:
        this.reply(INTERFACE_TEST_OK);
        break;
      case CMD_SELF_TEST:
        this.status |= STR_SYS;
        this.reply(SELF_TEST_OK);
        break;
      case CMD_KBD_DISABLE:
        this.setCommandByte(this.commandByte | CB_KBD_DIS);
        break;
      case CMD_KBD_ENABLE:
        this.setCommandByte(this.commandByte & ~CB_KBD_DIS);
        break;
      case CMD_READ_INPUT:
        this.reply(INPUT_PORT);
        break;
      case CMD_READ_OUTPUT: {
        let v = this.outputPort & ~(OP_OBF | OP_AUXB);
        if (this.obuf !== EMPTY) v |= this.obuf & ENTRY_AUX ? OP_AUXB : OP_OBF;
        this.reply(v);
        break;
      }
      default:
        // Vendor extensions (version, password, A20 shortcuts...): ignored, no reply.
        break;
    }
  }

  private writeData(value: number): void {
    this.status &= ~STR_A2;
    const cmd = this.pendingCmd;
    this.pendingCmd = 0;
    if (cmd === 0) {
      // Writing to the keyboard enables its interface (the 8042 firmware releases the clock line to send).
      if (this.commandByte & CB_KBD_DIS) this.setCommandByte(this.commandByte & ~CB_KBD_DIS);
      this.keyboardWrite(value);
      return;
    }
    if (cmd >= CMD_WRITE_RAM && cmd < CMD_WRITE_RAM + 0x20) {
      if ((cmd & 0x1f) === 0) {
        // Status SYS takes the command byte's SYS bit when the guest writes the byte (not when 0xAD/0xA7 flip other bits).
        this.status = value & CB_SYS ? this.status | STR_SYS : this.status & ~STR_SYS;
        this.setCommandByte(value);
      } else {
        this.ram[cmd & 0x1f] = value;
      }
      return;
    }
    switch (cmd) {
      case CMD_WRITE_OUTPUT:
        this.outputPort = value;
        if ((value & OP_RESET) === 0) this.onReset();
        break;
      case CMD_WRITE_KBD_OBUF:
        this.reply(value);
        break;
      case CMD_WRITE_AUX_OBUF:
        this.reply(value | ENTRY_AUX);
        break;
      case CMD_WRITE_AUX:
        // No mouse: the controller times out and reports a resend from the aux side, so drivers fail fast instead of waiting.
        this.reply(KBD_RESEND | ENTRY_AUX | ENTRY_TIMEOUT);
        break;
    }
  }

  private setCommandByte(value: number): void {
    const before = this.ram[0];
    this.ram[0] = value;
    // The real IRQ line is OBF AND the enable bit, so enabling with a byte waiting is an edge too.
    if (this.obuf !== EMPTY) {
      const bit = this.obuf & ENTRY_AUX ? CB_AUX_INT : CB_KBD_INT;
      if (value & bit & ~before) this.pulseFor(this.obuf);
    }
    this.fillOutputBuffer();
  }

  private keyboardWrite(value: number): void {
    const arg = this.kbdPendingCmd;
    this.kbdPendingCmd = 0;
    // Argument bytes are all below 0x80; a command byte instead of the argument starts that command.
    if (arg !== 0 && value < 0x80) {
      switch (arg) {
        case KBD_SET_LEDS:
          this.leds = value & 0x07;
          this.kbdSend(KBD_ACK);
          return;
        case KBD_TYPEMATIC:
          this.typematic = value & 0x7f;
          this.kbdSend(KBD_ACK);
          return;
        case KBD_SCANCODE_SET:
          this.kbdSend(KBD_ACK);
          if (value === 0) this.kbdSend(this.commandByte & CB_XLAT ? SET_XLAT[this.scancodeSet] : this.scancodeSet);
          else if (value <= 3) this.scancodeSet = value;
          return;
      }
    }
    switch (value) {
      case KBD_RESET:
        this.kbdQueue = [];
        this.keyboardDefaults();
        this.scanning = true;
        this.leds = 0;
        this.kbdSend(KBD_ACK);
        this.kbdSend(KBD_BAT_OK);
        break;
      case KBD_IDENTIFY:
        this.kbdSend(KBD_ACK);
        this.kbdSend(KBD_ID[0]);
        this.kbdSend(this.commandByte & CB_XLAT ? KBD_ID_XLAT : KBD_ID[1]);
        break;
      case KBD_ENABLE:
        this.scanning = true;
        this.kbdSend(KBD_ACK);
        break;
      case KBD_DISABLE:
        this.keyboardDefaults();
        this.scanning = false;
        this.kbdSend(KBD_ACK);
        break;
      case KBD_DEFAULTS:
        this.keyboardDefaults();
        this.kbdSend(KBD_ACK);
        break;
      case KBD_SET_LEDS:
      case KBD_SCANCODE_SET:
      case KBD_TYPEMATIC:
        this.kbdPendingCmd = value;
        this.kbdSend(KBD_ACK);
        break;
      case KBD_ECHO:
        this.kbdSend(KBD_ECHO);
        break;
      default:
        this.kbdSend(KBD_RESEND);
        break;
    }
  }

  private keyboardDefaults(): void {
    this.scancodeSet = 2;
    this.typematic = TYPEMATIC_DEFAULT;
  }

  private kbdSend(value: number): void {
    this.kbdQueue.push(value);
    this.fillOutputBuffer();
  }

  private reply(entry: number): void {
    this.ctrlQueue.push(entry);
    this.fillOutputBuffer();
  }

  /** Moves the next byte into an empty output buffer: controller replies first, then keyboard bytes if its interface is enabled. */
  private fillOutputBuffer(): void {
    if (this.obuf !== EMPTY) return;
    let entry: number;
    if (this.ctrlQueue.length > 0) entry = this.ctrlQueue.shift()!;
    else if (this.kbdQueue.length > 0 && (this.commandByte & CB_KBD_DIS) === 0) entry = this.kbdQueue.shift()!;
    else return;
    this.obuf = entry;
    this.pulseFor(entry);
  }

  private pulseFor(entry: number): void {
    if (entry & ENTRY_AUX) {
      if (this.commandByte & CB_AUX_INT && this.irq12) {
        this.irq12.raise();
        this.irq12.lower();
      }
    } else if (this.commandByte & CB_KBD_INT) {
      this.irq1.raise();
      this.irq1.lower();
    }
  }
}
