# Loading SS with a not-present LDT data segment: #SS, SIGBUS.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_ss_np
        SET_LDT 1, 0, 0xfffff, LDT_32|LDT_PAGES|LDT_NP
        movw $0x0f, %ax
        movw %ax, %ss
        FAULT_END
