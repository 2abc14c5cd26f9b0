# An expand-down stack segment from the LDT whose limit is the end of the page below ESP's:
# pushes work down to the start of ESP's page, the next one is #SS, SIGBUS.
        .include "fault.inc"
        .include "ldt.inc"
        FAULT_BEGIN ldt_ss_push
        movl %esp, %eax
        shrl $12, %eax
        subl $1, %eax                   # limit in pages: offsets above the page below ESP's
        movl %eax, ss_desc+8
        movl $123, %eax
        movl $0x11, %ebx
        movl $ss_desc, %ecx
        movl $16, %edx
        int $0x80
        testl %eax, %eax
        jnz 2f
        movw $0x0f, %ax
        movw %ax, %ss
1:      pushl %eax
        jmp 1b
2:      FAULT_END
        .data
ss_desc: .long 1, 0, 0, LDT_32|LDT_PAGES|LDT_DOWN
