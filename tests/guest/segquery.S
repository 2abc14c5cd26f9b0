# LAR, LSL, VERR, VERW and ARPL on the selectors a 32-bit Linux process
# has: its code and data segments, a TLS segment it creates with
# set_thread_area, the null selector and an LDT selector (no LDT exists).
# Prints "NAME selector -> ZF value" per query (value only when ZF=1).
        .include "asmlib.inc"

# QUERY label, fn: print "label SEL -> zf [value]" for the query fn (ebx = value, ZF)
.macro QUERY label, fn
        PRINT "\label "
        movl cur_sel, %eax
        call hex16
        PRINT " -> "
        call \fn
        pushfl
        popl %edx
        shrl $6, %edx
        andl $1, %edx
        movl %edx, %eax
        call hex8
        testl %edx, %edx
        jz .Lq\@
        call space
        movl %ebx, %eax
        call hex32
.Lq\@:  call newline
.endm
        .text
        .globl _start

# query: eax = selector, esi = name; prints LAR, LSL, VERR and VERW results
query:
        movl %eax, cur_sel
        QUERY "lar ", larq
        QUERY "lsl ", lslq
        QUERY "verr", verrq
        QUERY "verw", verwq
        ret

larq:   xorl %ebx, %ebx
        lar cur_sel, %ebx
        ret
lslq:   xorl %ebx, %ebx
        lsl cur_sel, %ebx
        ret
verrq:  xorl %ebx, %ebx
        verr cur_sel
        ret
verwq:  xorl %ebx, %ebx
        verw cur_sel
        ret

_start:
        # A TLS descriptor like glibc's: base &tls_block, 4 GiB limit in pages, 32-bit, useable.
        movl $-1, udesc                 # entry_number: let the kernel choose
        movl $tls_block, udesc+4
        movl $0xfffff, udesc+8
        movl $0x51, udesc+12            # seg_32bit | limit_in_pages | useable
        movl $243, %eax                 # set_thread_area
        movl $udesc, %ebx
        int $0x80
        testl %eax, %eax
        jnz 9f
        movl udesc, %eax
        shll $3, %eax
        orl $3, %eax
        movl %eax, tls_sel

        movw %cs, %ax
        movzwl %ax, %eax
        call query
        movw %ds, %ax
        movzwl %ax, %eax
        call query
        movw %ss, %ax
        movzwl %ax, %eax
        call query
        movl tls_sel, %eax
        call query
        movl tls_sel, %eax
        andl $~3, %eax                  # RPL 0: still visible (DPL 3 >= CPL 3)
        call query
        xorl %eax, %eax                 # null selector
        call query
        movl $7, %eax                   # LDT selector: there is no LDT
        call query

        # ARPL: raises the destination's RPL to the source's.
        movw $0x20, %ax
        movw $0x2b, %bx
        arpl %bx, %ax
        call print_arpl
        movw $0x23, %ax
        movw $0x21, %bx
        arpl %bx, %ax
        call print_arpl
        movw $0x22, mslot
        movw $0x13, %bx
        arpl %bx, mslot
        movw mslot, %ax
        call print_arpl
        EXIT 0
9:      EXIT 1

print_arpl:                             # ax = result, ZF from ARPL
        pushfl
        popl %edx
        PRINT "arpl -> "
        movzwl %ax, %eax
        call hex16
        PRINT " zf="
        movl %edx, %eax
        shrl $6, %eax
        andl $1, %eax
        call hex16
        call newline
        ret

        .data
cur_sel: .long 0
tls_sel: .long 0
udesc:  .long 0, 0, 0, 0
tls_block: .long 0, 0, 0, 0
