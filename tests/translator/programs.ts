// Guest code shared by the translator's tests.
const DATA = 0x3000;

/**
 * A loop of `iterations` with loads, stores, flags carried across blocks
 * (adc after add, cmp + jb), shifts, imul, call/ret with a rotate, REP MOVSB,
 * PUSH/POP and SETC; data at 0x3000 (two pages, the stack at their top);
 * ends with INT 0x80.
 */
export function mixedLoop(iterations: number): string {
  return `
  mov esp, ${DATA + 0x2000}
  mov ecx, ${iterations}
  mov esi, ${DATA}
  xor eax, eax
  xor edx, edx
1:
  mov ebx, [esi]
  add ebx, ecx
  mov [esi+4], ebx
  add eax, ebx
  adc edx, 0
  cmp ecx, ${iterations / 2}
  jb 2f
  shl ebx, 3
  sar ebx, cl
  imul ebx, ecx
  xor eax, ebx
2:
  call 3f
  lea edi, [esi+16]
  push ecx
  mov ecx, 4
  cld
  rep movsb
  sub esi, 4
  pop ecx
  setc bl
  movzx ebx, bl
  add [esi+8], ebx
  dec ecx
  jnz 1b
  int 0x80
3:
  rol eax, 5
  ret
`;
}

/**
 * A loop of `iterations` that rewrites the immediate of its own
 * `add eax, imm32` every iteration (code placed at `code`); ends with INT 0x80.
 */
export function selfPatchingLoop(iterations: number, code: number): string {
  return `
  start:
    mov ecx, ${iterations}
    xor eax, eax
  1:
  patch: add eax, 0x11111111
    mov [patch - start + ${code} + 1], ecx
    dec ecx
    jnz 1b
    int 0x80
  `;
}
