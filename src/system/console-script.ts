/**
 * A scripted serial console (`wasmvisor boot --expect TEXT --send TEXT ...`):
 * steps run in the order given; an expect step waits until the guest's
 * output since the previous match contains its text, a send step types its
 * text into the console. Like expect(1) or QEMU test harnesses, without a
 * pattern language: texts are literal, with C-style escapes (unescape).
 */
export type ConsoleStep = { kind: 'expect'; text: string } | { kind: 'send'; text: string };

export class ConsoleScript {
  private next = 0;
  /** Output seen since the last match, bounded to what the current expect step can still match. */
  private window = '';

  constructor(
    private readonly steps: readonly ConsoleStep[],
    private readonly send: (bytes: Uint8Array) => void,
  ) {
    this.runSends();
  }

  /** Every step has run. */
  get done(): boolean {
    return this.next >= this.steps.length;
  }

  /** The expect step being waited for, or null. */
  get waitingFor(): string | null {
    const step = this.steps[this.next];
    return step?.kind === 'expect' ? step.text : null;
  }

  /** A byte of guest output. */
  output(byte: number): void {
    const step = this.steps[this.next];
    if (step === undefined || step.kind !== 'expect') return;
    this.window += String.fromCharCode(byte);
    if (this.window.endsWith(step.text)) {
      this.window = '';
      this.next++;
      this.runSends();
    } else if (this.window.length > 2 * step.text.length + 256) {
      this.window = this.window.slice(-step.text.length);
    }
  }

  private runSends(): void {
    for (let step = this.steps[this.next]; step?.kind === 'send'; step = this.steps[++this.next]) {
      this.send(Uint8Array.from(step.text, (c) => c.charCodeAt(0) & 0xff));
    }
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', e: '\x1b', a: '\x07', '\\': '\\', '0': '\0' };

/**
 * Interprets C-style escapes in a command-line text: \n \r \t \e \a \0 \\
 * and \xHH. Throws an Error naming the bad escape otherwise.
 */
export function unescape(text: string): string {
  return text.replace(/\\(x[0-9a-fA-F]{2}|.?)/gs, (all, esc: string) => {
    if (esc.startsWith('x') && esc.length === 3) return String.fromCharCode(parseInt(esc.slice(1), 16));
    const simple = SIMPLE_ESCAPES[esc];
    if (simple === undefined) throw new Error(`unknown escape ${all === '\\' ? 'at the end' : `"${all}"`} (known: \\n \\r \\t \\e \\a \\0 \\\\ \\xHH)`);
    return simple;
  });
}
