# LEA with every addressing form: 32-bit ModRM (no disp, disp8, disp32,
# forced disp32), SIB with scales 1/2/4/8, no base (disp32), no index (index
# field 100 with nonzero scale bits), EBP/ESP bases, absolute disp32, 16-bit
# operand size (66), and 16-bit addressing (67 prefix) with all eight r/m
# combinations, disp8/disp16 and wrap-around; plus loads through
# base+index*scale+disp addressing.  Registers: EBX = A, ESI = ECX = B,
# EDI = B ^ 0x5a5a5a5a, EBP = A + 0x8765 (EAX = A before the LEA).
# ESP-based results are printed relative to ESP.  LEA affects no flag.
        .include "asmlib.inc"

        .section .rodata
        .balign 4
tab_base: .long 9, 0, 1, 0x7fff, 0x8000, 0xffff, 0x12345678, 0x80000000, 0xffffffff, 0xfffffff0
tab_idx:  .long 7, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x0000fff0, 0x40000001
tab_small: .long 8, 0, 1, 2, 3, 4, 5, 6, 7
arr:    .long 0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555
        .long 0x66666666, 0x77777777, 0x88888888, 0x99999999, 0xaaaaaaaa
        .long 0xbbbbbbbb, 0xcccccccc, 0xdddddddd, 0xeeeeeeee, 0xffffffff
        .long 0x01010101, 0x02020202, 0x03030303, 0x04040404, 0x05050505
        .text

.macro L name, rel, insn:vararg
        .text 1
        .balign 4
.Ls\@:  pushl %ebp
        movl %ebx, %esi
        movl %eax, %ebx
        movl %eax, %ebp
        addl $0x8765, %ebp
        movl %esi, %edi
        xorl $0x5a5a5a5a, %edi
        \insn
        .ifnb \rel
        subl %esp, %eax
        .endif
        popl %ebp
        ret
        STUBS .Ll\@, .Ls\@
        TEST "\name", .Ll\@, tab_base, tab_idx, fl1, mask_all
.endm

# raw encodings
.macro LB name, bytes:vararg
        .text 1
        .balign 4
.Ls\@:  pushl %ebp
        movl %eax, %ebx
        movl %eax, %ebp
        addl $0x8765, %ebp
        movl %ecx, %esi
        movl %esi, %edi
        xorl $0x5a5a5a5a, %edi
        .byte \bytes
        popl %ebp
        ret
        STUBS .Ll\@, .Ls\@
        TEST "\name", .Ll\@, tab_base, tab_idx, fl1, mask_all
.endm

.macro LD name, pre, insn:vararg        # loads from arr, B = 0..7
        .text 1
        .balign 4
.Ls\@:  movl %ebx, %esi
        movl $arr, %ebx
        movl $2, %edi
        .ifnb \pre
        leal (%ebx,%edi,4), %ecx
        .endif
        \insn
        movl %esi, %ebx
        ret
        STUBS .Ll\@, .Ls\@
        TEST "\name", .Ll\@, tab_zero, tab_small, fl1, mask_all
.endm

        .text
        .globl _start
_start:
        L "[ebx]", , leal (%ebx), %eax
        L "[ebx+7f]", , leal 0x7f(%ebx), %eax
        L "[ebx-80]", , leal -0x80(%ebx), %eax
        L "[ebx+12345678]", , leal 0x12345678(%ebx), %eax
        L "[ebx+d32 4]", , {disp32} leal 4(%ebx), %eax
        L "[esi+ebx]", , leal (%esi,%ebx), %eax
        L "[ebx+esi]", , leal (%ebx,%esi), %eax
        L "[ebx+esi*2]", , leal (%ebx,%esi,2), %eax
        L "[ebx+esi*4]", , leal (%ebx,%esi,4), %eax
        L "[ebx+esi*8]", , leal (%ebx,%esi,8), %eax
        L "[ebx+esi*8+10]", , leal 0x10(%ebx,%esi,8), %eax
        L "[ebx+esi*4-1234567]", , leal -0x1234567(%ebx,%esi,4), %eax
        L "[esi*4+100]", , leal 0x100(,%esi,4), %eax
        L "[esi*1-1]", , leal -1(,%esi,1), %eax
        L "[edi*2]", , leal (,%edi,2), %eax
        L "[12345678]", , leal 0x12345678, %eax
        L "[ebp]", , leal (%ebp), %eax
        L "[ebp+esi*2]", , leal (%ebp,%esi,2), %eax
        L "[ebp+ebp*4+1]", , leal 1(%ebp,%ebp,4), %eax
        L "[eax+eax*8]", , leal (%eax,%eax,8), %eax
        L "[ecx+ebx]", , leal (%ecx,%ebx), %eax
        L "[esp+4]", esp, leal 4(%esp), %eax
        L "[esp+esi*4+8]", esp, leal 8(%esp,%esi,4), %eax
        L "[esi+esp]", esp, leal (%esp,%esi), %eax
        L "lea16 [ebx+esi*2+1234]", , leaw 0x1234(%ebx,%esi,2), %ax
        L "lea16 [ebx-1]", , leaw -1(%ebx), %ax
        LB "sib-noindex [ebx] ss=1", 0x8d, 0x04, 0x63
        LB "sib-noindex [ebx] ss=3", 0x8d, 0x04, 0xe3
        LB "sib-nobase [d32] noindex", 0x8d, 0x04, 0x25, 0x78, 0x56, 0x34, 0x12
        LB "sib [esi+ebx] mod1", 0x8d, 0x44, 0x1e, 0x80
        LB "sib [ebp+edi*8] mod2", 0x8d, 0x84, 0xfd, 0x00, 0x00, 0x00, 0x80
        LB "sib [edi*4+d32] nobase", 0x8d, 0x04, 0xbd, 0xff, 0xff, 0xff, 0xff
        LB "sib [ebx+ebp*1] mod1", 0x8d, 0x44, 0x2b, 0x00
        # 16-bit addressing (67 prefix): result zero-extended, wraps at 64K
        L "a16 [bx+si]", , leal (%bx,%si), %eax
        L "a16 [bx+di]", , leal (%bx,%di), %eax
        L "a16 [bp+si]", , leal (%bp,%si), %eax
        L "a16 [bp+di]", , leal (%bp,%di), %eax
        L "a16 [si]", , leal (%si), %eax
        L "a16 [di]", , leal (%di), %eax
        L "a16 [bp]", , leal (%bp), %eax
        L "a16 [bx]", , leal (%bx), %eax
        L "a16 [1234]", , addr16 leal 0x1234, %eax
        L "a16 [bx+si+7f]", , leal 0x7f(%bx,%si), %eax
        L "a16 [bp+di-80]", , leal -0x80(%bp,%di), %eax
        L "a16 [bp+1234]", , leal 0x1234(%bp), %eax
        L "a16 [si+fedc]", , leal 0xfedc(%si), %eax
        L "a16 [bx+di+8000]", , leal 0x8000(%bx,%di), %eax
        L "a16 [di-1]", , leal -1(%di), %eax
        L "a16 op16 [bx+si+10]", , leaw 0x10(%bx,%si), %ax
        L "a16 op16 [bp+di]", , leaw (%bp,%di), %ax
        LB "a16 raw [bx+si] mod0", 0x67, 0x8d, 0x00
        LB "a16 raw [d16] mod0 rm6", 0x67, 0x8d, 0x06, 0xcd, 0xab
        LB "a16 raw [bp+d8] mod1 rm6", 0x67, 0x8d, 0x46, 0xff
        LB "a16 raw [bx+d16] mod2 rm7", 0x67, 0x8d, 0x87, 0x00, 0x80
        # loads through complex addressing (B = index 0..7)
        LD "load [arr+esi*4]", , movl arr(,%esi,4), %eax
        LD "load [ebx+esi*4+8]", , movl 8(%ebx,%esi,4), %eax
        LD "load [ebx+esi*2+edi]", pre, movl (%ecx,%esi,8), %eax
        LD "load [ebx+esi*8-4]", , movl -4+8(%ebx,%esi,8), %eax
        LD "load16 [ebx+esi*2+1]", , movzwl 1(%ebx,%esi,2), %eax
        LD "load8 [ebx+esi+13]", , movsbl 13(%ebx,%esi), %eax
        EXIT 0
