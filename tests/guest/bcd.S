# BCD adjust instructions over every AL value and carry/aux-carry inputs:
# DAA DAS (flags in: none, CF, AF, CF+AF, and the others set), AAA AAS
# (AH = 0x00 and 0xff), AAM and AAD with bases 10, 16, 7, 1/0, 255.
# Flags masked per SDM "Flags Affected":
#   DAA/DAS: "The CF and AF flags are set if the adjustment ... results in
#            a decimal carry/borrow ... The SF, ZF, and PF flags are set
#            according to the result. The OF flag is undefined." -> no OF
#   AAA/AAS: "The AF and CF flags are set to 1 if the adjustment results in
#            a decimal carry [borrow]; otherwise they are set to 0. The OF,
#            SF, ZF, and PF flags are undefined." -> only AF CF
#   AAM/AAD: "The SF, ZF, and PF flags are set according to the resulting
#            binary value in the AL register. The OF, AF, and CF flags are
#            undefined." -> only SF ZF PF
# AAM with base 0 raises #DE and is not run.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
fl_bcd: .long 6, 0x000, 0x001, 0x010, 0x011, 0x8c4, 0x8d5
fl_aa:  .long 4, 0x000, 0x001, 0x010, 0x011
tab_ah00:                               # AL = every value, AH = 00
        .long 256
        .set .Lv, 0
        .rept 256
        .long 0x12340000 + .Lv
        .set .Lv, .Lv + 1
        .endr
tab_ahff:                               # AL = every value, AH = ff
        .long 256
        .set .Lv, 0
        .rept 256
        .long 0x1234ff00 + .Lv
        .set .Lv, .Lv + 1
        .endr
tab_ax:                                 # AL = every value, AH varied
        .long 256
        .set .Lv, 0
        .rept 256
        .long 0x5a3c0000 + (((.Lv * 37 + 11) & 0xff) << 8) + .Lv
        .set .Lv, .Lv + 1
        .endr
        .text

        CMASK m_daa, (FL_CF|FL_AF|FL_SF|FL_ZF|FL_PF)
        CMASK m_aaa, (FL_CF|FL_AF)
        CMASK m_aam, (FL_SF|FL_ZF|FL_PF)

SB s_daa
        daa
        SE
SB s_das
        das
        SE
SB s_aaa
        aaa
        SE
SB s_aas
        aas
        SE
        STUBS l_daa, s_daa
        STUBS l_das, s_das
        STUBS l_aaa, s_aaa
        STUBS l_aas, s_aas

.macro AAMD opc, base
        .text 1
SB .Ls\@
        .byte \opc, \base
        SE
        STUBS .Ll\@, .Ls\@
        .ifc \opc,0xd4
        TEST "aam \base", .Ll\@, tab_ax, tab_zero, fl1, m_aam
        .else
        TEST "aad \base", .Ll\@, tab_ax, tab_zero, fl1, m_aam
        .endif
.endm

        .globl _start
_start:
        TEST "daa", l_daa, vals8all, tab_zero, fl_bcd, m_daa
        TEST "das", l_das, vals8all, tab_zero, fl_bcd, m_daa
        TEST "aaa", l_aaa, tab_ah00, tab_zero, fl_aa, m_aaa
        TEST "aaa", l_aaa, tab_ahff, tab_zero, fl_aa, m_aaa
        TEST "aas", l_aas, tab_ah00, tab_zero, fl_aa, m_aaa
        TEST "aas", l_aas, tab_ahff, tab_zero, fl_aa, m_aaa
        .irp b, 10, 16, 7, 1, 255
        AAMD 0xd4, \b
        .endr
        .irp b, 10, 16, 7, 0, 255
        AAMD 0xd5, \b
        .endr
        EXIT 0
