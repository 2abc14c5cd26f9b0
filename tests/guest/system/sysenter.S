# SYSENTER and SYSEXIT, as Linux's vDSO and entry code use them: CPUID
# reports SEP; SYSENTER with a null SYSENTER_CS MSR raises #GP(0); with the
# MSRs set, ring 3 enters ring 0 at SYSENTER_EIP on SYSENTER_ESP with
# CS = SYSENTER_CS, SS = SYSENTER_CS + 8 and IF clear; SYSEXIT returns to
# ring 3 at EDX on ECX with CS = SYSENTER_CS + 16 | 3 and SS = + 24 | 3; a
# ring-3 SYSEXIT raises #GP(0). Output on COM1.
        .include "multiboot.inc"
        .include "rings.inc"
        .set IA32_SYSENTER_CS, 0x174
        .set IA32_SYSENTER_ESP, 0x175
        .set IA32_SYSENTER_EIP, 0x176
        .set IF, 0x200
_start:
        # Ring 3 runs with IF set (SYSENTER must clear it): no device may interrupt, so the PIC masks every line
        # (without a BIOS, its vector base is 0; a timer tick there took the divide error's empty gate).
        mov al, 0xff
        out 0x21, al
        out 0xa1, al
        enter_ring0_with_tss
        ring3_gates finish, general_protection
        lidt [idt_pointer]

        mov eax, 1
        cpuid
        shr edx, 11
        and edx, 1
        lea esi, sep_msg
        call puts
        mov eax, edx
        call puthex
        mov al, '\n'
        call putc

        # SYSENTER_CS is still 0: #GP(0), which the handler reports and skips.
        sysenter

        mov ecx, IA32_SYSENTER_CS
        mov eax, KERNEL_CS
        xor edx, edx
        wrmsr
        mov ecx, IA32_SYSENTER_ESP
        mov eax, offset sysenter_stack_top
        wrmsr
        mov ecx, IA32_SYSENTER_EIP
        mov eax, offset sysenter_entry
        wrmsr
        enter_ring3 user_code, "IF | 0x2"    # EFLAGS: IF set

user_code:
        mov ax, USER_DS
        mov ds, ax
        mov es, ax
        mov ebp, esp
        mov ecx, esp                            # as the vDSO does: SYSEXIT returns to EDX on ECX
        mov edx, offset after_sysexit
        sysenter
after_sysexit:
        lea esi, back_msg
        xor eax, eax
        mov ax, cs
        xor ebx, ebx
        mov bx, ss
        cmp esp, ebp
        jne user_fail
        int 0x80                                # prints ESI, EAX, EBX and then runs SYSEXIT at ring 3
user_fail:
        lea esi, stack_fail_msg
        mov eax, esp
        int 0x80

# Ring 0, entered by SYSENTER: reports CS, SS, ESP and IF, then returns.
sysenter_entry:
        mov ax, KERNEL_DS
        mov ds, ax
        mov ebx, ecx                            # keep the user's ESP for SYSEXIT
        lea esi, entry_msg
        call puts
        xor eax, eax
        mov ax, cs
        call puthex
        mov al, ' '
        call putc
        mov ax, ss
        call puthex
        mov al, ' '
        call putc
        mov eax, esp
        sub eax, offset sysenter_stack_top
        call puthex
        lea esi, if_msg
        call puts
        pushfd
        pop eax
        and eax, IF
        call puthex
        mov al, '\n'
        call putc
        mov ecx, ebx
        sysexit

# INT 0x80 from ring 3: prints the string at ESI and EAX, EBX; then SYSEXIT at ring 3 must raise #GP.
finish:
        push ds
        push eax
        mov ax, KERNEL_DS
        mov ds, ax
        pop eax
        call puts
        call puthex
        mov al, ' '
        call putc
        mov eax, ebx
        call puthex
        mov al, '\n'
        call putc
        pop ds
        mov dword ptr [esp], offset ring3_sysexit   # return to it instead of the next instruction
        iret
ring3_sysexit:
        sysexit

general_protection:
        push eax
        push ds
        mov ax, KERNEL_DS
        mov ds, ax
        lea esi, gp_msg
        call puts
        mov eax, [esp + 8]                      # the error code
        call puthex
        lea esi, cpl_msg
        call puts
        mov eax, [esp + 16]                     # CS of the faulting code
        and eax, 3
        call puthex
        mov al, '\n'
        call putc
        pop ds
        pop eax
        cmp dword ptr [esp + 8], KERNEL_CS
        jne 1f
        add esp, 4                              # the error code
        add dword ptr [esp], 2                  # past the 2-byte SYSENTER
        iret
1:      cli                                     # the end: HLT with interrupts off
        hlt

        .include "console.inc"
        .include "gates.inc"

        .data
        descriptor_tables
sep_msg:        .asciz "cpuid sep "
entry_msg:      .asciz "sysenter: cs ss esp "
if_msg:         .asciz " if "
back_msg:       .asciz "sysexit: cs ss "
stack_fail_msg: .asciz "FAIL: sysexit returned on another stack "
gp_msg:         .asciz "#GP error "
cpl_msg:        .asciz " at cpl "

        .bss
        .align 4096
        ring_bss
        .space 4096
sysenter_stack_top:
