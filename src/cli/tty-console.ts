import type { ConsoleInput } from './boot.js';

const CTRL_A = 0x01;

/**
 * The terminal as the guest's serial console, as QEMU's -serial stdio:
 * stdin in raw mode, every key to the guest, Ctrl-A then X ends the VM,
 * Ctrl-A Ctrl-A types one Ctrl-A, Ctrl-A H lists these.
 */
export function ttyConsole(stdin: NodeJS.ReadStream, diag: (line: string) => void): ConsoleInput {
  return {
    attach(send, quit) {
      let escape = false;
      const onData = (chunk: Buffer) => {
        const out: number[] = [];
        for (const byte of chunk) {
          if (escape) {
            escape = false;
            const key = String.fromCharCode(byte).toLowerCase();
            if (key === 'x') {
              quit('terminated by Ctrl-A X');
              return;
            }
            if (byte === CTRL_A) out.push(CTRL_A);
            else if (key === 'h') diag('\r\nCtrl-A X  quit\r\nCtrl-A Ctrl-A  type Ctrl-A\r\nCtrl-A H  this help\r');
          } else if (byte === CTRL_A) {
            escape = true;
          } else {
            out.push(byte);
          }
        }
        if (out.length > 0) send(Uint8Array.from(out));
      };
      stdin.setRawMode(true);
      stdin.on('data', onData);
      stdin.resume();
      return () => {
        stdin.off('data', onData);
        stdin.setRawMode(false);
        stdin.pause();
      };
    },
  };
}
