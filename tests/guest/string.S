# String instructions MOVS STOS LODS CMPS SCAS (b/w/d) without prefix and
# with REP / REPE / REPNE, forward (CLD) and backward (STD), with counts 0,
# 1, 5, 13, 30 (CMPS/SCAS stop at the first (mis)match), overlapping MOVSB
# copies in both directions.  Printed after each: ESI/EDI as offsets into
# their buffers, ECX, EAX, the status flags (all six defined for CMPS/SCAS
# and untouched by the others or by a zero count), and a dump of the
# destination buffer for the writing instructions.
        .include "asmlib.inc"

        .section .bss
        .balign 16
srcbuf: .skip 128
dstbuf: .skip 128
        .text

initbufs:
        pushal
        xorl %ecx, %ecx
1:      movl %ecx, %eax
        imull $7, %eax
        addl $3, %eax
        movb %al, srcbuf(%ecx)
        movb %al, dstbuf(%ecx)
        cmpl $24, %ecx
        jb 2f
        cmpl $32, %ecx
        jb 3f
        cmpl $84, %ecx
        jb 2f
        cmpl $92, %ecx
        jae 2f
3:      movb $0x61, dstbuf(%ecx)
2:      incl %ecx
        cmpl $128, %ecx
        jb 1b
        notb dstbuf+16
        notb dstbuf+60
        notb dstbuf+112
        popal
        ret

# stack on entry: ret, edi esi ebp esp ebx edx ecx eax (pushal), eflags
report:
        PRINT " si="
        movl 8(%esp), %eax
        subl base_s, %eax
        call hex32
        PRINT " di="
        movl 4(%esp), %eax
        subl $dstbuf, %eax
        call hex32
        PRINT " cx="
        movl 28(%esp), %eax
        call hex32
        PRINT " ax="
        movl 32(%esp), %eax
        call hex32
        PRINT " fl="
        movl 36(%esp), %eax
        andl $FL_ALL, %eax
        call hex16
        ret

dumpdst:
        pushal
        PRINT " dst="
        xorl %ecx, %ecx
1:      movb dstbuf(%ecx), %al
        call hex8
        incl %ecx
        cmpl $128, %ecx
        jb 1b
        popal
        ret

        .section .data
base_s: .long 0
        .text

.macro SC op, pfx, df, n, soff, doff, eaxv=0xdeadbeef, same=0, dump=0
        call initbufs
        PRINT "\pfx \op df=\df n=\n s=\soff d=\doff same=\same:"
        .if \same
        movl $dstbuf, base_s
        movl $dstbuf+\soff, %esi
        .else
        movl $srcbuf, base_s
        movl $srcbuf+\soff, %esi
        .endif
        movl $dstbuf+\doff, %edi
        movl $\n, %ecx
        movl $\eaxv, %eax
        pushl $0x0885
        popfl
        .if \df
        std
        .endif
        \pfx \op
        pushfl
        cld
        pushal
        call report
        .if \dump
        call dumpdst
        .endif
        call newline
        popal
        popfl
.endm

        .globl _start
_start:
        .irp op, movsb, movsw, movsl
        SC \op, , 0, 1, 8, 8, , 0, 1
        SC \op, , 1, 1, 100, 100, , 0, 1
        .irp n, 0, 1, 5, 13
        SC \op, rep, 0, \n, 8, 8, , 0, 1
        SC \op, rep, 1, \n, 100, 100, , 0, 1
        .endr
        .endr
        # overlapping copies inside dstbuf
        SC movsb, rep, 0, 20, 8, 9, , 1, 1
        SC movsb, rep, 0, 20, 9, 8, , 1, 1
        SC movsb, rep, 1, 20, 40, 39, , 1, 1
        SC movsb, rep, 1, 20, 40, 41, , 1, 1
        SC movsl, rep, 0, 6, 8, 10, , 1, 1
        SC movsw, rep, 1, 7, 50, 49, , 1, 1
        .irp op, stosb, stosw, stosl
        SC \op, , 0, 1, 8, 8, 0x44434241, 0, 1
        SC \op, , 1, 1, 100, 100, 0x44434241, 0, 1
        .irp n, 0, 1, 5, 13
        SC \op, rep, 0, \n, 8, 8, 0x44434241, 0, 1
        SC \op, rep, 1, \n, 100, 100, 0x44434241, 0, 1
        .endr
        .endr
        .irp op, lodsb, lodsw, lodsl
        SC \op, , 0, 1, 8, 8
        SC \op, , 1, 1, 100, 100
        .irp n, 0, 1, 5, 13
        SC \op, rep, 0, \n, 8, 8
        SC \op, rep, 1, \n, 100, 100
        .endr
        .endr
        .irp op, cmpsb, cmpsw, cmpsl
        SC \op, , 0, 1, 8, 8
        SC \op, , 1, 1, 100, 100
        SC \op, , 0, 1, 16, 16
        .irp pfx, repe, repne
        .irp n, 0, 1, 30
        SC \op, \pfx, 0, \n, 8, 8
        SC \op, \pfx, 1, \n, 100, 100
        SC \op, \pfx, 0, \n, 16, 16
        SC \op, \pfx, 1, \n, 60, 60
        .endr
        .endr
        .endr
        .irp op, scasb, scasw, scasl
        SC \op, , 0, 1, 0, 8, 0x61616161
        SC \op, , 0, 1, 0, 24, 0x61616161
        SC \op, , 1, 1, 0, 100, 0x61616161
        .irp pfx, repe, repne
        .irp n, 0, 1, 30
        SC \op, \pfx, 0, \n, 0, 8, 0x61616161
        SC \op, \pfx, 1, \n, 0, 100, 0x61616161
        SC \op, \pfx, 0, \n, 0, 24, 0x61616161
        SC \op, \pfx, 1, \n, 0, 88, 0x61616161
        .endr
        .endr
        .endr
        EXIT 0
