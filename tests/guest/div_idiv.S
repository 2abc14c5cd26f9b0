# DIV and IDIV on 8-bit (AX / r8), 16-bit (DX:AX / r16) and 32-bit
# (EDX:EAX / r32) operands; register, other-register and memory divisors.
# Cases that would raise #DE (divide by zero, quotient overflow) are skipped
# (the mask function returns M_SKIP, computed conservatively).
# Flags: SDM DIV/IDIV "The CF, OF, SF, ZF, AF, and PF flags are undefined."
# -> no flag printed (masks have no flag bit).  Quotient in eax, remainder
# (with the untouched upper bits of EDX/AH) in the second column.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
divd16: .long 12                        # AX dividends, junk above
        .irp v, 0x0000,0x0001,0x0007,0x00ff,0x0100,0x1234,0x7fff,0x8000,0x8001,0xfffe,0xffff,0x0a0b
        .long 0x5a3c0000 + \v
        .endr
        .section .data
g_hi:   .long 0
g_cdq:  .long 0
        .text

# ---- mask functions (eax = dividend info, ebx = divisor) ----
        .balign 4
m_div8: movzbl %bl, %ecx                # divisor
        testl %ecx, %ecx
        jz 9f
        movzbl %ah, %edx                # quotient fits iff AH < divisor
        cmpl %ecx, %edx
        jae 9f
        xorl %edx, %edx
        ret
9:      movl $M_SKIP, %edx
        ret

        .balign 4
m_div16:
        movzwl %bx, %ecx
        testl %ecx, %ecx
        jz 9f
        movl %eax, %edx
        shrl $16, %edx                  # DX
        cmpl %ecx, %edx
        jae 9f
        xorl %edx, %edx
        ret
9:      movl $M_SKIP, %edx
        ret

        .balign 4
m_div32:
        testl %ebx, %ebx
        jz 9f
        cmpl %ebx, g_hi
        jae 9f
        xorl %edx, %edx
        ret
9:      movl $M_SKIP, %edx
        ret

        .balign 4
m_idiv8:
        pushl %eax
        movsbl %bl, %ecx
        testl %ecx, %ecx
        jz 9f
        cwtl                            # eax = (int16)AX
        cltd
        idivl %ecx                      # cannot overflow in 32 bits
        cmpl $-128, %eax
        jl 9f
        cmpl $127, %eax
        jg 9f
        popl %eax
        xorl %edx, %edx
        ret
9:      popl %eax
        movl $M_SKIP, %edx
        ret

        .balign 4
m_idiv16:
        pushl %eax
        movswl %bx, %ecx
        testl %ecx, %ecx
        jz 9f
        cmpl $-1, %ecx
        jne 1f
        cmpl $0x80000000, %eax
        je 9f
1:      cltd
        idivl %ecx
        cmpl $-32768, %eax
        jl 9f
        cmpl $32767, %eax
        jg 9f
        popl %eax
        xorl %edx, %edx
        ret
9:      popl %eax
        movl $M_SKIP, %edx
        ret

        .balign 4
m_idiv32:                               # g_cdq=1: EDX = sign of EAX
        cmpl $1, g_cdq                  # else g_hi = 0 (|d| >= 2 needed)
        jne 1f                          #   or in -16..16 (|d| >= 64 needed)
        testl %ebx, %ebx
        jz 9f
        cmpl $-1, %ebx
        jne 8f
        cmpl $0x80000000, %eax
        je 9f
8:      xorl %edx, %edx
        ret
1:      movl %ebx, %ecx                 # ecx = |d| (0x80000000 stays)
        testl %ecx, %ecx
        jns 2f
        negl %ecx
2:      movl $2, %edx
        cmpl $0, g_hi
        je 3f
        movl $64, %edx
3:      cmpl %edx, %ecx
        jb 9f
        xorl %edx, %edx
        ret
9:      movl $M_SKIP, %edx
        ret

# ---- stubs: quotient -> eax, remainder/high register -> ebx ----
.macro DIV8 op
SB .L\op\()8r
        \op\()b %bl
        SE
        .balign 4
.L\op\()8m:
        movl %ebx, mslot
        pushl %edx
        popfl
        \op\()b mslot
        SE
        .balign 4
.L\op\()8h:
        xchgb %bl, %bh
        pushl %edx
        popfl
        \op\()b %bh
        pushfl
        popl %edx
        xchgb %bl, %bh
        ret
        STUBS l_\op\()8, .L\op\()8r, .L\op\()8m, .L\op\()8h
.endm

.macro DIV16 op
        .balign 4
.L\op\()16r:
        pushl %edx
        movl %eax, %edx
        shrl $16, %edx
        orl $0x77770000, %edx
        popfl
        \op\()w %bx
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\()16m:
        movl %ebx, mslot
        pushl %edx
        movl %eax, %edx
        shrl $16, %edx
        orl $0x77770000, %edx
        popfl
        \op\()w mslot
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\()16c:
        pushl %edx
        movl %eax, %edx
        shrl $16, %edx
        orl $0x77770000, %edx
        popfl
        \op\()w %cx
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        STUBS l_\op\()16, .L\op\()16r, .L\op\()16m, .L\op\()16c
.endm

.macro HI32
        movl g_hi, %edx
        cmpl $1, g_cdq
        jne 1f
        cltd
1:
.endm
.macro DIV32 op
        .balign 4
.L\op\()32r:
        pushl %edx
        HI32
        popfl
        \op\()l %ebx
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\()32m:
        movl %ebx, mslot
        pushl %edx
        HI32
        popfl
        \op\()l mslot
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        .balign 4
.L\op\()32c:
        pushl %edx
        HI32
        popfl
        \op\()l %ecx
        pushfl
        movl %edx, %ebx
        popl %edx
        ret
        STUBS l_\op\()32, .L\op\()32r, .L\op\()32m, .L\op\()32c
.endm

        DIV8 div
        DIV8 idiv
        DIV16 div
        DIV16 idiv
        DIV32 div
        DIV32 idiv

.macro RUN32 hi, cdq=0, idiv=1
        movl $\hi, g_hi
        movl $\cdq, g_cdq
        .if \cdq == 0
        TEST "div32 hi=\hi", l_div32, vals32, vals32, fl1, m_div32
        .endif
        .if \idiv
        TEST "idiv32 hi=\hi cdq=\cdq", l_idiv32, vals32, vals32, fl1, m_idiv32
        .endif
.endm

        .globl _start
_start:
        TEST "div8", l_div8, divd16, vals8, fl2, m_div8
        TEST "idiv8", l_idiv8, divd16, vals8, fl2, m_idiv8
        TEST "div16", l_div16, vals32, vals16, fl2, m_div16
        TEST "idiv16", l_idiv16, vals32, vals16, fl2, m_idiv16
        RUN32 0, 1
        RUN32 0
        RUN32 1
        RUN32 0x7fffffff, 0, 0
        RUN32 0xfffffffe
        RUN32 0x0000000f
        RUN32 0xfffffff0
        EXIT 0
