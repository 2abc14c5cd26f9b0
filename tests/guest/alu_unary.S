# INC DEC NEG NOT on 8-bit (every value), 16 and 32-bit operands, flags in
# all-clear and all-set.  Forms compared: short 40+r/48+r, FF/FE group
# encodings, another register, AH, memory, LOCK-prefixed memory.
# Flags, SDM: INC/DEC "The CF flag is not affected. The OF, SF, ZF, AF, and
# PF flags are set according to the result."  NEG: "The CF flag set to 0 if
# the source operand is 0; otherwise it is set to 1. The OF, SF, ZF, AF, and
# PF flags are set according to the result."  NOT: "None" affected.  So all
# six status flags are defined (mask_all) for all four.
        .include "asmlib.inc"

.macro GEN op, opc, ext32
# 32-bit
SB .L\op\()32a
        \op\()l %eax
        SE
SB .L\op\()32b
        .byte \opc, 0xc0 | (\ext32 << 3)
        SE
        .balign 4
.L\op\()32c:
        movl %eax, %esi
        pushl %edx
        popfl
        \op\()l %esi
        pushfl
        popl %edx
        movl %esi, %eax
        ret
        .balign 4
.L\op\()32d:
        movl %eax, mslot
        pushl %edx
        popfl
        \op\()l mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.L\op\()32e:
        movl %eax, mslot
        pushl %edx
        popfl
        lock \op\()l mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
# 16-bit
SB .L\op\()16a
        \op\()w %ax
        SE
SB .L\op\()16b
        .byte 0x66, \opc, 0xc0 | (\ext32 << 3)
        SE
        .balign 4
.L\op\()16c:
        movl %eax, mslot
        pushl %edx
        popfl
        \op\()w mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
# 8-bit
SB .L\op\()8a
        \op\()b %al
        SE
        .balign 4
.L\op\()8b:
        xchgb %al, %ah
        pushl %edx
        popfl
        \op\()b %ah
        pushfl
        popl %edx
        xchgb %al, %ah
        ret
        .balign 4
.L\op\()8c:
        movl %eax, mslot
        pushl %edx
        popfl
        \op\()b mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.L\op\()8d:
        movl %eax, mslot
        pushl %edx
        popfl
        lock \op\()b mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        STUBS l_\op\()32, .L\op\()32a, .L\op\()32b, .L\op\()32c, .L\op\()32d, .L\op\()32e
        STUBS l_\op\()16, .L\op\()16a, .L\op\()16b, .L\op\()16c
        STUBS l_\op\()8, .L\op\()8a, .L\op\()8b, .L\op\()8c, .L\op\()8d
.endm

        GEN inc, 0xff, 0
        GEN dec, 0xff, 1
        GEN not, 0xf7, 2
        GEN neg, 0xf7, 3

        .globl _start
_start:
        .irp op, inc, dec, neg, not
        TEST "\op\()32", l_\op\()32, vals32, tab_zero, fl2, mask_all
        TEST "\op\()16", l_\op\()16, vals16, tab_zero, fl2, mask_all
        TEST "\op\()8", l_\op\()8, vals8all, tab_zero, fl2, mask_all
        .endr
        EXIT 0
