# SHL SHR SAR on 8/16/32-bit operands by every count 0..33 (and 63, 64, 255
# to check the 5-bit count mask), flags in all-clear and all-set; CL, imm8,
# by-1 and memory forms compared (see shiftlib.inc).
# Flags (SDM SAL/SAR/SHL/SHR "Flags Affected"):
#   count (masked to 5 bits) = 0: "the flags are not affected" -> all printed
#   count != 0: "the AF flag is undefined" -> AF masked;
#               "The OF flag is affected only on 1-bit shifts. For
#               left shifts ... For the SAR ..." -> OF masked unless count = 1
#   SHL/SHR with count >= operand width (8/16-bit operands): "The CF flag ...
#               is undefined for SHL and SHR instructions where the count is
#               greater than or equal to the size (in bits) of the
#               destination operand" -> CF masked too.
        .include "asmlib.inc"
        .include "shiftlib.inc"

# mask function: eax = value, ebx = count -> edx = defined flags
.macro SHMASK name, width, cfrule
        .balign 4
\name:  movl %ebx, %edx
        andl $31, %edx
        jnz 1f
        movl $FL_ALL, %edx
        ret
1:      cmpl $1, %edx
        jne 2f
        movl $FL_NOAF, %edx
        ret
2:
        .if \cfrule
        cmpl $\width, %edx
        jb 3f
        movl $(FL_SF|FL_ZF|FL_PF), %edx
        ret
3:
        .endif
        movl $(FL_SF|FL_ZF|FL_PF|FL_CF), %edx
        ret
.endm

        SHMASK m_shx8, 8, 1
        SHMASK m_shx16, 16, 1
        SHMASK m_shx32, 32, 1
        SHMASK m_sar8, 8, 0
        SHMASK m_sar16, 16, 0
        SHMASK m_sar32, 32, 0

        GENSHIFT shl, 4
        GENSHIFT shr, 5
        GENSHIFT sar, 7

        .globl _start
_start:
        TEST "shl32", l_shl32, vals32, tab_counts, fl2, m_shx32
        TEST "shl16", l_shl16, vals16, tab_counts, fl2, m_shx16
        TEST "shl8", l_shl8, vals8, tab_counts, fl2, m_shx8
        TEST "shr32", l_shr32, vals32, tab_counts, fl2, m_shx32
        TEST "shr16", l_shr16, vals16, tab_counts, fl2, m_shx16
        TEST "shr8", l_shr8, vals8, tab_counts, fl2, m_shx8
        TEST "sar32", l_sar32, vals32, tab_counts, fl2, m_sar32
        TEST "sar16", l_sar16, vals16, tab_counts, fl2, m_sar16
        TEST "sar8", l_sar8, vals8, tab_counts, fl2, m_sar8
        EXIT 0
