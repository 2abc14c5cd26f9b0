# MUL and IMUL in all forms: one-operand 8/16/32 (AX / DX:AX / EDX:EAX),
# two-operand 16/32, three-operand with imm8 (6B) and imm16/32 (69), on
# register and memory sources, flags in all-clear and all-set.
# Flags: SDM MUL "The OF and CF flags are set to 0 if the upper half of the
# result is 0; otherwise, they are set to 1. The SF, ZF, AF, and PF flags
# are undefined."  SDM IMUL: "For the one operand form ... CF and OF ...
# For the two- and three-operand forms ... The SF, ZF, AF, and PF flags are
# undefined."  -> only CF and OF printed (mask_cfof).
        .include "asmlib.inc"

# one-operand forms: result lo in eax, hi (DX/EDX, upper junk kept) in ebx
.macro ONE op, sfx, breg, extra=, junk=0x7777abcd
        .balign 4
.L\op\sfx\()r:
        pushl %edx
        movl $\junk, %edx
        popfl
        \op\sfx \breg
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\sfx\()m:
        movl %ebx, mslot
        pushl %edx
        movl $\junk, %edx
        popfl
        \op\sfx mslot
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\sfx\()c:                          # source in another register
        movl %ebx, %esi
        pushl %edx
        movl $\junk, %edx
        popfl
        .ifc \sfx,l
        \op\sfx %esi
        .endif
        .ifc \sfx,w
        \op\sfx %si
        .endif
        .ifc \sfx,b
        movl %ebx, %ecx
        \op\sfx %cl
        .endif
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .ifb \extra
        STUBS l_\op\sfx, .L\op\sfx\()r, .L\op\sfx\()m, .L\op\sfx\()c
        .else
        STUBS l_\op\sfx, .L\op\sfx\()r, .L\op\sfx\()m, .L\op\sfx\()c, \extra
        .endif
.endm
        ONE mul, l, %ebx
        ONE mul, w, %bx
        ONE mul, b, %bl, .Lmulbh
        ONE imul, l, %ebx
        ONE imul, w, %bx
        ONE imul, b, %bl

# 8-bit with BH as source
        .balign 4
.Lmulbh:
        xchgb %bl, %bh
        pushl %edx
        movl $0x7777abcd, %edx
        popfl
        mulb %bh
        pushfl
        movl %edx, %ebx
        popl %edx
        ret

# two-operand imul
.macro TWO sfx, ra, rb
SB .Limul2\sfx\()r
        imul\sfx \rb, \ra
        SE
        .balign 4
.Limul2\sfx\()m:
        movl %ebx, mslot
        pushl %edx
        popfl
        imul\sfx mslot, \ra
        SE
        STUBS l_imul2\sfx, .Limul2\sfx\()r, .Limul2\sfx\()m
.endm
        TWO l, %eax, %ebx
        TWO w, %ax, %bx

# three-operand imul: eax = src * imm (dest ecx, then copied to eax; the
# 16-bit form keeps the upper half of ecx = upper half of eax)
.macro THREE32 imm
        .text 1
        .balign 4
.La\@:  movl %eax, %ecx
        pushl %edx
        popfl
        imull $\imm, %eax, %ecx
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Lb\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x69, 0xc8                # imul ecx, eax, imm32
        .long \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Lc\@:  movl %eax, mslot
        pushl %edx
        popfl
        imull $\imm, mslot, %eax
        SE
        .section .rodata
        .balign 4
.Li\@:  .long 1, \imm
        STUBS .Ll\@, .La\@, .Lb\@, .Lc\@
        TEST "imul3_32", .Ll\@, vals32, .Li\@, fl2, mask_cfof
.endm
.macro THREE16 imm
        .text 1
        .balign 4
.La\@:  movl %eax, %ecx
        pushl %edx
        popfl
        imulw $\imm, %ax, %cx
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Lb\@:  movl %eax, %ecx
        pushl %edx
        popfl
        .byte 0x66, 0x69, 0xc8          # imul cx, ax, imm16
        .word \imm
        pushfl
        popl %edx
        movl %ecx, %eax
        ret
        .balign 4
.Lc\@:  movl %eax, mslot
        pushl %edx
        popfl
        imulw $\imm, mslot, %ax
        SE
        .section .rodata
        .balign 4
.Li\@:  .long 1, (\imm) & 0xffff
        STUBS .Ll\@, .La\@, .Lb\@, .Lc\@
        TEST "imul3_16", .Ll\@, vals16, .Li\@, fl2, mask_cfof
.endm

        .text
        .globl _start
_start:
        TEST "mul32", l_mull, vals32, vals32, fl2, mask_cfof
        TEST "mul16", l_mulw, vals16, vals16, fl2, mask_cfof
        TEST "mul8", l_mulb, vals8, vals8, fl2, mask_cfof
        TEST "imul32", l_imull, vals32, vals32, fl2, mask_cfof
        TEST "imul16", l_imulw, vals16, vals16, fl2, mask_cfof
        TEST "imul8", l_imulb, vals8, vals8, fl2, mask_cfof
        TEST "imul2_32", l_imul2l, vals32, vals32, fl2, mask_cfof
        TEST "imul2_16", l_imul2w, vals16, vals16, fl2, mask_cfof
        .irp imm, 0, 1, -1, 2, 3, 0x7f, -0x80, 0x100, 0x7fffffff, -0x80000000, 0x12345
        THREE32 \imm
        .endr
        .irp imm, 0, 1, -1, 3, 0x7f, -0x80, 0x7fff, -0x8000, 0x1234
        THREE16 \imm
        .endr
        EXIT 0
