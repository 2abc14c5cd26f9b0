# A far call to a not-present LDT code segment: #NP, SIGBUS.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_farcall_np
        SET_LDT 2, 0, 0xfffff, LDT_32|LDT_CODE|LDT_PAGES|LDT_NP
        lcall $0x17, $target
target: FAULT_END
