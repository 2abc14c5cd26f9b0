# A store through GS holding a read-only LDT data segment: #GP, SIGSEGV (a load is fine).
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_readonly
        SET_LDT 3, scratch, 0xfff, LDT_32|LDT_RO
        movw $0x1f, %ax
        movw %ax, %gs
        movl %gs:8, %eax
        addl $1, %gs:8
        FAULT_END
        .data
scratch: .fill 16, 1, 0
