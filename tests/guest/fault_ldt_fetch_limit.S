# Running into the limit of a 16-bit LDT code segment (limit 0xff): an instruction whose
# second byte lies past it (lretl at 0xff) is not fetched, #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_fetch_limit
        SET_LDT 1, code16, 0xff, LDT_CODE
        lcall $0x0f, $0xfc
        FAULT_END
        .balign 16
code16: .fill 0xfc, 1, 0x90
        .byte 0x90, 0x90, 0x90          # nops at 0xfc..0xfe
        .byte 0x66, 0xcb                # lretl at 0xff
