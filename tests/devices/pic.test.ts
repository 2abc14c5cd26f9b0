import { describe, expect, test } from 'vitest';
import { IoBus } from '../../src/devices/io-bus.js';
import {
  DualPic,
  ICW1_IC4,
  ICW1_INIT,
  ICW4_AEOI,
  ICW4_UPM,
  OCW2_NON_SPECIFIC_EOI,
  OCW2_ROTATE_NON_SPECIFIC_EOI,
  OCW2_SPECIFIC_EOI,
  OCW3_ESMM,
  OCW3_POLL,
  OCW3_READ_IRR,
  OCW3_READ_ISR,
  OCW3_SMM,
  OCW3_SELECT,
} from '../../src/devices/pic.js';

const MASTER_CMD = 0x20;
const MASTER_IMR = 0x21;
const SLAVE_CMD = 0xa0;
const SLAVE_IMR = 0xa1;

/** Linux's arch/x86/kernel/i8259.c init_8259A(0) with ISA_IRQ_VECTOR(0) = 0x30, then masks. */
function linuxInit(bus: IoBus, masterMask = 0x00, slaveMask = 0x00): void {
  bus.out8(MASTER_IMR, 0xff);
  bus.out8(SLAVE_IMR, 0xff);
  bus.out8(MASTER_CMD, 0x11); // ICW1: edge, cascade, ICW4 needed
  bus.out8(MASTER_IMR, 0x30); // ICW2: vector base
  bus.out8(MASTER_IMR, 0x04); // ICW3: slave on IR2
  bus.out8(MASTER_IMR, 0x01); // ICW4: 8086 mode, normal EOI
  bus.out8(SLAVE_CMD, 0x11);
  bus.out8(SLAVE_IMR, 0x38);
  bus.out8(SLAVE_IMR, 0x02); // ICW3: slave identity 2
  bus.out8(SLAVE_IMR, 0x01);
  bus.out8(MASTER_IMR, masterMask);
  bus.out8(SLAVE_IMR, slaveMask);
}

function setup(masterMask = 0x00, slaveMask = 0x00) {
  const bus = new IoBus();
  let changes = 0;
  const pic = new DualPic(bus, () => void changes++);
  linuxInit(bus, masterMask, slaveMask);
  const readIsr = (cmd: number): number => {
    bus.out8(cmd, OCW3_READ_ISR);
    const v = bus.in8(cmd);
    bus.out8(cmd, OCW3_READ_IRR);
    return v;
  };
  return { bus, pic, changes: () => changes, readIsr };
}

describe('8259A PIC pair', () => {
  test('claims the master, slave and ELCR ports; the datasheet constants match Linux', () => {
    const bus = new IoBus();
    new DualPic(bus);
    expect([0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1].map((p) => bus.owner(p))).toEqual(Array(6).fill('pic'));
    expect(ICW1_INIT | ICW1_IC4).toBe(0x11);
    expect([OCW3_READ_IRR, OCW3_READ_ISR, OCW3_POLL]).toEqual([0x0a, 0x0b, 0x0c]);
  });

  test("Linux's probe sees the IMR read back", () => {
    const bus = new IoBus();
    new DualPic(bus);
    bus.out8(SLAVE_IMR, 0xff);
    bus.out8(MASTER_IMR, 0xfb);
    expect(bus.in8(MASTER_IMR)).toBe(0xfb);
    expect(bus.in8(SLAVE_IMR)).toBe(0xff);
  });

  test('Linux init sequence, then IRQ 0 delivery and EOI', () => {
    const { bus, pic, changes, readIsr } = setup(0xfb, 0xff);
    expect(bus.in8(MASTER_IMR)).toBe(0xfb);
    expect(bus.in8(SLAVE_IMR)).toBe(0xff);
    expect(pic.intr).toBe(false);
    // Linux unmasks IRQ 0 when the timer is set up.
    bus.out8(MASTER_IMR, 0xfa);
    pic.irq(0).raise();
    pic.irq(0).lower();
    expect(pic.intr).toBe(true);
    expect(changes()).toBe(1);
    expect(bus.in8(MASTER_CMD)).toBe(0x01); // IRR after init
    expect(pic.acknowledge()).toBe(0x30);
    expect(pic.intr).toBe(false);
    expect(changes()).toBe(2);
    expect(bus.in8(MASTER_CMD)).toBe(0x00);
    expect(readIsr(MASTER_CMD)).toBe(0x01);
    // mask_and_ack_8259A: a specific EOI.
    bus.out8(MASTER_CMD, OCW2_SPECIFIC_EOI | 0);
    expect(readIsr(MASTER_CMD)).toBe(0x00);
    // The next edge is a new interrupt.
    pic.irq(0).raise();
    pic.irq(0).lower();
    expect(pic.acknowledge()).toBe(0x30);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(readIsr(MASTER_CMD)).toBe(0x00);
    expect(pic.intr).toBe(false);
  });

  test('an edge-mode line raised and held requests once; it must fall and rise again', () => {
    const { bus, pic } = setup();
    pic.irq(4).raise();
    expect(pic.acknowledge()).toBe(0x34);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    pic.irq(4).raise(); // still high: no edge
    expect(pic.intr).toBe(false);
    pic.irq(4).lower();
    pic.irq(4).raise();
    expect(pic.intr).toBe(true);
  });

  test('a masked request waits in IRR and is delivered when unmasked', () => {
    const { bus, pic } = setup(0x02);
    pic.irq(1).raise();
    pic.irq(1).lower();
    expect(pic.intr).toBe(false);
    expect(bus.in8(MASTER_CMD)).toBe(0x02);
    bus.out8(MASTER_IMR, 0x00);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x31);
  });

  test('fixed priority: IRQ 0 beats IRQ 1; a lower request waits for EOI; a higher one nests', () => {
    const { bus, pic, readIsr } = setup();
    pic.irq(1).raise();
    pic.irq(0).raise();
    expect(bus.in8(MASTER_CMD)).toBe(0x03);
    expect(pic.acknowledge()).toBe(0x30);
    // IRQ 1 is pending but IRQ 0 is in service.
    expect(pic.intr).toBe(false);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x31);
    // With IRQ 1 in service, IRQ 0 still gets through.
    pic.irq(0).lower();
    pic.irq(0).raise();
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x30);
    expect(readIsr(MASTER_CMD)).toBe(0x03);
    // A non-specific EOI ends the highest-priority one (the nested IRQ 0).
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(readIsr(MASTER_CMD)).toBe(0x02);
  });

  test('a slave IRQ goes through the cascade: slave vector, ISR on both, EOI on both', () => {
    const { bus, pic, readIsr } = setup();
    pic.irq(12).raise();
    pic.irq(12).lower();
    expect(pic.intr).toBe(true);
    expect(bus.in8(SLAVE_CMD)).toBe(0x10);
    expect(pic.acknowledge()).toBe(0x3c);
    expect(pic.intr).toBe(false);
    expect(readIsr(MASTER_CMD)).toBe(0x04);
    expect(readIsr(SLAVE_CMD)).toBe(0x10);
    // IRQ 8 outranks 12 on the slave, but the master's IR2 is in service (fully nested mode).
    bus.out8(SLAVE_CMD, OCW2_SPECIFIC_EOI | 4);
    pic.irq(8).raise();
    pic.irq(8).lower();
    expect(pic.intr).toBe(false);
    bus.out8(MASTER_CMD, OCW2_SPECIFIC_EOI | 2);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x38);
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(readIsr(MASTER_CMD)).toBe(0);
    expect(readIsr(SLAVE_CMD)).toBe(0);
    expect(pic.intr).toBe(false);
  });

  test('a master IRQ above the cascade outranks a slave IRQ; one below it waits', () => {
    const { bus, pic } = setup();
    pic.irq(3).raise();
    pic.irq(9).raise();
    pic.irq(1).raise();
    expect(pic.acknowledge()).toBe(0x31);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.acknowledge()).toBe(0x39);
    expect(pic.intr).toBe(false); // IRQ 3 is below IR2 in service
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.acknowledge()).toBe(0x33);
  });

  test('a slave line masked on the slave does not reach the master', () => {
    const { bus, pic } = setup(0x00, 0x10);
    pic.irq(12).raise();
    expect(pic.intr).toBe(false);
    expect(bus.in8(MASTER_CMD)).toBe(0x00);
    bus.out8(SLAVE_IMR, 0x00);
    expect(pic.intr).toBe(true);
    expect(bus.in8(MASTER_CMD)).toBe(0x04);
  });

  test('spurious IRQ 7: the request went away before INTA', () => {
    const { bus, pic, readIsr } = setup();
    pic.irq(5).raise();
    expect(pic.intr).toBe(true);
    bus.out8(MASTER_IMR, 0x20); // masked after the CPU saw INTR
    expect(pic.intr).toBe(false);
    expect(pic.acknowledge()).toBe(0x37);
    // A spurious INTA sets no ISR bit: Linux checks exactly this.
    expect(readIsr(MASTER_CMD)).toBe(0x00);
    expect(bus.in8(MASTER_CMD)).toBe(0x20);
  });

  test('spurious IRQ 7 with a level-mode request that was withdrawn', () => {
    const { bus, pic, readIsr } = setup();
    bus.out8(0x4d0, 0x20); // IRQ 5 level
    pic.irq(5).raise();
    expect(pic.intr).toBe(true);
    pic.irq(5).lower();
    expect(pic.acknowledge()).toBe(0x37);
    expect(readIsr(MASTER_CMD)).toBe(0x00);
  });

  test('OCW3 selects IRR or ISR for port +0 reads; the selection sticks; port +1 reads IMR', () => {
    const { bus, pic } = setup(0x80);
    pic.irq(3).raise();
    pic.irq(6).raise();
    pic.acknowledge();
    bus.out8(MASTER_CMD, OCW3_READ_ISR);
    expect(bus.in8(MASTER_CMD)).toBe(0x08);
    expect(bus.in8(MASTER_CMD)).toBe(0x08);
    expect(bus.in8(MASTER_IMR)).toBe(0x80);
    // OCW3 without RR leaves the selection alone.
    bus.out8(MASTER_CMD, OCW3_SELECT);
    expect(bus.in8(MASTER_CMD)).toBe(0x08);
    bus.out8(MASTER_CMD, OCW3_READ_IRR);
    expect(bus.in8(MASTER_CMD)).toBe(0x40);
  });

  test('ELCR: level lines follow the wire and re-request after EOI; reserved bits stay edge', () => {
    const { bus, pic, readIsr } = setup();
    bus.out8(0x4d0, 0xff);
    bus.out8(0x4d1, 0xff);
    expect(bus.in8(0x4d0)).toBe(0xf8);
    expect(bus.in8(0x4d1)).toBe(0xde);
    bus.out8(0x4d0, 0x00);
    bus.out8(0x4d1, 0x04); // IRQ 10 level
    expect(bus.in8(0x4d1)).toBe(0x04);
    pic.irq(10).raise();
    expect(pic.acknowledge()).toBe(0x3a);
    // Still asserted: IRR keeps the bit; the ISR bit holds it off until EOI.
    expect(bus.in8(SLAVE_CMD)).toBe(0x04);
    expect(pic.intr).toBe(false);
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x3a);
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    // The device deasserts: the request is gone.
    pic.irq(10).lower();
    expect(pic.intr).toBe(false);
    expect(bus.in8(SLAVE_CMD)).toBe(0x00);
    expect(readIsr(SLAVE_CMD)).toBe(0x00);
    // Switching a held line to level mode makes it request at once.
    pic.irq(11).raise();
    bus.out8(SLAVE_CMD, OCW2_SPECIFIC_EOI | 3); // nothing in service: harmless
    pic.acknowledge();
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.intr).toBe(false);
    bus.out8(0x4d1, 0x08);
    expect(pic.intr).toBe(true);
  });

  test('the poll command acknowledges the highest request through a port read', () => {
    const { bus, pic, readIsr } = setup();
    bus.out8(MASTER_CMD, OCW3_POLL);
    expect(bus.in8(MASTER_CMD)).toBe(0x00);
    pic.irq(6).raise();
    pic.irq(4).raise();
    bus.out8(MASTER_CMD, OCW3_POLL);
    expect(bus.in8(MASTER_IMR)).toBe(0x84);
    expect(readIsr(MASTER_CMD)).toBe(0x10);
    // Only one read is a poll.
    expect(bus.in8(MASTER_IMR)).toBe(0x00);
  });

  test('auto-EOI leaves ISR clear', () => {
    const bus = new IoBus();
    const pic = new DualPic(bus);
    bus.out8(MASTER_CMD, ICW1_INIT | ICW1_IC4);
    bus.out8(MASTER_IMR, 0x08);
    bus.out8(MASTER_IMR, 0x04);
    bus.out8(MASTER_IMR, ICW4_UPM | ICW4_AEOI);
    pic.irq(3).raise();
    pic.irq(1).raise();
    expect(pic.acknowledge()).toBe(0x09);
    expect(pic.intr).toBe(true); // nothing in service: IRQ 3 may follow at once
    expect(pic.acknowledge()).toBe(0x0b);
    bus.out8(MASTER_CMD, OCW3_READ_ISR);
    expect(bus.in8(MASTER_CMD)).toBe(0);
  });

  test('single mode without ICW4: ICW2 then straight to OCW1', () => {
    const bus = new IoBus();
    const pic = new DualPic(bus);
    bus.out8(MASTER_CMD, ICW1_INIT | 0x02);
    bus.out8(MASTER_IMR, 0x48);
    bus.out8(MASTER_IMR, 0xfe); // already OCW1
    expect(bus.in8(MASTER_IMR)).toBe(0xfe);
    pic.irq(0).raise();
    expect(pic.acknowledge()).toBe(0x48);
  });

  test('rotate on non-specific EOI makes the serviced line the lowest priority', () => {
    const { bus, pic } = setup();
    pic.irq(0).raise();
    expect(pic.acknowledge()).toBe(0x30);
    bus.out8(MASTER_CMD, OCW2_ROTATE_NON_SPECIFIC_EOI);
    pic.irq(0).lower();
    pic.irq(0).raise();
    pic.irq(3).raise();
    expect(pic.acknowledge()).toBe(0x33);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    expect(pic.acknowledge()).toBe(0x30);
    // Set-priority back to fixed (IR7 lowest).
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, 0xc7);
    pic.irq(0).lower();
    pic.irq(3).lower();
    pic.irq(3).raise();
    pic.irq(0).raise();
    expect(pic.acknowledge()).toBe(0x30);
  });

  test('special mask mode lets lower-priority lines interrupt a handler that masked itself', () => {
    const { bus, pic } = setup();
    pic.irq(1).raise();
    expect(pic.acknowledge()).toBe(0x31);
    pic.irq(5).raise();
    expect(pic.intr).toBe(false);
    bus.out8(MASTER_IMR, 0x02);
    bus.out8(MASTER_CMD, OCW3_SELECT | OCW3_ESMM | OCW3_SMM);
    expect(pic.intr).toBe(true);
    expect(pic.acknowledge()).toBe(0x35);
    bus.out8(MASTER_CMD, OCW3_SELECT | OCW3_ESMM);
    expect(pic.intr).toBe(false);
  });

  test('onChange fires on INTR changes only', () => {
    const { pic, changes } = setup(0x01);
    pic.irq(0).raise();
    expect(changes()).toBe(0);
    pic.irq(1).raise();
    pic.irq(2).raise(); // the AT's IRQ 2 pin is IRQ 9
    expect(changes()).toBe(1);
    expect(pic.irq(2)).toBe(pic.irq(9));
    expect(pic.acknowledge()).toBe(0x31);
    expect(changes()).toBe(2);
    expect(() => pic.irq(16)).toThrow(RangeError);
  });

  test('saveState/restoreState carry IRR, ISR, masks, vectors and wire levels', () => {
    const a = setup(0x40);
    a.bus.out8(0x4d1, 0x02);
    a.pic.irq(4).raise();
    expect(a.pic.acknowledge()).toBe(0x34);
    a.pic.irq(9).raise();
    const state = JSON.parse(JSON.stringify(a.pic.saveState()));

    const bus = new IoBus();
    const pic = new DualPic(bus);
    pic.restoreState(state);
    expect(bus.in8(MASTER_IMR)).toBe(0x40);
    expect(bus.in8(0x4d1)).toBe(0x02);
    expect(pic.intr).toBe(true); // IRQ 9 via IR2 outranks IRQ 4 in service
    expect(pic.acknowledge()).toBe(0x39);
    bus.out8(SLAVE_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    // IRQ 9 is level and still high; IRQ 4 is in service.
    expect(pic.intr).toBe(true);
    pic.irq(9).lower();
    expect(pic.intr).toBe(false);
    bus.out8(MASTER_CMD, OCW2_NON_SPECIFIC_EOI);
    bus.out8(MASTER_CMD, OCW3_READ_ISR);
    expect(bus.in8(MASTER_CMD)).toBe(0);

    pic.reset();
    expect(bus.in8(MASTER_IMR)).toBe(0);
    expect(bus.in8(0x4d1)).toBe(0);
    expect(pic.intr).toBe(false);
  });

  test('re-initialisation clears IMR, ISR and pending edges', () => {
    const { bus, pic } = setup(0xff);
    pic.irq(3).raise();
    linuxInit(bus, 0x00);
    expect(pic.intr).toBe(false);
    expect(bus.in8(MASTER_CMD)).toBe(0);
  });
});
