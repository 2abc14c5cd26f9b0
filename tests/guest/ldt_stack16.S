# A 16-bit stack segment from the LDT (modify_ldt with seg_32bit clear): with
# it in SS, pushes and pops move SP only (ESP's high half stays), wrap within
# the segment (SP 0 minus 2 is 0xFFFE), and CALL, PUSHF/POPF and 16- and
# 32-bit pushes write where SP points. Then SS goes back to Linux's.
        .include "asmlib.inc"
        .include "ldt.inc"
        .globl _start
_start:
        SET_LDT 1, stk16, 0xffff, 0     # 16-bit writable data, 64 KiB at stk16
        movl %esp, saved_esp
        movw %ss, saved_ss
        movl $0x12340010, %esp          # SP 0x0010 under a high half that must survive
        movw $0x0f, %ax                 # LDT entry 1, RPL 3
        movw %ax, %ss
        pushw $0xbeef                   # SP 0x000e
        pushl $0x11223344               # SP 0x000a
        call 1f                         # SP 0x0006
1:      popl %ebx
        pushfl
        popfl
        popl %ecx
        popw %dx
        movl %esp, %edi                 # 0x12340010 again
        movw $0, %sp
        pushw $0x5a5a                   # SP wraps to 0xfffe
        movl %esp, %esi
        popw %ax
        movl %esp, %ebp                 # SP 0 again
        movw saved_ss, %ss
        movl saved_esp, %esp
        subl $1b, %ebx                  # the return address CALL pushed: 0
        movl %ebx, %eax
        SHOWX call
        movl %ecx, %eax
        SHOWX dword
        movzwl %dx, %eax
        SHOWX word
        movl %edi, %eax
        SHOWX esp
        movl %esi, %eax
        SHOWX wrapped
        movl %ebp, %eax
        SHOWX after
        movl stk16+0xfffc, %eax         # the wrapped push's word in the high half
        SHOWX top
        movl stk16+0x6, %eax            # PUSHF's EFLAGS, over CALL's return address at SP 0x0006
        SHOWX flags
        movl stk16+0xa, %eax
        SHOWX slot10
        movl $'\n', %eax
        call putc
        EXIT

        .data
saved_esp: .long 0
saved_ss:  .word 0
        .bss
        .align 16
stk16:  .skip 0x10000
