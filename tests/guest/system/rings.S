# Ring 3 and back: a GDT with ring-3 segments and a TSS (LTR), an IRET into
# ring-3 code, a system call through a DPL-3 trap gate (INT 0x80: the CPU
# takes the kernel stack from the TSS), then CLI at ring 3, which raises #GP
# into ring 0. Output on COM1.
        .include "multiboot.inc"
        .set KERNEL_CS, 0x08
        .set KERNEL_DS, 0x10
        .set USER_CS, 0x18 | 3
        .set USER_DS, 0x20 | 3
        .set TSS_SELECTOR, 0x28
_start:
        mov esp, offset kernel_stack_top
        # The TSS descriptor's base is only known at link time in pieces: fill it in.
        mov eax, offset tss
        mov [gdt_tss + 2], ax
        shr eax, 16
        mov [gdt_tss + 4], al
        mov [gdt_tss + 7], ah
        lgdt [gdt_pointer]
        .byte 0xEA                              # jmp far 0x08:reload
        .long reload
        .word KERNEL_CS
reload:
        mov ax, KERNEL_DS
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov dword ptr [tss + 4], offset kernel_stack_top   # ESP0
        mov dword ptr [tss + 8], KERNEL_DS                  # SS0
        xor eax, eax                            # no LDT, as Linux's early code loads
        lldt ax
        mov ax, TSS_SELECTOR
        ltr ax
        mov ecx, 0x80
        mov eax, offset system_call
        mov ebx, 0xEF00                         # present, DPL 3, 32-bit trap gate
        call set_gate
        mov ecx, 13
        mov eax, offset general_protection
        mov ebx, 0x8E00                         # present, DPL 0, 32-bit interrupt gate
        call set_gate
        lidt [idt_pointer]
        # MSRs: SYSENTER_CS keeps what is written, an unknown one reads 0, the TSC moves.
        mov ecx, 0x174
        mov eax, KERNEL_CS
        xor edx, edx
        wrmsr
        xor eax, eax
        rdmsr
        cmp eax, KERNEL_CS
        jne msr_fail
        mov ecx, 0x179
        rdmsr
        or eax, edx
        jnz msr_fail
        mov ecx, 0x10
        rdmsr
        mov ebx, eax
        rdmsr
        cmp eax, ebx
        je msr_fail
        lea esi, msr_msg
        call puts
        push USER_DS                            # SS
        push offset user_stack_top              # ESP
        push 0x2                                # EFLAGS: IF clear
        push USER_CS
        push offset user_code
        iret

user_code:
        mov ax, USER_DS
        mov ds, ax
        mov es, ax
        lea esi, user_msg
        int 0x80
        cli                                     # #GP at ring 3 (IOPL 0)
        jmp .

msr_fail:
        lea esi, msr_fail_msg
        call puts
        cli
        hlt

# system_call (ring 0): prints the string at ESI.
system_call:
        push eax
        mov ax, KERNEL_DS
        mov ds, ax
        call puts
        pop eax
        iret

general_protection:
        mov ax, KERNEL_DS
        mov ds, ax
        mov eax, [esp + 8]                      # the saved CS, above the error code and EIP
        and eax, 3
        cmp eax, 3
        jne 1f
        lea esi, gp_msg
        call puts
1:      cli
        hlt

        .include "console.inc"
        .include "gates.inc"

        .data
        .align 8
gdt:    .quad 0
        .quad 0x00CF9A000000FFFF                # 0x08 kernel code
        .quad 0x00CF92000000FFFF                # 0x10 kernel data
        .quad 0x00CFFA000000FFFF                # 0x18 user code (DPL 3)
        .quad 0x00CFF2000000FFFF                # 0x20 user data (DPL 3)
gdt_tss:
        .quad 0x0000890000000067                # 0x28 available 32-bit TSS, 104 bytes; base filled in
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt
idt_pointer:
        .word 256 * 8 - 1
        .long idt
msr_msg:        .asciz "msr ok\n"
msr_fail_msg:   .asciz "MSR FAIL\n"
user_msg:       .asciz "hello from ring 3\n"
gp_msg:         .asciz "general protection from ring 3\n"

        .bss
        .align 8
idt:    .space 256 * 8
tss:    .space 104
        .align 16
        .space 4096
kernel_stack_top:
        .space 4096
user_stack_top:
