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

/**
 * Nested loops whose outer loop enters the inner one now and then in its
 * middle through an indirect jump (a dispatch into a loop's body), with
 * flags read in another block than the one that set them (CMP, then a JMP,
 * then JAE; TEST + JZ, then ADC). Ends with INT 0x80.
 */
export function nestedLoops(iterations: number): string {
  return `
  mov esp, ${DATA + 0x2000}
  call 9f
9:
  pop esi
  add esi, 5f - 9b
  xor eax, eax
  xor edx, edx
  mov edi, ${iterations}
1:
  mov ecx, 20
  test edi, 3
  jnz 2f
  mov ecx, 5
  jmp esi
2:
  add eax, ecx
  test eax, 1
  jz 3f
  adc edx, 0
  jmp 4f
3:
  add eax, 7
4:
  xor eax, edx
5:
  sub ecx, 1
  ja 2b
  cmp edi, ${iterations >> 1}
  jmp 6f
6:
  jae 7f
  rol eax, 3
7:
  dec edi
  jnz 1b
  int 0x80
`;
}
