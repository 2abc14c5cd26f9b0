# ROL ROR on 8/16/32-bit operands by every count 0..33 (and 63, 64, 255),
# flags in all-clear and all-set; CL, imm8, by-1 and memory forms compared.
# Flags (SDM RCL/RCR/ROL/ROR "Flags Affected"): "If the masked count is 0,
# the flags are not affected. If the masked count is 1, then the OF flag is
# affected, otherwise (masked count is greater than 1) the OF flag is
# undefined. The CF flag is affected when the masked count is non-zero. The
# SF, ZF, AF, and PF flags are always unaffected."
#   -> all six printed (SF ZF AF PF must be preserved), OF masked when the
#      masked count is > 1.
        .include "asmlib.inc"
        .include "shiftlib.inc"

        .balign 4
m_rot:  movl %ebx, %edx
        andl $31, %edx
        cmpl $1, %edx
        ja 1f
        movl $FL_ALL, %edx
        ret
1:      movl $(FL_ALL & ~FL_OF), %edx
        ret

        GENSHIFT rol, 0
        GENSHIFT ror, 1

        .globl _start
_start:
        TEST "rol32", l_rol32, vals32, tab_counts, fl2, m_rot
        TEST "rol16", l_rol16, vals16, tab_counts, fl2, m_rot
        TEST "rol8", l_rol8, vals8, tab_counts, fl2, m_rot
        TEST "ror32", l_ror32, vals32, tab_counts, fl2, m_rot
        TEST "ror16", l_ror16, vals16, tab_counts, fl2, m_rot
        TEST "ror8", l_ror8, vals8, tab_counts, fl2, m_rot
        EXIT 0
