# SHLD SHRD (double-precision shifts) on 16/32-bit operands by every count
# 0..33 (and 63, 64, 255), for three source values, flags in all-clear and
# all-set.  Forms compared: reg by CL (printed), reg by imm8, mem by CL,
# mem by imm8.
# Flags/result (SDM SHLD/SHRD): "If the count operand is 0, the flags are
# not affected."  "If the count is 1 or greater, the CF flag is filled with
# the last bit shifted out ... and the SF, ZF, and PF flags are set ... For a
# 1-bit shift, the OF flag is set if a sign change occurred ... For shifts
# greater than 1 bit, the OF flag is undefined. If a shift occurs, the AF
# flag is undefined. ... If the count is greater than the operand size, the
# flags are undefined" and "the result in the destination operand is
# undefined" (only possible for 16-bit operands: masked count 17..31) ->
# result and all flags masked there.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_counts:
        .long 37
        .long 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16
        .long 17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,63,64,255
valsS:  .long 6, 0, 1, 0x80000001, 0xffffffff, 0x12345678, 0x7fff8000
        .section .data
g_src:  .long 0
        .text

.macro SDMASK name, width
        .balign 4
\name:  movl %ebx, %edx
        andl $31, %edx
        jnz 1f
        movl $FL_ALL, %edx
        ret
1:      cmpl $\width, %edx
        jbe 2f
        movl $M_RUNDEF, %edx
        ret
2:      cmpl $1, %edx
        jne 3f
        movl $FL_NOAF, %edx
        ret
3:      movl $(FL_SF|FL_ZF|FL_PF|FL_CF), %edx
        ret
.endm
        SDMASK m_sd16, 16
        SDMASK m_sd32, 32

# op: shld/shrd  opi: 0xa4/0xac (imm8 form), opcl: 0xa5/0xad
.macro GEN op, opi, bits, sfx, reg, sreg, p66
SB .L\op\bits\()cl
        movl g_src, %esi
        \op\sfx %cl, \sreg, \reg
        SE
        .balign 4
.L\op\bits\()imm:
        movl g_src, %esi
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,63,64,255
        cmpl $\n, %ebx
        jne 1f
        pushl %edx
        popfl
        .if \p66
        .byte 0x66
        .endif
        .byte 0x0f, \opi, 0xf0, \n      # modrm: reg=esi, rm=eax
        SE
1:
        .endr
        movl $-1, %edx
        ret
        .balign 4
.L\op\bits\()mcl:
        movl g_src, %esi
        movl %eax, mslot
        pushl %edx
        popfl
        \op\sfx %cl, \sreg, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.L\op\bits\()mimm:
        cmpl $16, %ebx
        jne 1f
        movl g_src, %esi
        movl %eax, mslot
        pushl %edx
        popfl
        \op\sfx $16, \sreg, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
1:      cmpl $5, %ebx
        jne 2f
        movl g_src, %esi
        movl %eax, mslot
        pushl %edx
        popfl
        \op\sfx $5, \sreg, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
2:      movl $-1, %edx
        ret
        STUBS l_\op\bits, .L\op\bits\()cl, .L\op\bits\()imm, .L\op\bits\()mcl, .L\op\bits\()mimm
.endm

        GEN shld, 0xa4, 32, l, %eax, %esi, 0
        GEN shld, 0xa4, 16, w, %ax, %si, 1
        GEN shrd, 0xac, 32, l, %eax, %esi, 0
        GEN shrd, 0xac, 16, w, %ax, %si, 1

.macro RUN src
        movl $\src, g_src
        TEST "shld32 src=\src", l_shld32, valsS, tab_counts, fl2, m_sd32
        TEST "shrd32 src=\src", l_shrd32, valsS, tab_counts, fl2, m_sd32
        TEST "shld16 src=\src", l_shld16, valsS, tab_counts, fl2, m_sd16
        TEST "shrd16 src=\src", l_shrd16, valsS, tab_counts, fl2, m_sd16
.endm

        .globl _start
_start:
        RUN 0x00000000
        RUN 0xffffffff
        RUN 0x9abcdef1
        EXIT 0
