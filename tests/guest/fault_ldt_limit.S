# A dword read through ES that ends one byte past the LDT segment's limit: #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_limit
        SET_LDT 0, fault_msg, 0xff, LDT_32
        movw $0x07, %ax
        movw %ax, %es
        movl %es:0xfc, %eax             # the last dword inside: fine
        movl %es:0xfd, %eax
        FAULT_END
