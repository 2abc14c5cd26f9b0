# BT BTS BTR BTC.  Register destination (16/32-bit) with register and imm8
# offsets (offset taken modulo the operand size; memory-with-imm8 forms are
# compared, they use the same modulo rule), then the bit-string forms with a
# memory base and a register offset, which address memory beyond the dword
# (offsets -256..255, 16 and 32-bit, plain and LOCK, several addressing
# modes); for those the 64-byte buffer is printed as a hash (col 1) and CF.
# Flags (SDM BT/BTS/BTR/BTC): "The CF flag contains the value of the
# selected bit [before it is changed]. The ZF flag is unaffected. The OF,
# SF, AF, and PF flags are undefined." -> CF and ZF printed.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_off:
        .long 17
        .long 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, -1, -16, -32, -33, 0x7fffffff, 0x80000000
tab_moff:
        .long 18
        .long 0, 1, 31, 32, 33, 63, 64, 100, 127, 200, 255, -1, -8, -32, -33, -100, -255, -256
tab_moff16:                             # junk above the 16-bit offset
        .long 18
        .irp v, 0, 1, 31, 32, 33, 63, 64, 100, 127, 200, 255, -1, -8, -32, -33, -100, -255, -256
        .long 0x7f000000 | ((\v) & 0xffff)
        .endr
tab_a:  .long 6, 0, 0xffffffff, 0x80000001, 0x12345678, 0x5a5a5a5a, 0x00010000
        .section .bss
        .balign 16
bitbuf: .skip 64
        .text

        CMASK m_bt, (FL_CF|FL_ZF)

fillbuf:                                # buffer dword i = eax + i * 0x11111111
        pushal
        xorl %ecx, %ecx
1:      movl %eax, bitbuf(,%ecx,4)
        addl $0x11111111, %eax
        incl %ecx
        cmpl $16, %ecx
        jb 1b
        popal
        ret
hashbuf:                                # eax = hash of the buffer
        pushl %ecx
        xorl %eax, %eax
        xorl %ecx, %ecx
1:      roll $7, %eax
        xorl bitbuf(,%ecx,4), %eax
        incl %ecx
        cmpl $16, %ecx
        jb 1b
        popl %ecx
        ret

# ---- register destination ----
.macro REGFORMS op, ext
SB .L\op\()32r
        \op\()l %ebx, %eax
        SE
        .balign 4
.L\op\()32i:
        .irp n, 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, -1, -16, -32, -33, 0x7fffffff, 0x80000000
        cmpl $\n, %ebx
        jne 1f
        pushl %edx
        popfl
        .byte 0x0f, 0xba, 0xe0 | (\ext << 3), (\n) & 0xff
        SE
1:
        .endr
        movl $-1, %edx
        ret
        .balign 4
.L\op\()32mi:
        .irp n, 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, -1, -16, -32, -33, 0x7fffffff, 0x80000000
        cmpl $\n, %ebx
        jne 1f
        movl %eax, mslot
        pushl %edx
        popfl
        .byte 0x0f, 0xba, 0x05 | (\ext << 3)
        .long mslot
        .byte (\n) & 0xff
        pushfl
        popl %edx
        movl mslot, %eax
        ret
1:
        .endr
        movl $-1, %edx
        ret
SB .L\op\()16r
        \op\()w %bx, %ax
        SE
        .balign 4
.L\op\()16i:
        .irp n, 0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, -1, -16, -32, -33, 0x7fffffff, 0x80000000
        cmpl $\n, %ebx
        jne 1f
        pushl %edx
        popfl
        .byte 0x66, 0x0f, 0xba, 0xe0 | (\ext << 3), (\n) & 0xff
        SE
1:
        .endr
        movl $-1, %edx
        ret
        STUBS l_\op\()32, .L\op\()32r, .L\op\()32i, .L\op\()32mi
        STUBS l_\op\()16, .L\op\()16r, .L\op\()16i
.endm

# ---- bit string in memory: base = bitbuf+32, offset in ebx/bx ----
.macro MEMFORMS op, lockable
        .balign 4
.L\op\()m32a:
        call fillbuf
        pushl %edx
        popfl
        \op\()l %ebx, bitbuf+32
        pushfl
        popl %edx
        call hashbuf
        ret
        .balign 4
.L\op\()m32b:
        call fillbuf
        movl $bitbuf, %esi
        movl $8, %edi
        pushl %edx
        popfl
        .if \lockable
        lock
        .endif
        \op\()l %ebx, (%esi,%edi,4)
        pushfl
        popl %edx
        call hashbuf
        ret
        .balign 4
.L\op\()m32c:
        call fillbuf
        movl $bitbuf+40, %esi
        pushl %edx
        popfl
        \op\()l %ecx, -8(%esi)
        pushfl
        popl %edx
        call hashbuf
        ret
        .balign 4
.L\op\()m16a:
        call fillbuf
        pushl %edx
        popfl
        \op\()w %bx, bitbuf+32
        pushfl
        popl %edx
        call hashbuf
        ret
        .balign 4
.L\op\()m16b:
        call fillbuf
        movl $bitbuf+33, %esi
        pushl %edx
        popfl
        .if \lockable
        lock
        .endif
        \op\()w %cx, -1(%esi)
        pushfl
        popl %edx
        call hashbuf
        ret
        STUBS l_\op\()m32, .L\op\()m32a, .L\op\()m32b, .L\op\()m32c
        STUBS l_\op\()m16, .L\op\()m16a, .L\op\()m16b
.endm

        REGFORMS bt, 4
        REGFORMS bts, 5
        REGFORMS btr, 6
        REGFORMS btc, 7
        MEMFORMS bt, 0
        MEMFORMS bts, 1
        MEMFORMS btr, 1
        MEMFORMS btc, 1

        .globl _start
_start:
        .irp op, bt, bts, btr, btc
        TEST "\op\()32", l_\op\()32, tab_a, tab_off, fl2, m_bt
        TEST "\op\()16", l_\op\()16, tab_a, tab_off, fl2, m_bt
        TEST "\op\()32 mem", l_\op\()m32, tab_a, tab_moff, fl2, m_bt
        TEST "\op\()16 mem", l_\op\()m16, tab_a, tab_moff16, fl2, m_bt
        .endr
        EXIT 0
