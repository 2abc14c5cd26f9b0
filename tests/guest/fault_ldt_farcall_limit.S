# A far call to an offset past the limit of a 16-bit LDT code segment (limit 0xff, offset 0x100): #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_farcall_limit
        SET_LDT 1, code16, 0xff, LDT_CODE
        lcall $0x0f, $0xfe              # the last two bytes inside: lretl there
        lcall $0x0f, $0x100
        FAULT_END
        .balign 16
code16: .fill 0xfe, 1, 0x90
        .byte 0x66, 0xcb                # lretl at offset 0xfe, ending at the limit
