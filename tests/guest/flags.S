# Flag transfer instructions: SAHF for every AH, LAHF under all 64
# combinations of the six status flags, POPF/POPFW then PUSHF/PUSHFW with
# values that set every user-changeable low flag bit and the reserved bits
# 3, 5, 15 (must read back 0, bit 1 must read back 1), CLC STC CMC CLD STD.
# SAHF: SDM "The SF, ZF, AF, PF, and CF flags are loaded with values from
# the AH register" (OF unaffected) -> all six printed.
# Printed EFLAGS images are masked to 0x8cff: CF 1 PF 3 AF 5 ZF SF DF OF 15
# (TF, IF, IOPL, NT and the high system flags are not user-controlled).
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_ah: .long 256
        .set .Lv, 0
        .rept 256
        .long 0x5a000077 | (.Lv << 8)
        .set .Lv, .Lv + 1
        .endr
fl64:   .long 64
        .set .Li, 0
        .rept 64
        .long ((.Li & 1) * FL_CF) | (((.Li >> 1) & 1) * FL_PF) | (((.Li >> 2) & 1) * FL_AF) | (((.Li >> 3) & 1) * FL_ZF) | (((.Li >> 4) & 1) * FL_SF) | (((.Li >> 5) & 1) * FL_OF)
        .set .Li, .Li + 1
        .endr
tab_one_ah: .long 1, 0x5a00ff77
tab_popf:
        .long 22
        .long 0x0000, 0x0001, 0x0002, 0x0004, 0x0008, 0x0010, 0x0020, 0x0040
        .long 0x0080, 0x0400, 0x0800, 0x8000, 0x08d5, 0x0cd5, 0x0cff, 0x8cff
        .long 0x002a, 0x0855, 0x0480, 0xffff0000 & ~0x00250000, 0x12340041, 0x0c00
        .text

SB s_sahf
        sahf
        SE
SB s_lahf
        lahf
        SE
        STUBS l_sahf, s_sahf
        STUBS l_lahf, s_lahf

        .balign 4
s_popf: pushl %eax
        popfl
        pushfl
        popl %eax
        cld
        andl $0x8cff, %eax
        pushl %edx
        popfl
        SE
        .balign 4
s_popf_mem:                             # POPF from a memory-pushed value
        movl %eax, mslot
        pushl mslot
        popfl
        pushfl
        popl mslot
        cld
        movl mslot, %eax
        andl $0x8cff, %eax
        pushl %edx
        popfl
        SE
        .balign 4
s_popfw:
        pushw %ax
        popfw
        pushfw
        popw %ax
        cld
        andl $0xffff8cff, %eax
        pushl %edx
        popfl
        SE
        STUBS l_popf, s_popf, s_popf_mem
        STUBS l_popfw, s_popfw

SB s_clc
        clc
        SE
SB s_stc
        stc
        SE
SB s_cmc
        cmc
        SE
SB s_cmc2
        cmc
        cmc
        SE
        .balign 4
s_std:  pushl %edx
        popfl
        std
        pushfl
        popl %eax
        cld
        movl %eax, %edx
        andl $0x8cff, %eax
        ret
        .balign 4
s_cld:  pushl %edx
        popfl
        std
        cld
        pushfl
        popl %eax
        movl %eax, %edx
        andl $0x8cff, %eax
        ret
        STUBS l_clc, s_clc
        STUBS l_stc, s_stc
        STUBS l_cmc, s_cmc
        STUBS l_cmc2, s_cmc2
        STUBS l_std, s_std
        STUBS l_cld, s_cld

        .globl _start
_start:
        TEST "sahf", l_sahf, tab_ah, tab_zero, fl2, mask_all
        TEST "lahf", l_lahf, tab_one_ah, tab_zero, fl64, mask_all
        TEST "popf", l_popf, tab_popf, tab_zero, fl2, mask_all
        TEST "popfw", l_popfw, tab_popf, tab_zero, fl2, mask_all
        TEST "clc", l_clc, tab_zero, tab_zero, fl64, mask_all
        TEST "stc", l_stc, tab_zero, tab_zero, fl64, mask_all
        TEST "cmc", l_cmc, tab_zero, tab_zero, fl64, mask_all
        TEST "cmc2", l_cmc2, tab_zero, tab_zero, fl64, mask_all
        TEST "std", l_std, tab_zero, tab_zero, fl2, mask_all
        TEST "cld", l_cld, tab_zero, tab_zero, fl2, mask_all
        EXIT 0
