# Loading a not-present LDT data segment into ES: #NP, which Linux turns into SIGBUS.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_np
        SET_LDT 1, 0, 0xfff, LDT_32|LDT_NP
        movw $0x0f, %ax
        movw %ax, %es
        FAULT_END
