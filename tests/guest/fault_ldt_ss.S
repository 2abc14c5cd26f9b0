# A stack segment from the LDT whose limit ends below ESP: an ESP-based load is #SS, SIGBUS.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_ss
        movl %esp, %eax
        shrl $12, %eax
        subl $1, %eax                   # limit in pages: the page below ESP's
        movl %eax, ss_desc+8
        movl $123, %eax
        movl $0x11, %ebx
        movl $ss_desc, %ecx
        movl $16, %edx
        int $0x80
        movw $0x0f, %ax
        movw %ax, %ss
        movl (%esp), %eax
        FAULT_END
        .data
ss_desc: .long 1, 0, 0, LDT_32|LDT_PAGES
