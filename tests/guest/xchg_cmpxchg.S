# XCHG, XADD, CMPXCHG (8/16/32) and CMPXCHG8B, register and memory forms,
# with and without LOCK.  XCHG affects no flag; XADD and CMPXCHG set all six
# status flags like ADD / CMP; CMPXCHG8B sets ZF and leaves the others
# unaffected (SDM: "The CF, PF, AF, SF, and OF flags are unaffected.") ->
# all six printed everywhere.
# CMPXCHG: EAX/AX/AL = A, destination = B, source = 0xcafef00d.
        .include "asmlib.inc"

# ---------------- XCHG
SB .Lx32a
        xchgl %ebx, %eax                # 93
        SE
SB .Lx32b
        .byte 0x87, 0xd8                # 87 /r xchg eax, ebx
        SE
        .balign 4
.Lx32c: movl %eax, mslot
        pushl %edx
        popfl
        xchgl %ebx, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.Lx32d: movl %eax, mslot
        pushl %edx
        popfl
        lock xchgl mslot, %ebx
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.Lx32e: movl %ebx, %esi                 # 96: xchg esi, eax
        pushl %edx
        popfl
        xchgl %esi, %eax
        pushfl
        popl %edx
        movl %esi, %ebx
        ret
SB .Lx16a
        xchgw %bx, %ax
        SE
        .balign 4
.Lx16b: movl %eax, mslot
        pushl %edx
        popfl
        xchgw %bx, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
SB .Lx8a
        xchgb %bl, %al
        SE
        .balign 4
.Lx8b:  movl %eax, mslot
        pushl %edx
        popfl
        xchgb mslot, %bl
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.Lx8c:  xchgb %al, %ah                  # via AH and BH
        xchgb %bl, %bh
        pushl %edx
        popfl
        xchgb %bh, %ah
        pushfl
        popl %edx
        xchgb %al, %ah
        xchgb %bl, %bh
        ret
        STUBS l_x32, .Lx32a, .Lx32b, .Lx32c, .Lx32d, .Lx32e
        STUBS l_x16, .Lx16a, .Lx16b
        STUBS l_x8, .Lx8a, .Lx8b, .Lx8c

# ---------------- XADD
.macro XADD sfx, ra, rb
SB .Lxa\sfx\()a
        xadd\sfx \rb, \ra
        SE
        .balign 4
.Lxa\sfx\()b:
        movl %eax, mslot
        pushl %edx
        popfl
        xadd\sfx \rb, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        .balign 4
.Lxa\sfx\()c:
        movl %eax, mslot
        pushl %edx
        popfl
        lock xadd\sfx \rb, mslot
        pushfl
        popl %edx
        movl mslot, %eax
        ret
        STUBS l_xadd\sfx, .Lxa\sfx\()a, .Lxa\sfx\()b, .Lxa\sfx\()c
.endm
        XADD l, %eax, %ebx
        XADD w, %ax, %bx
        XADD b, %al, %bl

# ---------------- CMPXCHG
.macro CX sfx, rb, rc
        .balign 4
.Lcx\sfx\()a:
        movl $0xcafef00d, %ecx
        pushl %edx
        popfl
        cmpxchg\sfx \rc, \rb
        SE
        .balign 4
.Lcx\sfx\()b:
        movl $0xcafef00d, %ecx
        movl %ebx, mslot
        pushl %edx
        popfl
        cmpxchg\sfx \rc, mslot
        pushfl
        popl %edx
        movl mslot, %ebx
        ret
        .balign 4
.Lcx\sfx\()c:
        movl $0xcafef00d, %ecx
        movl %ebx, mslot
        pushl %edx
        popfl
        lock cmpxchg\sfx \rc, mslot
        pushfl
        popl %edx
        movl mslot, %ebx
        ret
        STUBS l_cx\sfx, .Lcx\sfx\()a, .Lcx\sfx\()b, .Lcx\sfx\()c
.endm
        CX l, %ebx, %ecx
        CX w, %bx, %cx
        CX b, %bl, %cl

# ---------------- CMPXCHG8B
# EDX:EAX = (A ^ 0x0f0f0f0f):A,  m64 = (B ^ HIX):B,  ECX:EBX = 11223344:55667788
# HIX = 0x0f0f0f0f (equal iff A == B) or 0xf0f0f0f0 (low halves may match,
# high halves never do).  Test "regs" prints EAX EDX, test "mem" m64 lo hi.
        .section .data
hix:    .long 0
        .text
.macro C8B name, lock, out
        .balign 4
\name:  movl %ebx, mslot
        xorl hix, %ebx
        movl %ebx, mslot+4
        pushl %edx                      # flags
        movl %eax, %edx
        xorl $0x0f0f0f0f, %edx
        movl $0x11223344, %ecx
        movl $0x55667788, %ebx
        popfl
        .if \lock
        lock
        .endif
        cmpxchg8b mslot
        pushfl
        .if \out
        movl mslot, %eax
        movl mslot+4, %ebx
        .else
        movl %edx, %ebx
        .endif
        popl %edx
        ret
.endm
        C8B .Lc8ra, 0, 0
        C8B .Lc8rb, 1, 0
        C8B .Lc8ma, 0, 1
        C8B .Lc8mb, 1, 1
        STUBS l_c8r, .Lc8ra, .Lc8rb
        STUBS l_c8m, .Lc8ma, .Lc8mb

        .globl _start
_start:
        TEST "xchg32", l_x32, vals32, vals8, fl2, mask_all
        TEST "xchg16", l_x16, vals16, vals8, fl2, mask_all
        TEST "xchg8", l_x8, vals8, vals16, fl2, mask_all
        TEST "xadd32", l_xaddl, vals32, vals32, fl2, mask_all
        TEST "xadd16", l_xaddw, vals16, vals16, fl2, mask_all
        TEST "xadd8", l_xaddb, vals8, vals8, fl2, mask_all
        TEST "cmpxchg32", l_cxl, vals32, vals32, fl2, mask_all
        TEST "cmpxchg16", l_cxw, vals16, vals16, fl2, mask_all
        TEST "cmpxchg8", l_cxb, vals8, vals8, fl2, mask_all
        movl $0x0f0f0f0f, hix
        TEST "cmpxchg8b regs", l_c8r, vals32, vals32, fl2, mask_all
        TEST "cmpxchg8b mem", l_c8m, vals32, vals32, fl2, mask_all
        movl $0xf0f0f0f0, hix
        TEST "cmpxchg8b-hi regs", l_c8r, vals32, vals32, fl2, mask_all
        TEST "cmpxchg8b-hi mem", l_c8m, vals32, vals32, fl2, mask_all
        EXIT 0
