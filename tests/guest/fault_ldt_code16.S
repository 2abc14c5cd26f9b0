# A #GP inside a 16-bit LDT code segment: 16-bit addressing through an LDT data segment
# in ES whose limit is 0xff, at offset 0x100 (one byte past). SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_code16
        SET_LDT 0, scratch, 0xff, 0
        SET_LDT 1, code16, 0xffff, LDT_CODE
        movw $0x07, %ax
        movw %ax, %es
        lcall $0x0f, $0
        FAULT_END
        .balign 16
        .code16
code16: movw $0xff, %bx
        movb %es:(%bx), %al             # the last byte inside: fine
        incw %bx
        movb %es:(%bx), %al
        lretl
        .code32
        .data
scratch: .fill 0x200, 1, 0
