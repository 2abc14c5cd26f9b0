# Loading an execute-only LDT code segment into DS: #GP, SIGSEGV (a readable one loads).
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_code_ds
        SET_LDT 5, 0, 0xfffff, LDT_32|LDT_CODE|LDT_PAGES
        SET_LDT 6, 0, 0xfffff, LDT_32|LDT_CODE|LDT_PAGES|LDT_RO
        movw $0x2f, %ax
        movw %ax, %es
        movl %es:fault_msg, %eax        # reading through a readable code segment
        movw $0x37, %ax
        movw %ax, %ds
        FAULT_END
