# ADD ADC SUB SBB CMP on 8/16/32-bit operands over edge values, with the
# flags in both all-clear and all-set (so CF in = 0 and 1 for ADC/SBB).
# Forms compared with reg,reg: mem,reg and reg,mem (and AH,BH for 8-bit).
# All six status flags are defined for these instructions (SDM: "The OF,
# SF, ZF, AF, CF, and PF flags are set according to the result").
        .include "asmlib.inc"

.macro GEN op, sfx, ra, rb
SB s_\op\sfx\()_rr
        \op\sfx \rb, \ra
        SE
        .balign 4
s_\op\sfx\()_mr:
        movl %eax, mslot
        pushl %edx
        popfl
        \op\sfx \rb, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
s_\op\sfx\()_rm:
        movl %ebx, mslot
        pushl %edx
        popfl
        \op\sfx mslot, \ra
        pushfl
        popl %edx
        ret
.endm

.macro GENH op                          # high-byte registers
        .balign 4
s_\op\()b_hh:
        xchgb %al, %ah
        xchgb %bl, %bh
        pushl %edx
        popfl
        \op\()b %bh, %ah
        pushfl
        popl %edx
        xchgb %al, %ah
        xchgb %bl, %bh
        ret
.endm

        .irp op, add, adc, sub, sbb, cmp
        GEN \op, l, %eax, %ebx
        GEN \op, w, %ax, %bx
        GEN \op, b, %al, %bl
        GENH \op
        STUBS l_\op\()l, s_\op\()l_rr, s_\op\()l_mr, s_\op\()l_rm
        STUBS l_\op\()w, s_\op\()w_rr, s_\op\()w_mr, s_\op\()w_rm
        STUBS l_\op\()b, s_\op\()b_rr, s_\op\()b_mr, s_\op\()b_rm, s_\op\()b_hh
        .endr

        .globl _start
_start:
        .irp op, add, adc, sub, sbb, cmp
        TEST "\op\()32", l_\op\()l, vals32, vals32, fl2, mask_all
        TEST "\op\()16", l_\op\()w, vals16, vals16, fl2, mask_all
        TEST "\op\()8", l_\op\()b, vals8, vals8, fl2, mask_all
        .endr
        EXIT 0
