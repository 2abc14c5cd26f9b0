/**
 * `v` rounded to an integer by a rounding-control field, as both the x87
 * control word (bits 10-11) and MXCSR (bits 13-14) encode it: 0 to nearest
 * (ties to even), 1 down, 2 up, 3 toward zero.
 */
export function roundByControl(v: number, rc: number): number {
  switch (rc) {
    case 0: {
      const f = Math.floor(v);
      const d = v - f;
      return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
    }
    case 1:
      return Math.floor(v);
    case 2:
      return Math.ceil(v);
    default:
      return Math.trunc(v);
  }
}
