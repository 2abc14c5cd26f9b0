# LOOP LOOPE LOOPNE JECXZ JCXZ, with 32-bit (ECX) and 16-bit (67 prefix:
# CX, upper half of ECX preserved) counters, including a 16-bit count of 0
# (65536 iterations).  Also checks that these instructions leave the flags
# alone (all six status flags printed after a LOOP run entered with all set
# and all clear).
        .include "asmlib.inc"

        .section .rodata
scan:   .ascii "aaaaXaaaXXaa"
        .text

.macro SHOWFL
        pushfl
        popl %eax
        andl $FL_ALL, %eax
        PRINT "fl="
        call hex16
.endm

.macro TLOOP n, flags
        movl $\n, %ecx
        xorl %edx, %edx
        pushl $\flags
        popfl
1:      leal 1(%edx), %edx
        loop 1b
        pushfl
        PRINT "loop n=\n: "
        movl %edx, %eax
        SHOWX iters
        movl %ecx, %eax
        SHOWX ecx
        popfl
        SHOWFL
        call newline
.endm

.macro TLOOP16 n, flags
        movl $\n, %ecx
        xorl %edx, %edx
        pushl $\flags
        popfl
1:      leal 1(%edx), %edx
        addr16 loop 1b
        pushfl
        PRINT "loop16 n=\n: "
        movl %edx, %eax
        SHOWX iters
        movl %ecx, %eax
        SHOWX ecx
        popfl
        SHOWFL
        call newline
.endm

# LOOPE / LOOPNE scanning "scan" for (non-)'a' from offset off, count n
.macro TSCAN insn, n, off, a16=0
        movl $scan+\off, %esi
        movl $\n, %ecx
1:      cmpb $'a', (%esi)
        leal 1(%esi), %esi
        .if \a16
        addr16 \insn 1b
        .else
        \insn 1b
        .endif
        pushfl
        PRINT "\insn a16=\a16 n=\n off=\off: "
        movl %ecx, %eax
        SHOWX ecx
        movl %esi, %eax
        subl $scan, %eax
        SHOWX pos
        popfl
        SHOWFL
        call newline
.endm

.macro TJCXZ n
        movl $\n, %ecx
        PRINT "jecxz n=\n: "
        jecxz 1f
        PRINT "not-taken "
        jmp 2f
1:      PRINT "taken "
2:      PRINT "jcxz: "
        jcxz 3f
        PRINT "not-taken"
        jmp 4f
3:      PRINT "taken"
4:      movl %ecx, %eax
        call space
        SHOWX ecx
        call newline
.endm

        .globl _start
_start:
        .irp n, 1, 2, 3, 7, 100, 0x1000
        TLOOP \n, 0
        TLOOP \n, 0x8d5
        .endr
        .irp n, 1, 5, 0x12340003, 0xabcd0001, 0xabcd0000, 0x00010000
        TLOOP16 \n, 0x8d5
        .endr
        .irp n, 1, 3, 4, 5, 8, 12
        .irp off, 0, 4, 5, 8
        TSCAN loope, \n, \off
        TSCAN loopne, \n, \off
        TSCAN loopz, \n, \off
        TSCAN loopnz, \n, \off
        .endr
        .endr
        TSCAN loope, 0x77770003, 0, 1
        TSCAN loopne, 0x77770006, 5, 1
        TSCAN loope, 0x77770000, 0, 1
        .irp n, 0, 1, 0x10000, 0x10001, 0xffff0000, 0xffffffff
        TJCXZ \n
        .endr
        EXIT 0
