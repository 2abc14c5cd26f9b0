# Writes to stdout and stderr with raw int $0x80 write calls (no helper
# library) and exits with status 3 through the exit syscall.
        .section .rodata
msg1:   .ascii "to stdout\n"
        .set len1, . - msg1
msg2:   .ascii "to stderr: exiting with 3\n"
        .set len2, . - msg2
        .text
        .globl _start
_start:
        movl $4, %eax                   # write(1, msg1, len1)
        movl $1, %ebx
        movl $msg1, %ecx
        movl $len1, %edx
        int $0x80
        movl $4, %eax                   # write(2, msg2, len2)
        movl $2, %ebx
        movl $msg2, %ecx
        movl $len2, %edx
        int $0x80
        movl $4, %eax                   # write(1, msg1, 3): partial buffer
        movl $1, %ebx
        movl $msg1, %ecx
        movl $3, %edx
        int $0x80
        movl $252, %eax                 # exit_group(3)
        movl $3, %ebx
        int $0x80
        hlt                             # not reached
