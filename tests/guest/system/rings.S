# Ring 3 and back: a GDT with ring-3 segments and a TSS (LTR), an IRET into
# ring-3 code, a system call through a DPL-3 trap gate (INT 0x80: the CPU
# takes the kernel stack from the TSS), then CLI at ring 3, which raises #GP
# into ring 0. Output on COM1.
        .include "multiboot.inc"
        .include "rings.inc"
_start:
        enter_ring0_with_tss
        ring3_gates system_call, general_protection
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
        enter_ring3 user_code, 0x2      # EFLAGS: IF clear

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
        descriptor_tables
msr_msg:        .asciz "msr ok\n"
msr_fail_msg:   .asciz "MSR FAIL\n"
user_msg:       .asciz "hello from ring 3\n"
gp_msg:         .asciz "general protection from ring 3\n"

        .bss
        .align 8
        ring_bss
