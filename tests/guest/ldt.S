# modify_ldt as a 32-bit process on Linux sees it: 32- and 16-bit data
# segments with a base and a limit used through %es and %fs, reading the LDT
# back (func 0) and the default LDT (func 2), the old (func 1) and new (0x11)
# write modes, the kernel's validation of struct user_desc, far calls into a
# 32-bit LDT code segment with a base and into a 16-bit one (16-bit operand
# and address size, near and far calls and returns inside it, a far jump
# back), LAR/LSL/VERR/VERW on LDT selectors and ARPL. Reloading DS/ES after
# a write to the entry they use is the kernel's refresh_ldt_segments().
        .include "asmlib.inc"

        .set SYS_modify_ldt, 123
        # struct user_desc flags
        .set F_32, 0x01
        .set F_DOWN, 0x02                # contents 1: expand-down data
        .set F_CODE, 0x04                # contents 2: code
        .set F_CONF, 0x06                # contents 3: conforming code
        .set F_RO, 0x08                  # read_exec_only
        .set F_PAGES, 0x10
        .set F_NP, 0x20                  # seg_not_present
        .set F_AVL, 0x40                 # useable
        .set F_LM, 0x80

# LDT func, entry, base, limit, flags: write a user_desc, call modify_ldt, print "name -> result"
.macro LDT name, func, entry, base, limit, flags
        movl $\entry, udesc
        movl $\base, udesc+4
        movl $\limit, udesc+8
        movl $\flags, udesc+12
        movl $\func, %ebx
        movl $udesc, %ecx
        movl $16, %edx
        call modify_ldt
        PRINT "\name -> "
        call hex32
        call newline
.endm

# SEL name, selector: print the LAR/LSL/VERR/VERW answers for a selector
.macro SEL sel
        movl $\sel, %eax
        call query
.endm

        .text
        .globl _start

modify_ldt:                             # ebx = func, ecx = ptr, edx = bytecount
        movl $SYS_modify_ldt, %eax
        int $0x80
        ret

# dump_ldt: read ecx bytes of the LDT with func 0 into ldtbuf, print the count and the descriptors
dump_ldt:
        pushal
        pushl %es
        pushl %ds
        popl %es
        movl %ecx, %edx
        movl $ldtbuf, %edi              # poison, to see what the kernel zero-fills
        movl $0xa5a5a5a5, %eax
        movl $64, %ecx
        rep stosl
        movl %edx, %ecx
        movl $0, %ebx
        movl %ecx, %edx
        movl $ldtbuf, %ecx
        call modify_ldt
        PRINT "read_ldt -> "
        call hex32
        call newline
        movl $0, %esi
1:      cmpl $16, %esi
        jae 2f
        PRINT "  "
        movl ldtbuf+4(,%esi,4), %eax
        call hex32
        call space
        movl ldtbuf(,%esi,4), %eax
        call hex32
        call newline
        addl $2, %esi
        jmp 1b
2:      popl %es
        popal
        ret

# query: eax = selector; prints "SEL lar ZF value lsl ZF value verr ZF verw ZF"
query:
        pushal
        movl %eax, %ecx
        call hex16
        xorl %ebx, %ebx
        lar %cx, %ebx
        call zf_value
        xorl %ebx, %ebx
        lsl %cx, %ebx
        call zf_value
        verr %cx
        call zf_only
        verw %cx
        call zf_only
        call newline
        popal
        ret
zf_value:                               # ZF, and ebx when ZF=1
        pushfl
        call zf_only
        popfl
        jnz 1f
        movl %ebx, %eax
        call hex32
1:      ret
zf_only:
        pushfl
        popl %eax
        shrl $6, %eax
        andl $1, %eax
        call space
        call hex8
        call space
        ret

_start:
        # ---------------------------------------------------------- no LDT yet
        movl $0, %ebx
        movl $ldtbuf, %ecx
        movl $64, %edx
        call modify_ldt
        PRINT "read_ldt, no LDT -> "
        call hex32
        call newline
        movl $2, %ebx                   # the default LDT: zeros, 128 bytes on a 64-bit kernel
        movl $ldtbuf, %ecx
        movl $200, %edx
        call modify_ldt
        PRINT "read_default_ldt 200 -> "
        call hex32
        call newline
        movl $2, %ebx
        movl $ldtbuf, %ecx
        movl $16, %edx
        call modify_ldt
        PRINT "read_default_ldt 16 -> "
        call hex32
        call newline
        movl $3, %ebx
        movl $ldtbuf, %ecx
        movl $16, %edx
        call modify_ldt
        PRINT "func 3 -> "
        call hex32
        call newline
        SEL 0x07

        # ---------------------------------------------------------- validation
        movl $0x11, %ebx
        movl $udesc, %ecx
        movl $12, %edx
        movl $0, udesc
        movl $0, udesc+4
        movl $0xff, udesc+8
        movl $F_32, udesc+12
        call modify_ldt
        PRINT "bytecount 12 -> "
        call hex32
        call newline
        movl $0x11, %ebx
        movl $16, %ecx                  # unmapped user_desc
        movl $16, %edx
        call modify_ldt
        PRINT "bad pointer -> "
        call hex32
        call newline
        LDT "entry 8192", 0x11, 8192, 0, 0xff, F_32
        LDT "entry -1", 0x11, -1, 0, 0xff, F_32
        LDT "conforming present", 0x11, 5, 0, 0xff, F_32|F_CONF
        LDT "conforming old mode", 1, 5, 0, 0xff, F_32|F_CONF|F_NP
        LDT "conforming not present", 0x11, 5, 0, 0xff, F_32|F_CONF|F_NP
        SEL 0x2f
        SEL 0x2c
        SEL 0x37                        # beyond the LDT's entries

        # ---------------------------------------------------------- data segments
        # entry 0: 32-bit data, base data_a, limit 0xff
        LDT "data32", 0x11, 0, data_a, 0xff, F_32
        # entry 1: 16-bit data, base data_a+0x40, limit 0x3f
        LDT "data16", 0x11, 1, data_a+0x40, 0x3f, 0
        movw $0x07, %ax
        movw %ax, %es
        movw $0x0f, %ax
        movw %ax, %fs
        movl $0x11223344, %es:0x10
        movl $0x55667788, %fs:0x4       # data_a+0x44
        movl %es:0x44, %eax             # the same dword through the other segment
        PRINT "es:0x44 = "
        call hex32
        call newline
        movl data_a+0x10, %eax
        PRINT "data_a+0x10 = "
        call hex32
        call newline
        movl $0x20, %edi                # string store through ES
        movb $0x5a, %al
        movl $4, %ecx
        rep stosb
        movl data_a+0x20, %eax
        PRINT "stosb es:0x20 = "
        call hex32
        call newline
        movw %es, %ax
        movzwl %ax, %eax
        PRINT "es = "
        call hex16
        call newline

        # old mode clears the available bit; a read-only, expand-down and a page-granular segment
        LDT "old mode avl", 1, 2, data_a, 0x12345, F_32|F_AVL
        LDT "new mode avl", 0x11, 3, 0x12345678, 0xabcde, F_AVL|F_RO|F_PAGES
        LDT "expand-down", 0x11, 4, data_a, 0x10, F_32|F_DOWN
        LDT "lm bit", 0x11, 6, 0, 0, F_RO|F_NP|F_LM
        LDT "all zero", 0x11, 7, 0, 0, 0
        movl $80, %ecx
        call dump_ldt

        # ---------------------------------------------------------- queries
        SEL 0x07
        SEL 0x04
        SEL 0x0f
        SEL 0x17
        SEL 0x1f
        SEL 0x27
        SEL 0x24
        SEL 0x2f
        SEL 0x37
        SEL 0x3f
        SEL 0x47
        SEL 0x23
        SEL 0x2b
        SEL 0x33
        # GDT_ENTRY_CPUNUMBER: LAR and VERR/VERW only (its limit is the CPU the process runs on)
        movl $0x7b, %ecx
        movl %ecx, %eax
        call hex16
        xorl %ebx, %ebx
        lar %cx, %ebx
        call zf_value
        verr %cx
        call zf_only
        verw %cx
        call zf_only
        call newline

        # ---------------------------------------------------------- clearing
        LDT "old mode base 0 limit 0", 1, 2, 0, 0, F_32
        LDT "LDT_empty", 0x11, 3, 0, 0, F_RO|F_NP
        movl $40, %ecx
        call dump_ldt
        SEL 0x17

        # rewriting the entry ES uses: the kernel reloads ES (and DS)
        LDT "rebase data32", 0x11, 0, data_a+0x40, 0xff, F_32
        movl %es:0x4, %eax
        PRINT "es:4 after rebase = "
        call hex32
        call newline
        LDT "clear data32", 0x11, 0, 0, 0, F_RO|F_NP
        movw %es, %ax
        movzwl %ax, %eax
        PRINT "es after clear = "
        call hex16
        call newline
        movw %ds, %ax
        movw %ax, %es

        # ---------------------------------------------------------- code segments
        # entry 8: 32-bit code at base code32_start
        LDT "code32", 0x11, 8, code32_start, 0xfff, F_32|F_CODE
        # entry 9: 16-bit code at base code16_start
        LDT "code16", 0x11, 9, code16_start, 0xffff, F_CODE
        # entry 10: 32-bit flat code, execute only, limit in pages
        LDT "code32 flat", 0x11, 10, 0, 0xfffff, F_32|F_CODE|F_RO|F_PAGES
        SEL 0x47
        SEL 0x4f
        SEL 0x57

        movl $3, %ebx
        lcall $0x47, $(c32_entry - code32_start)
        PRINT "code32: eax="
        call hex32
        PRINT " cs="
        movl %edx, %eax
        call hex16
        call newline

        lcall $0x57, $flat_far
        PRINT "flat ldt code: cs="
        call hex16
        call newline

        movl $0x1111, %ebx
        movl $0xabcd0000, %eax
        movl %esp, %ebp
        lcall $0x4f, $(c16_entry - code16_start)
        cmpl %esp, %ebp
        jne fail
        PRINT "code16: eax="
        call hex32
        PRINT " cs="
        movl %edx, %eax
        call hex16
        PRINT " ecx="
        movl %ecx, %eax
        call hex32
        PRINT " esi="
        movl %esi, %eax
        call hex32
        PRINT " di="
        movzwl %di, %eax
        call hex16
        call newline
        movl word16, %eax
        PRINT "word16 = "
        call hex32
        call newline

        pushfl
        pushl $0x4f
        pushl $(c16_jump - code16_start)
        iret                            # into 16-bit code: it comes back with a far jump
back32:
        PRINT "back from 16-bit code entered by iret: eax="
        call hex32
        movw %cs, %ax
        PRINT " cs="
        call hex16
        call newline

        # ARPL with LDT selectors
        movw $0x4c, %ax
        movw $0x4f, %bx
        arpl %bx, %ax
        pushfl
        PRINT "arpl 4c,4f -> "
        call hex16
        popl %eax
        shrl $6, %eax
        andl $1, %eax
        PRINT " zf="
        call hex8
        call newline
        EXIT 0
fail:
        PRINT "FAILED\n"
        EXIT 1

flat_far:                               # runs with CS = 0x57 (flat, from the LDT)
        movw %cs, %ax
        movzwl %ax, %eax
        lret

# ---------------------------------------------------------------- 32-bit code with a base
        .balign 16
code32_start:
        nop
c32_entry:                              # ebx in; eax = ebx * 7, edx = cs
        leal (%ebx,%ebx,2), %eax
        call 1f                         # a near call inside the based segment
        movw %cs, %dx
        movzwl %dx, %edx
        lret
1:      leal (%eax,%ebx,4), %eax
        ret
c32_ret16:                              # called by a 16-bit lcallw: 16-bit IP and CS on the stack
        movw 2(%esp), %si               # the caller's CS
        lretw

# ---------------------------------------------------------------- 16-bit code
        .balign 16
        .code16
code16_start:
        nop
c16_entry:                              # called by a 32-bit lcall: returns with lretl
        movw $0x1234, %ax               # eax high half kept
        addw %bx, %ax
        movw %cs, %dx
        call c16_near                   # 16-bit near call: pushes IP
        movw $0x0f, %cx                 # 16-bit data segment in FS, 16-bit addressing
        movw %cx, %fs
        movw $2, %bx
        movw $0xbeef, %fs:4(%bx)        # data_a+0x46
        movw %fs:4(%bx), %cx
        movw $0, %si
        movl %fs:4(%si), %esi           # operand-size prefix
        movl $word16, %edi              # address-size prefix: flat DS
        movw %cx, (%edi)
        lcallw $0x4f, $(c16_far - code16_start)
        lcallw $0x47, $(c32_ret16 - code32_start)  # into 32-bit code, which returns with lretw
        movw $3, %cx
1:      addw $0x10, %di
        loop 1b
        lretl

c16_near:
        pushw %ax
        incw %ax
        popw %cx
        ret

c16_far:                                # called by a 16-bit lcall: lretw
        movw %cs, %di
        lret

c16_jump:                               # reached by ljmp from 32-bit code
        movl $0x16161616, %eax
        ljmpl $0x23, $back32
        .code32

        .data
        .balign 16
data_a: .fill 256, 1, 0
word16: .long 0
udesc:  .long 0, 0, 0, 0
        .bss
        .balign 16
ldtbuf: .skip 256
