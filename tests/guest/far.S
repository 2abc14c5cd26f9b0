# Far JMP, CALL, RET (with and without an immediate) and IRET within the
# flat user code segment Linux gives a 32-bit process (selector 0x23), by
# immediate pointer and through m16:32 in memory; IRET restoring flags.
        .text
        .globl _start
puts:                                   # esi = NUL-terminated string
        pushl %eax
        pushl %ebx
        pushl %ecx
        pushl %edx
        movl %esi, %edx
1:      cmpb $0, (%edx)
        je 2f
        incl %edx
        jmp 1b
2:      subl %esi, %edx
        movl $4, %eax
        movl $1, %ebx
        movl %esi, %ecx
        int $0x80
        popl %edx
        popl %ecx
        popl %ebx
        popl %eax
        ret

far_func:                               # called far: returns with lret
        movl $m_in_func, %esi
        call puts
        lret

far_func_args:                          # lret $8 releases two dword arguments
        movl 8(%esp), %eax              # first argument above the return CS:EIP
        addl 12(%esp), %eax
        movl %eax, sum
        lret $8

_start:
        movw %cs, %ax
        cmpw $0x23, %ax
        jne fail
        movl $m_cs, %esi
        call puts

        ljmp $0x23, $after_jmp
        jmp fail
after_jmp:
        movl $m_jmp, %esi
        call puts

        lcall $0x23, $far_func
        movl $m_back, %esi
        call puts

        movl %esp, %edi
        pushl $40
        pushl $2
        lcall $0x23, $far_func_args
        cmpl %esp, %edi                 # lret $8 must have released the arguments
        jne fail
        cmpl $42, sum
        jne fail
        movl $m_args, %esi
        call puts

        movl $far_func, fptr            # m16:32: offset then selector
        movw $0x23, fptr+4
        lcall *fptr
        movl $after_mjmp, fptr
        ljmp *fptr
        jmp fail
after_mjmp:
        movl $m_mem, %esi
        call puts

        stc                             # IRET restores CF=1 saved by pushf
        pushfl
        pushl $0x23
        pushl $after_iret
        clc
        iret
after_iret:
        jnc fail
        movl $m_iret, %esi
        call puts

        movl $1, %eax
        xorl %ebx, %ebx
        int $0x80
fail:
        movl $m_fail, %esi
        call puts
        movl $1, %eax
        movl $1, %ebx
        int $0x80

        .data
sum:    .long 0
fptr:   .long 0
        .word 0
m_cs:   .asciz "cs is 0x23\n"
m_jmp:  .asciz "far jmp ptr16:32 ok\n"
m_in_func: .asciz "in far function\n"
m_back: .asciz "far call and lret ok\n"
m_args: .asciz "lret imm16 released the arguments, sum 42\n"
m_mem:  .asciz "far call and jmp through m16:32 ok\n"
m_iret: .asciz "iret restored CS:EIP and CF\n"
m_fail: .asciz "FAILED\n"
