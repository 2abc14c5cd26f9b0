# BSF BSR (16/32-bit, register and memory source) over every single-bit
# value and mixed values, and BSWAP on every register.
# BSF/BSR (SDM): "If the content of the source operand is 0, the content of
# the destination operand is undefined" -> result masked for source 0;
# "The ZF flag is set to 1 if the source operand is all 0s; otherwise, the
# ZF flag is cleared. The CF, OF, SF, AF, and PF flags are undefined."
# -> only ZF printed.   BSWAP: no flag affected -> all printed.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_src:
        .long 32 + 14
        .set .Lv, 0
        .rept 32
        .long 1 << .Lv
        .set .Lv, .Lv + 1
        .endr
        .long 0, 3, 0xffffffff, 0x80000001, 0x00f000f0, 0x12345678, 0xfffe0000
        .long 0x0000fffe, 0x7fff8000, 0x00018000, 0xffff0000, 0x0000ffff, 0x10000, 0x8000
tab_dst: .long 2, 0x77777777, 0xfedcba98
        .text

        .balign 4
m_bs32: movl $FL_ZF, %edx
        testl %ebx, %ebx
        jnz 1f
        orl $M_RUNDEF, %edx
1:      ret
        .balign 4
m_bs16: movl $FL_ZF, %edx
        testw %bx, %bx
        jnz 1f
        orl $M_RUNDEF, %edx
1:      ret

.macro GEN op
SB .L\op\()32r
        \op\()l %ebx, %eax
        SE
        .balign 4
.L\op\()32m:
        movl %ebx, mslot
        pushl %edx
        popfl
        \op\()l mslot, %eax
        SE
        .balign 4
.L\op\()32o:                            # other registers
        movl %eax, %edi
        movl %ebx, %esi
        pushl %edx
        popfl
        \op\()l %esi, %edi
        pushfl
        popl %edx
        movl %edi, %eax
        ret
SB .L\op\()16r
        \op\()w %bx, %ax
        SE
        .balign 4
.L\op\()16m:
        movl %ebx, mslot
        pushl %edx
        popfl
        \op\()w mslot, %ax
        SE
        STUBS l_\op\()32, .L\op\()32r, .L\op\()32m, .L\op\()32o
        STUBS l_\op\()16, .L\op\()16r, .L\op\()16m
.endm
        GEN bsf
        GEN bsr

SB s_bswap_eax
        bswap %eax
        SE
.macro BSW reg
        .balign 4
s_bswap_\reg:
        pushl %ebp
        movl %eax, %\reg
        pushl %edx
        popfl
        bswap %\reg
        pushfl
        popl %edx
        movl %\reg, %eax
        popl %ebp
        ret
.endm
        .irp r, ecx, ebx, ebp, esi, edi
        BSW \r
        .endr
        .balign 4
s_bswap_edx:                            # edx carries the flags: use the stack
        pushl %edx
        movl %eax, %edx
        bswap %edx
        movl %edx, %eax
        popl %edx
        pushl %edx
        popfl
        bswap %eax
        bswap %eax
        SE
        STUBS l_bswap, s_bswap_eax, s_bswap_ecx, s_bswap_edx, s_bswap_ebx, s_bswap_ebp, s_bswap_esi, s_bswap_edi
        CMASK m_bswap, (FL_ALL | M_BUNDEF)  # (the stubs use ebx as scratch)

        .globl _start
_start:
        TEST "bsf32", l_bsf32, tab_dst, tab_src, fl2, m_bs32
        TEST "bsr32", l_bsr32, tab_dst, tab_src, fl2, m_bs32
        TEST "bsf16", l_bsf16, tab_dst, tab_src, fl2, m_bs16
        TEST "bsr16", l_bsr16, tab_dst, tab_src, fl2, m_bs16
        TEST "bswap", l_bswap, tab_src, tab_zero, fl2, m_bswap
        EXIT 0
