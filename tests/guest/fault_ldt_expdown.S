# An expand-down LDT data segment: offsets above the limit are valid, at or below it #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_expdown
        SET_LDT 4, scratch-0x1000, 0xfff, LDT_32|LDT_DOWN
        movw $0x27, %ax
        movw %ax, %es
        movl $0x1000, %edi
        movl $7, %es:(%edi)             # just above the limit: scratch
        cmpl $7, scratch
        jne 1f
        movl %es:0xffc, %eax
1:      FAULT_END
        .data
scratch: .fill 16, 1, 0
