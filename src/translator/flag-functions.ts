import binaryen from 'binaryen';

/**
 * EFLAGS from the lazy record, in wasm, for translated code that reads
 * flags it cannot derive statically: the same formulas as
 * runtime/flags.ts (readFlags, testCondition), one small module per VM
 * that every region imports.
 */
const FLAG_FUNCTIONS_WAT = `
(module
  ;; flags(lop, dst, src, res, flags) -> EFLAGS
  (func $flags (export "flags") (param $lop i32) (param $dst i32) (param $src i32) (param $res i32) (param $fl i32) (result i32)
    (local $op i32) (local $sh i32) (local $f i32) (local $lazy i32)
    (if (i32.eqz (local.get $lop)) (then (return (local.get $fl))))
    (local.set $op (i32.and (local.get $lop) (i32.const 255)))
    (local.set $sh (i32.sub (i32.shr_u (local.get $lop) (i32.const 8)) (i32.const 1)))
    ;; ZF: the result's low (sh+1) bits are zero
    (local.set $f (i32.shl
      (i32.eqz (i32.shl (local.get $res) (i32.sub (i32.const 31) (local.get $sh))))
      (i32.const 6)))
    ;; SF, PF
    (local.set $f (i32.or (local.get $f) (i32.shl (i32.and (i32.shr_u (local.get $res) (local.get $sh)) (i32.const 1)) (i32.const 7))))
    (local.set $f (i32.or (local.get $f) (i32.shl (i32.xor (i32.and (i32.popcnt (i32.and (local.get $res) (i32.const 255))) (i32.const 1)) (i32.const 1)) (i32.const 2))))
    (local.set $lazy (i32.const 0x8d5))
    (if (i32.or (i32.eq (local.get $op) (i32.const 1)) (i32.eq (local.get $op) (i32.const 4)))
      (then
        (local.set $f (i32.or (local.get $f) (i32.and (i32.shr_u (i32.xor (i32.xor (local.get $dst) (local.get $src)) (local.get $res)) (i32.const 0)) (i32.const 16))))
        (local.set $f (i32.or (local.get $f) (i32.shl (i32.and (i32.shr_u (i32.and (i32.xor (local.get $dst) (local.get $res)) (i32.xor (local.get $src) (local.get $res))) (local.get $sh)) (i32.const 1)) (i32.const 11))))
        (if (i32.eq (local.get $op) (i32.const 1))
          (then (local.set $f (i32.or (local.get $f) (i32.and (i32.shr_u
            (i32.or (i32.and (local.get $dst) (local.get $src)) (i32.and (i32.or (local.get $dst) (local.get $src)) (i32.xor (local.get $res) (i32.const -1))))
            (local.get $sh)) (i32.const 1)))))
          (else (local.set $lazy (i32.const 0x8d4))))))
    (if (i32.or (i32.eq (local.get $op) (i32.const 2)) (i32.eq (local.get $op) (i32.const 5)))
      (then
        (local.set $f (i32.or (local.get $f) (i32.and (i32.xor (i32.xor (local.get $dst) (local.get $src)) (local.get $res)) (i32.const 16))))
        (local.set $f (i32.or (local.get $f) (i32.shl (i32.and (i32.shr_u (i32.and (i32.xor (local.get $dst) (local.get $src)) (i32.xor (local.get $dst) (local.get $res))) (local.get $sh)) (i32.const 1)) (i32.const 11))))
        (if (i32.eq (local.get $op) (i32.const 2))
          (then (local.set $f (i32.or (local.get $f) (i32.and (i32.shr_u
            (i32.or (i32.and (i32.xor (local.get $dst) (i32.const -1)) (local.get $src)) (i32.and (i32.or (i32.xor (local.get $dst) (i32.const -1)) (local.get $src)) (local.get $res)))
            (local.get $sh)) (i32.const 1)))))
          (else (local.set $lazy (i32.const 0x8d4))))))
    (if (i32.eq (local.get $op) (i32.const 6)) (then (local.set $lazy (i32.const 0xc4))))
    (i32.or (i32.and (local.get $fl) (i32.xor (local.get $lazy) (i32.const -1))) (local.get $f)))

  ;; cond(cc, lop, dst, src, res, flags) -> 0/1
  (func (export "cond") (param $cc i32) (param $lop i32) (param $dst i32) (param $src i32) (param $res i32) (param $fl i32) (result i32)
    (local $f i32) (local $r i32) (local $k i32)
    (local.set $f (call $flags (local.get $lop) (local.get $dst) (local.get $src) (local.get $res) (local.get $fl)))
    (local.set $k (i32.shr_u (local.get $cc) (i32.const 1)))
    (block $done
      (block $le (block $l (block $p (block $s (block $be (block $z (block $b (block $o
        (br_table $o $b $z $be $s $p $l $le (local.get $k)))
        (local.set $r (i32.shr_u (local.get $f) (i32.const 11))) (br $done))
        (local.set $r (local.get $f)) (br $done))
        (local.set $r (i32.shr_u (local.get $f) (i32.const 6))) (br $done))
        (local.set $r (i32.or (local.get $f) (i32.shr_u (local.get $f) (i32.const 6)))) (br $done))
        (local.set $r (i32.shr_u (local.get $f) (i32.const 7))) (br $done))
        (local.set $r (i32.shr_u (local.get $f) (i32.const 2))) (br $done))
        (local.set $r (i32.xor (i32.shr_u (local.get $f) (i32.const 7)) (i32.shr_u (local.get $f) (i32.const 11)))) (br $done))
      (local.set $r (i32.or (i32.xor (i32.shr_u (local.get $f) (i32.const 7)) (i32.shr_u (local.get $f) (i32.const 11))) (i32.shr_u (local.get $f) (i32.const 6)))))
    (i32.xor (i32.and (local.get $r) (i32.const 1)) (i32.and (local.get $cc) (i32.const 1))))
)`;

export interface FlagFunctions {
  flags(lop: number, dst: number, src: number, res: number, flags: number): number;
  cond(cc: number, lop: number, dst: number, src: number, res: number, flags: number): number;
}

/** Builds the flag functions' module (once per translator). */
export function instantiateFlagFunctions(): FlagFunctions {
  const m = binaryen.parseText(FLAG_FUNCTIONS_WAT);
  try {
    m.setFeatures(binaryen.Features.MVP);
    if (!m.validate()) throw new Error('translator: flag functions do not validate');
    const instance = new WebAssembly.Instance(new WebAssembly.Module(m.emitBinary() as Uint8Array<ArrayBuffer>), {});
    return instance.exports as unknown as FlagFunctions;
  } finally {
    m.dispose();
  }
}
