# An LDT entry cleared with LDT_empty is no segment: loading its selector is #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_cleared
        SET_LDT 7, fault_msg, 0xff, LDT_32
        movw $0x3f, %ax
        movw %ax, %fs
        SET_LDT 7, 0, 0, LDT_RO|LDT_NP
        movw $0x3f, %ax
        movw %ax, %fs
        FAULT_END
