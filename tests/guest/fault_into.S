# INTO after a signed overflow: #OF, delivered as SIGSEGV.
# Prints one line, then executes the faulting instruction: the process must
# die exactly as on the real CPU under Linux (status 128 + signal).
        .section .rodata
msg:    .ascii "before the fault: into\n"
        .set len, . - msg
        .text
        .globl _start
_start:
        movl $4, %eax                   # write(1, msg, len)
        movl $1, %ebx
        movl $msg, %ecx
        movl $len, %edx
        int $0x80
        movl $0x7fffffff, %eax
        addl $1, %eax
        into
        movl $1, %eax                   # not reached: exit(0)
        xorl %ebx, %ebx
        int $0x80
