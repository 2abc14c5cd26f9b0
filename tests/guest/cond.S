# All 16 conditions (O NO B AE E NE BE A S NS P NP L GE LE G) evaluated by
# SETcc (register and memory), CMOVcc (32/16-bit, register and memory, taken
# and not taken) and Jcc (short and near), under all 32 combinations of
# CF PF ZF SF OF (AF toggled along).  None of these instructions affects the
# flags, so all six are printed (they must come out as they went in).
# Column 1: EAX after SETcc AL (upper bits must be kept); column 2: bit 0
# SETcc m8, bit 1 CMOV r32, bit 2 CMOV r16, bit 3 CMOV m32, bit 4 Jcc short,
# bit 5 Jcc near, bit 8.. upper half of the CMOV r16 destination.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
fl32:   .long 32
        .set .Li, 0
        .rept 32
        .long ((.Li & 1) * FL_CF) | (((.Li >> 1) & 1) * FL_PF) | (((.Li >> 2) & 1) * FL_ZF) | (((.Li >> 3) & 1) * FL_SF) | (((.Li >> 4) & 1) * FL_OF) | (((.Li >> 2) & 1) * FL_AF)
        .set .Li, .Li + 1
        .endr
tab_a:  .long 1, 0x12345678
        .section .data
one:    .long 1
        .text

.macro CC cc
        .balign 4
s_\cc:
        movl $0xffffffff, mslot
        movl $0, %ecx                   # cmov32 target
        movl $0xabcd0000, %edi          # cmov16 target
        movl $0, %ebp                   # cmov mem target
        movl $1, %esi
        movb $0, %bl                    # jcc short
        movb $0, %bh                    # jcc near
        pushl %edx
        popfl
        set\cc %al
        set\cc mslot
        cmov\cc %esi, %ecx
        cmov\cc %si, %di
        cmov\cc one, %ebp
        j\cc 1f
        jmp 2f
1:      movb $1, %bl
2:      {disp32} j\cc 3f
        jmp 4f
3:      movb $1, %bh
4:      pushfl
        popl %edx
        movzbl mslot, %esi
        shll $1, %ecx
        orl %ecx, %esi
        movl %edi, %ecx
        andl $1, %ecx
        shll $2, %ecx
        orl %ecx, %esi
        shrl $16, %edi
        shll $8, %edi
        orl %edi, %esi
        shll $3, %ebp
        orl %ebp, %esi
        movzbl %bl, %ecx
        shll $4, %ecx
        orl %ecx, %esi
        movzbl %bh, %ecx
        shll $5, %ecx
        orl %ecx, %esi
        movl %esi, %ebx
        ret
        STUBS l_\cc, s_\cc
.endm
        .irp cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g
        CC \cc
        .endr

        .globl _start
_start:
        .irp cc, o,no,b,ae,e,ne,be,a,s,ns,p,np,l,ge,le,g
        TEST "\cc", l_\cc, tab_a, tab_zero, fl32, mask_all
        .endr
        EXIT 0
