# Stack instructions: ENTER (levels 0..5, 31, 32, 33 masked to 5 bits, with
# and without locals), LEAVE, PUSH/POP of immediates
# (6A sign-extended, 68, 66-prefixed), memory, ESP itself (PUSH ESP pushes
# the old value, POP ESP, POP [ESP] addresses after the increment),
# PUSHA/POPA (32 and 16-bit), CALL/RET forms (indirect reg/mem, RET imm16)
# and indirect JMP through a table.  Stack addresses are printed relative
# (S+n = n bytes above the ESP before the test, F+n = inside the fake
# caller frame), so nothing depends on where the stack is.
        .include "asmlib.inc"

        .section .data
        .balign 4
fakeframe:
        .long 0xf0f0f0f0, 0xe1e1e1e1, 0xd2d2d2d2, 0xc3c3c3c3, 0xb4b4b4b4
        .long 0xa5a5a5a5, 0x96969696, 0x87878787, 0x78787878, 0x69696969
        .long 0x5a5a5a5a, 0x4b4b4b4b, 0x3c3c3c3c, 0x2d2d2d2d, 0x1e1e1e1e
        .long 0x0f0f0f0f
        .set .Lv, 32
        .rept 32
        .long 0x11110000 + .Lv
        .set .Lv, .Lv - 1
        .endr
fakebp: .long 0x99999999                # ENTER copies from fakebp-4, -8, ...
base:   .long 0
after:  .long 0
        .text

# print a dword (eax) as S+n / F+n / hex
sym:    pushl %eax
        pushl %ebx
        movl base, %ebx
        subl $0x10000, %ebx
        cmpl %ebx, %eax
        jb 1f
        cmpl base, %eax
        ja 1f
        subl base, %eax
        negl %eax
        PRINT "S-"
        call hex16
        jmp 9f
1:      cmpl $fakeframe, %eax
        jb 2f
        cmpl $fakebp+4, %eax
        ja 2f
        subl $fakeframe, %eax
        PRINT "F+"
        call hex16
        jmp 9f
2:      call hex32
9:      popl %ebx
        popl %eax
        ret

# print the ecx dwords below base (base-4, base-8, ...)
showpushed:
        pushal
        movl base, %esi
1:      testl %ecx, %ecx
        jz 2f
        subl $4, %esi
        movl (%esi), %eax
        call space
        call sym
        decl %ecx
        jmp 1b
2:      popal
        ret
# the same for ecx words
showpushedw:
        pushal
        movl base, %esi
1:      testl %ecx, %ecx
        jz 2f
        subl $2, %esi
        movzwl (%esi), %eax
        call space
        call hex16
        decl %ecx
        jmp 1b
2:      popal
        ret

# the printing code runs on the stack 4 KiB below the tested area
.macro PSTACK
        movl base, %esp
        subl $4096, %esp
.endm

.macro TENTER size, level
        movl %esp, base
        movl $fakebp, %ebp
        enter $\size, $\level
        movl %esp, after
        movl %ebp, %edi
        PSTACK
        PRINT "enter \size,\level: esp="
        movl after, %eax
        call sym
        PRINT " ebp="
        movl %edi, %eax
        call sym
        PRINT " pushed:"
        .if (\level & 31) == 0
        movl $1, %ecx
        .else
        movl $((\level & 31) + 1), %ecx
        .endif
        call showpushed
        movl after, %esp
        movl %edi, %ebp
        leave
        movl %esp, %eax
        movl %ebp, %edi
        PSTACK
        PRINT " leave: esp="
        call sym
        PRINT " ebp="
        movl %edi, %eax
        call sym
        call newline
.endm


# TB; instructions; TE name, n: run the instructions with base = esp, then
# print esp and the n dwords pushed
.macro TB
        movl %esp, base
.endm
.macro TE name, n, w=, spslot=
        movl %esp, after
        .ifnb \spslot                   # a pushed SP: make it relative
        movl base, %eax
        movw %ax, %cx
        subw -\spslot(%eax), %cx
        movw %cx, -\spslot(%eax)
        .endif
        PSTACK
        PRINT "\name: esp="
        movl after, %eax
        call sym
        PRINT " pushed:"
        movl $\n, %ecx
        .ifb \w
        call showpushed
        .else
        call showpushedw
        .endif
        call newline
        movl base, %esp
.endm

        .balign 4
jtab:   .long .Lj0, .Lj1, .Lj2, .Lj3
callee: movl $0xc0ffee, %eax
        ret
callee8:
        movl 4(%esp), %eax
        addl 8(%esp), %eax
        ret $8
        .section .data
cptr:   .long callee
        .text

        .globl _start
_start:
        .irp level, 0, 1, 2, 3, 4, 5, 31, 32, 33
        TENTER 0, \level
        TENTER 12, \level
        .endr
        TENTER 0x1234, 2

        TB
        pushl $-1
        TE "push imm8 -1", 1
        TB
        pushl $0x7f
        TE "push imm8 7f", 1
        TB
        pushl $-0x80
        TE "push imm8 -80", 1
        TB
        pushl $0x12345678
        TE "push imm32", 1
        TB
        pushw $0x1234
        TE "pushw imm16", 1, w
        TB
        pushw $-2
        TE "pushw imm8", 1, w
        TB
        pushl fakeframe+8
        TE "push mem", 1
        TB
        pushw fakeframe+4
        TE "pushw mem", 1, w
        TB
        pushl %esp
        TE "push esp", 1
        TB
        pushw %sp
        TE "pushw sp (relative)", 1, w, 2
        TB
        pushl $0xaaaa5555
        pushl (%esp)
        TE "push [esp]", 2
        TB
        pushl $0x11111111
        pushl $0x22222222
        popl (%esp)
        TE "pop [esp]", 2
        TB
        pushl $0x1
        pushl $0x2
        pushl $0x3
        popl 4(%esp)
        TE "pop [esp+4]", 3
        TB
        pushl $0x1
        movl %esp, %eax
        subl $4, %eax
        pushl %eax
        popl %esp
        TE "pop esp", 2
        TB
        pushl $0x13572468
        popl mslot
        pushl mslot
        pushl mslot
        popl %eax
        TE "pop mem", 1
        TB
        pushl $0xffffffff
        pushw $0x4321
        pushw $0x8765
        popw %ax
        pushw %ax
        TE "pushw/popw", 4, w
        .irp n, 0, 1
        TB
        movl $0x11111111, %eax
        movl $0x22222222, %ecx
        movl $0x33333333, %edx
        movl $0x44444444, %ebx
        movl $0x66666666, %ebp
        movl $0x77777777, %esi
        movl $0x88888888, %edi
        .if \n
        pushaw
        .else
        pushal
        .endif
        .if \n
        TE "pushaw (sp relative)", 8, w, 10
        .else
        TE "pusha", 8
        .endif
        .endr
        movl %esp, base
        movl $0x11111111, %eax
        movl $0x22222222, %ecx
        movl $0x33333333, %edx
        movl $0x44444444, %ebx
        movl $0x66666666, %ebp
        movl $0x77777777, %esi
        movl $0x88888888, %edi
        pushal
        movl $0, %eax
        movl $0, %ecx
        movl $0, %edx
        movl $0, %ebx
        movl $0, %ebp
        movl $0, %esi
        movl $0, %edi
        movl $0x5555, 12(%esp)          # the ESP slot is ignored by POPA
        popal
        pushl %eax
        PRINT "popa:"
        popl %eax
        call space
        call hex32
        movl %ecx, %eax
        call space
        call hex32
        movl %edx, %eax
        call space
        call hex32
        movl %ebx, %eax
        call space
        call hex32
        movl %ebp, %eax
        call space
        call hex32
        movl %esi, %eax
        call space
        call hex32
        movl %edi, %eax
        call space
        call hex32
        movl %esp, %eax
        call space
        call sym
        call newline
        movl $0xaaaabbbb, %eax
        movl $0xccccdddd, %ebx
        pushaw
        movw $0, %ax
        movw $0, %bx
        popaw
        PRINT "popaw: "
        call hex32
        movl %ebx, %eax
        call space
        call hex32
        call newline

        # calls
        movl $callee, %ecx
        xorl %eax, %eax
        call *%ecx
        PRINT "call reg: "
        call hex32
        xorl %eax, %eax
        call *cptr
        PRINT " call mem: "
        call hex32
        movl %esp, base
        pushl $0x1000
        pushl $0x0234
        call callee8
        PRINT " ret imm16: "
        call hex32
        movl %esp, %eax
        call space
        call sym
        call next
next:   popl %eax
        subl $next, %eax
        PRINT " call-pop: "
        call hex32
        call newline
        xorl %ecx, %ecx
.Ljloop:
        movl %ecx, %ebx
        jmp *jtab(,%ebx,4)
.Lj0:   PRINT "j0 "
        jmp .Ljnext
.Lj1:   PRINT "j1 "
        jmp .Ljnext
.Lj2:   PRINT "j2 "
        jmp .Ljnext
.Lj3:   PRINT "j3 "
.Ljnext:
        incl %ecx
        cmpl $4, %ecx
        jb .Ljloop
        call newline
        EXIT 0
