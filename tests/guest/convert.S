# Sign/zero extension: CBW CWDE CWD CDQ, MOVZX and MOVSX (8->16, 8->32,
# 16->32) from registers (incl. BH), memory, and into other registers.
# No flag is affected by any of them -> all six printed.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_dst: .long 1, 0x5555aaaa
        .text

SB s_cbw
        cbtw
        SE
SB s_cwde
        cwtl
        SE
.macro WIDE name, insn
        .balign 4
\name:  pushl %edx
        movl $0x7777abcd, %edx
        popfl
        \insn
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
.endm
        WIDE s_cwd, cwtd
        WIDE s_cdq, cltd
        STUBS l_cbw, s_cbw
        STUBS l_cwde, s_cwde
        STUBS l_cwd, s_cwd
        STUBS l_cdq, s_cdq

# MOVZX/MOVSX: source = B, destination initially A
.macro MX insn, sreg, dreg, msfx, hreg
SB .L\insn\()r
        \insn \sreg, \dreg
        SE
        .balign 4
.L\insn\()m:
        movl %ebx, mslot
        pushl %edx
        popfl
        \insn\msfx mslot, \dreg
        SE
        .balign 4
.L\insn\()o:                            # into esi/si
        movl %eax, %esi
        pushl %edx
        popfl
        .ifc \dreg,%eax
        \insn \sreg, %esi
        .else
        \insn \sreg, %si
        .endif
        pushfl
        popl %edx
        movl %esi, %eax
        ret
        .ifnb \hreg
        .balign 4
.L\insn\()h:                            # from the high byte register
        xchgb %bl, %bh
        pushl %edx
        popfl
        \insn \hreg, \dreg
        pushfl
        popl %edx
        xchgb %bl, %bh
        ret
        STUBS l_\insn, .L\insn\()r, .L\insn\()m, .L\insn\()o, .L\insn\()h
        .else
        STUBS l_\insn, .L\insn\()r, .L\insn\()m, .L\insn\()o
        .endif
.endm
        MX movzbl, %bl, %eax, , %bh
        MX movzbw, %bl, %ax, , %bh
        MX movzwl, %bx, %eax
        MX movsbl, %bl, %eax, , %bh
        MX movsbw, %bl, %ax, , %bh
        MX movswl, %bx, %eax

        .globl _start
_start:
        TEST "cbw", l_cbw, vals8all, tab_zero, fl1, mask_all
        TEST "cwde", l_cwde, vals16, tab_zero, fl1, mask_all
        TEST "cwde", l_cwde, vals8all, tab_zero, fl1, mask_all
        TEST "cwd", l_cwd, vals16, tab_zero, fl2, mask_all
        TEST "cdq", l_cdq, vals32, tab_zero, fl2, mask_all
        TEST "movzbl", l_movzbl, tab_dst, vals8all, fl1, mask_all
        TEST "movzbw", l_movzbw, tab_dst, vals8all, fl1, mask_all
        TEST "movzwl", l_movzwl, tab_dst, vals16, fl2, mask_all
        TEST "movsbl", l_movsbl, tab_dst, vals8all, fl1, mask_all
        TEST "movsbw", l_movsbw, tab_dst, vals8all, fl1, mask_all
        TEST "movswl", l_movswl, tab_dst, vals16, fl2, mask_all
        EXIT 0
