# Immediate forms of the group-1 ALU instructions (ADD OR ADC SBB AND SUB
# XOR CMP) and TEST, for 8/16/32-bit operands.  Every encoding is compared
# with the first one: the short AL/AX/EAX forms (04/05..3D, A8/A9), the
# 80/81 full-immediate forms, 83 (sign-extended imm8), the 82 alias of 80
# (valid outside 64-bit mode), memory operands and AH as 8-bit register.
# Flags: arithmetic ops define all six status flags; for AND/OR/XOR/TEST
# SDM: "The state of the AF flag is undefined" -> mask_noaf.
        .include "asmlib.inc"

        .text 1
.macro IMM32 op, ext, imm, mask
        .text 1
        .balign 4
.La\@:  pushl %edx
        popfl
        \op\()l $\imm, %eax
        SE
        .balign 4
.Lb\@:  pushl %edx
        popfl
        .byte 0x05 + (\ext << 3)
        .long \imm
        SE
        .balign 4
.Lc\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x81, 0xc1 | (\ext << 3)
        .long \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Ld\@:
        .if (\imm >= -128) && (\imm <= 127)
        movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x83, 0xc1 | (\ext << 3), (\imm) & 0xff
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .else
        movl $-1, %edx
        ret
        .endif
        .balign 4
.Le\@:  movl %eax, mslot
        pushl %edx
        popfl
        \op\()l $\imm, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .section .rodata
        .balign 4
.Li\@:  .long 1, \imm
        .long 0
        STUBS .Ll\@, .La\@, .Lb\@, .Lc\@, .Ld\@, .Le\@
        TEST "\op\()32", .Ll\@, vals32, .Li\@, fl2, \mask
.endm

.macro IMM16 op, ext, imm, mask
        .text 1
        .balign 4
.La\@:  pushl %edx
        popfl
        .byte 0x66, 0x05 + (\ext << 3)
        .word \imm
        SE
        .balign 4
.Lc\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x66, 0x81, 0xc1 | (\ext << 3)
        .word \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Ld\@:
        .if (\imm >= -128) && (\imm <= 127)
        movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x66, 0x83, 0xc1 | (\ext << 3), (\imm) & 0xff
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .else
        movl $-1, %edx
        ret
        .endif
        .balign 4
.Le\@:  movl %eax, mslot
        pushl %edx
        popfl
        \op\()w $\imm, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .section .rodata
        .balign 4
.Li\@:  .long 1, (\imm) & 0xffff
        STUBS .Ll\@, .La\@, .Lc\@, .Ld\@, .Le\@
        TEST "\op\()16", .Ll\@, vals16, .Li\@, fl2, \mask
.endm

.macro IMM8 op, ext, imm, mask
        .text 1
        .balign 4
.La\@:  pushl %edx
        popfl
        .byte 0x04 + (\ext << 3), \imm
        SE
        .balign 4
.Lb\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x80, 0xc1 | (\ext << 3), \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Lc\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x82, 0xc1 | (\ext << 3), \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Ld\@:  movl %eax, mslot
        pushl %edx
        popfl
        \op\()b $\imm, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.Le\@:  xchgb %al, %ah
        pushl %edx
        popfl
        .byte 0x80, 0xc4 | (\ext << 3), \imm
        pushfl
        popl %edx
        xchgb %al, %ah
        ret
        .section .rodata
        .balign 4
.Li\@:  .long 1, \imm
        STUBS .Ll\@, .La\@, .Lb\@, .Lc\@, .Ld\@, .Le\@
        TEST "\op\()8", .Ll\@, vals8, .Li\@, fl2, \mask
.endm

.macro ALLIMM op, ext, mask
        .irp imm, 0, 1, -1, 0x7f, -0x80, 0x80, 0xff, 0x7fffffff, -0x80000000, 0x12345678
        IMM32 \op, \ext, \imm, \mask
        .endr
        .irp imm, 0, 1, 0x7f, -0x80, 0x80, 0x7fff, -0x8000, -1, 0x1234
        IMM16 \op, \ext, \imm, \mask
        .endr
        .irp imm, 0, 1, 0x7f, 0x80, 0xff, 0x5a
        IMM8 \op, \ext, \imm, \mask
        .endr
.endm

# TEST reg/mem, imm: A8 ib, A9 id, F6 /0 ib, F7 /0 id, mem
.macro TESTIMM imm32, imm8
        .text 1
        .balign 4
.La\@:  pushl %edx
        popfl
        .byte 0xa9
        .long \imm32
        SE
        .balign 4
.Lb\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0xf7, 0xc1
        .long \imm32
        SE
        .balign 4
.Lc\@:  movl %eax, mslot
        pushl %edx
        popfl
        testl $\imm32, mslot
        SE
        .balign 4
.Ld\@:  pushl %edx
        popfl
        .byte 0xa8, \imm8
        SE
        .balign 4
.Le\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0xf6, 0xc1, \imm8
        SE
        .balign 4
.Lf\@:  movl %eax, mslot
        pushl %edx
        popfl
        testb $\imm8, mslot
        SE
        .balign 4
.Lg\@:  pushl %edx
        popfl
        testw $(\imm32 & 0xffff), %ax
        SE
        .balign 4
.Lh\@:  movl %eax, mslot
        pushl %edx
        popfl
        testw $(\imm32 & 0xffff), mslot
        SE
        .section .rodata
        .balign 4
.Li\@:  .long 1, \imm32
.Lj\@:  .long 1, \imm8
.Lk\@:  .long 1, \imm32 & 0xffff
        STUBS .Ll\@, .La\@, .Lb\@, .Lc\@
        STUBS .Lm\@, .Ld\@, .Le\@, .Lf\@
        STUBS .Ln\@, .Lg\@, .Lh\@
        TEST "test32", .Ll\@, vals32, .Li\@, fl2, mask_noaf
        TEST "test16", .Ln\@, vals16, .Lk\@, fl2, mask_noaf
        TEST "test8", .Lm\@, vals8, .Lj\@, fl2, mask_noaf
.endm

        .text
        .globl _start
_start:
        ALLIMM add, 0, mask_all
        ALLIMM or,  1, mask_noaf
        ALLIMM adc, 2, mask_all
        ALLIMM sbb, 3, mask_all
        ALLIMM and, 4, mask_noaf
        ALLIMM sub, 5, mask_all
        ALLIMM xor, 6, mask_noaf
        ALLIMM cmp, 7, mask_all
        TESTIMM 0, 0
        TESTIMM 1, 1
        TESTIMM 0x80, 0x80
        TESTIMM 0x80000000, 0x7f
        TESTIMM 0xffffffff, 0xff
        TESTIMM 0x00ff00ff, 0x55
        EXIT 0
