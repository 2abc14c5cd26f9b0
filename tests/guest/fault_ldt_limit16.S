# A 16-bit LDT data segment (limit 0xffff) in FS, addressed with a 32-bit offset past 64 KiB
# (still inside the mapped buffer): #GP, SIGSEGV.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_limit16
        SET_LDT 2, big, 0xffff, 0
        movw $0x17, %ax
        movw %ax, %fs
        movl $0xfffe, %esi
        movw %fs:(%esi), %ax            # the last word inside: fine
        incl %esi
        incl %esi
        movb %fs:(%esi), %al
        FAULT_END
        .bss
big:    .skip 0x10010
