# Miscellaneous: RDTSC (only checked to never go backwards), CPUID (executed,
# nothing printed: values differ between CPUs), multi-byte NOPs and other
# hint encodings (PAUSE, ENDBR32, fences, PREFETCH), XLAT, MOV with moffs
# (A0-A3), immediates to memory and registers (incl. AH..BH), segment
# override prefixes on flat data, LOCK OR on the stack.
        .include "asmlib.inc"

        .section .data
        .balign 4
mvar:   .long 0x89abcdef
mvar2:  .long 0
xtab:   .set .Lv, 0
        .rept 256
        .byte (.Lv * 13 + 7) & 0xff
        .set .Lv, .Lv + 1
        .endr
tsc_lo: .long 0
tsc_hi: .long 0
bad:    .long 0
        .text

regsum:                                 # eax = checksum of ebx ecx edx esi edi ebp
        movl %ebx, %eax
        roll $3, %eax
        xorl %ecx, %eax
        roll $3, %eax
        xorl %edx, %eax
        roll $3, %eax
        xorl %esi, %eax
        roll $3, %eax
        xorl %edi, %eax
        roll $3, %eax
        xorl %ebp, %eax
        ret

        .globl _start
_start:
        # ---- RDTSC
        rdtsc
        movl %eax, tsc_lo
        movl %edx, tsc_hi
        movl $200, %ecx
1:      pushl %ecx
        rdtsc
        cmpl tsc_hi, %edx
        ja 2f
        jb 3f
        cmpl tsc_lo, %eax
        jae 2f
3:      incl bad
2:      movl %eax, tsc_lo
        movl %edx, tsc_hi
        popl %ecx
        loop 1b
        cmpl $0, bad
        jne 4f
        PRINT "rdtsc monotonic ok\n"
        jmp 5f
4:      PRINT "rdtsc went backwards\n"
5:
        # ---- CPUID (executed, not printed)
        xorl %eax, %eax
        cpuid
        movl $1, %eax
        cpuid
        PRINT "cpuid executed\n"

        # ---- NOPs and hints: registers must be unchanged
        movl $0x11111111, %ebx
        movl $0x22222222, %ecx
        movl $0x33333333, %edx
        movl $0x44444444, %esi
        movl $0x55555555, %edi
        movl $0x66666666, %ebp
        call regsum
        pushl %eax
        pushl $0x8d5
        popfl
        nop
        .byte 0x66, 0x90
        .byte 0x0f, 0x1f, 0x00
        .byte 0x0f, 0x1f, 0x40, 0x00
        .byte 0x0f, 0x1f, 0x44, 0x00, 0x00
        .byte 0x66, 0x0f, 0x1f, 0x44, 0x00, 0x00
        .byte 0x0f, 0x1f, 0x80, 0x00, 0x00, 0x00, 0x00
        .byte 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        .byte 0x66, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        .byte 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00
        .byte 0x0f, 0x1f, 0xc0                  # nop eax (register form)
        .byte 0x0f, 0x1e, 0xc8                  # hint nop (0f 1e /r)
        pause
        .byte 0xf3, 0x0f, 0x1e, 0xfb            # endbr32
        lfence
        mfence
        sfence
        prefetcht0 mvar
        prefetchnta mvar
        xchgl %eax, %eax
        movl %edi, %edi
        leal (%esi), %esi
        .byte 0x8d, 0x74, 0x26, 0x00            # lea 0(%esi,%eiz,1), %esi
        lock orl $0, (%esp)
        pushfl
        popl %eax
        andl $FL_NOAF, %eax             # (the LOCK OR leaves AF undefined)
        PRINT "flags after nops: "
        call hex16
        call regsum
        popl %ecx
        cmpl %ecx, %eax
        jne 1f
        PRINT " registers kept\n"
        jmp 2f
1:      PRINT " registers CHANGED\n"
2:
        # ---- XLAT
        PRINT "xlat:"
        movl $xtab, %ebx
        xorl %ecx, %ecx
1:      movl $0x12345600, %eax
        movb %cl, %al
        xlatb
        call space
        call hex32
        addl $17, %ecx
        cmpl $256, %ecx
        jb 1b
        call newline

        # ---- moffs and immediates
        PRINT "moffs:"
        movl mvar, %eax                 # A1
        call space
        call hex32
        movl $0x11111111, %eax
        movb mvar, %al                  # A0
        call space
        call hex32
        movw mvar+1, %ax                # 66 A1
        call space
        call hex32
        movl $0x01020304, %eax
        movl %eax, mvar2                # A3
        movb $0xaa, %al
        movb %al, mvar2+3               # A2
        movw $0xbbcc, %ax
        movw %ax, mvar2+1               # 66 A3
        movl mvar2, %eax
        call space
        call hex32
        call newline

        PRINT "mov imm:"
        movl $0xffffffff, mslot
        movb $0x12, mslot               # C6
        movw $0x3456, mslot+1           # 66 C7
        movl mslot, %eax
        call space
        call hex32
        movl $0x789abcde, mslot         # C7
        movl mslot, %eax
        call space
        call hex32
        movl $0xffffffff, %eax
        movl $0xffffffff, %ebx
        movl $0xffffffff, %ecx
        movl $0xffffffff, %edx
        movb $0x01, %al
        movb $0x02, %ah
        movb $0x03, %bl
        movb $0x04, %bh
        movb $0x05, %cl
        movb $0x06, %ch
        movb $0x07, %dl
        movb $0x08, %dh
        movb %ah, %bl                   # 8-bit register moves
        movb %dh, %cl
        movb %al, %ch
        movw $0x9999, %dx
        call space
        call hex32
        movl %ebx, %eax
        call space
        call hex32
        movl %ecx, %eax
        call space
        call hex32
        movl %edx, %eax
        call space
        call hex32
        movl $0x1234, %esi
        movw $0x5678, %si               # 66 BE
        movl %esi, %eax
        call space
        call hex32
        call newline

        # ---- segment overrides on flat data
        PRINT "segments:"
        movl %ds:mvar, %eax
        call space
        call hex32
        movl %es:mvar, %eax
        call space
        call hex32
        movl %ss:mvar, %eax
        call space
        call hex32
        movl %cs:mvar, %eax
        call space
        call hex32
        movl $mvar, %esi
        movl %ss:(%esi), %eax
        call space
        call hex32
        movl $0xdead, %eax
        movl %eax, %es:mvar2
        movl mvar2, %eax
        call space
        call hex32
        call newline
        EXIT 0
