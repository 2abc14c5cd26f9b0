# args: alpha "two words" 3 --flag=x
# The initial process state as set up by the loader: argc, argv, envp,
# the auxiliary vector (only AT_PAGESZ's value is printed, and that the
# vector ends), stack alignment at entry and EDX = 0 (the i386 SysV ABI
# atexit pointer, 0 for a static program started by the kernel).
        .include "asmlib.inc"

        .section .data
argc:   .long 0
argvp:  .long 0
entry_edx: .long 0
entry_esp: .long 0
        .text

        .globl _start
_start:
        movl %edx, entry_edx
        movl %esp, entry_esp
        movl (%esp), %eax
        movl %eax, argc
        leal 4(%esp), %eax
        movl %eax, argvp
        PRINT "argc="
        movl argc, %eax
        call dec32
        call newline
        # argv[0]: print only the part after the last '/'
        movl argvp, %ebx
        movl (%ebx), %esi
        movl %esi, %edi
1:      movb (%esi), %al
        testb %al, %al
        jz 2f
        incl %esi
        cmpb $'/', %al
        jne 1b
        movl %esi, %edi
        jmp 1b
2:      PRINT "argv[0] basename="
        movl %edi, %esi
        call puts
        call newline
        movl $1, %ecx
3:      cmpl argc, %ecx
        jae 4f
        PRINT "argv["
        movl %ecx, %eax
        call dec32
        PRINT "]=<"
        movl (%ebx,%ecx,4), %esi
        call puts
        PRINT ">\n"
        incl %ecx
        jmp 3b
4:      movl (%ebx,%ecx,4), %eax        # argv[argc] must be NULL
        PRINT "argv[argc]="
        call hex32
        call newline
        # environment
        leal 4(%ebx,%ecx,4), %ebx       # envp
        xorl %ecx, %ecx
5:      movl (%ebx,%ecx,4), %esi
        testl %esi, %esi
        jz 6f
        PRINT "env: "
        call puts
        call newline
        incl %ecx
        jmp 5b
6:      PRINT "envc="
        movl %ecx, %eax
        call dec32
        call newline
        # auxv follows the envp NULL
        leal 4(%ebx,%ecx,4), %ebx
        xorl %edx, %edx                 # AT_PAGESZ value
        xorl %ecx, %ecx                 # entry count
7:      movl (%ebx), %eax
        testl %eax, %eax
        jz 9f
        cmpl $6, %eax                   # AT_PAGESZ
        jne 8f
        movl 4(%ebx), %edx
8:      addl $8, %ebx
        incl %ecx
        cmpl $200, %ecx
        jb 7b
        PRINT "auxv not terminated\n"
9:      PRINT "AT_PAGESZ="
        movl %edx, %eax
        call dec32
        call newline
        cmpl $5, %ecx
        jb 10f
        PRINT "auxv has at least 5 entries\n"
10:     movl entry_esp, %eax
        andl $15, %eax
        PRINT "esp%16="
        call dec32
        call newline
        PRINT "edx at entry="
        movl entry_edx, %eax
        call hex32
        call newline
        EXIT 0
