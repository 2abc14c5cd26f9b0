# The soft TLB across ring changes, with paging and CR0.WP: the kernel
# touches a supervisor-only page before and during a system call; back at
# ring 3, the user's own page stays writable, and a user read of the
# supervisor page must raise #PF (error code 5: present, user, read) even
# though the kernel's access had cached its translation. Output on COM1.
        .include "multiboot.inc"
        .include "rings.inc"
        .set PTE_USER_WRITABLE, 0x7
        .set PTE_SUPERVISOR_WRITABLE, 0x3
        .set CR0_PG_WP, 0x80010000
_start:
        enter_ring0_with_tss
        ring3_gates system_call, general_protection
        mov ecx, 14
        mov eax, offset page_fault
        mov ebx, 0x8E00
        call set_gate
        lidt [idt_pointer]
        # The first 4 MiB one to one, all user pages but `secret`.
        xor ecx, ecx
1:      mov eax, ecx
        shl eax, 12
        or eax, PTE_USER_WRITABLE
        mov [page_table + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb 1b
        mov eax, offset secret
        mov ecx, eax
        shr ecx, 12
        or eax, PTE_SUPERVISOR_WRITABLE
        mov [page_table + ecx * 4], eax
        mov eax, offset page_table
        or eax, PTE_USER_WRITABLE
        mov [page_directory], eax
        mov eax, offset page_directory
        mov cr3, eax
        mov eax, cr0
        or eax, CR0_PG_WP
        mov cr0, eax
        mov dword ptr [secret], 0x5EC9E7                # the kernel caches the secret page
        enter_ring3 user_code, 0x2      # EFLAGS: IF clear

user_code:
        mov ax, USER_DS
        mov ds, ax
        mov es, ax
        mov dword ptr [user_data], 1
        lea esi, user_msg
        int 0x80
        add dword ptr [user_data], 1            # still writable after the round trip
        cmp dword ptr [user_data], 2
        jne user_fail
        mov ecx, [secret]                       # #PF: a supervisor page
user_fail:
        lea esi, user_fail_msg
        int 0x80
        jmp .

# system_call (ring 0): prints the string at ESI, touching the secret page on the way.
system_call:
        push eax
        mov ax, KERNEL_DS
        mov ds, ax
        add dword ptr [secret], 1
        call puts
        pop eax
        iret

page_fault:
        mov ax, KERNEL_DS
        mov ds, ax
        lea esi, fault_msg
        call puts
        mov eax, cr2
        sub eax, offset secret
        call puthex
        lea esi, error_msg
        call puts
        mov eax, [esp]                          # the error code
        call puthex
        mov al, '\n'
        call putc
        cli
        hlt

general_protection:
        lea esi, gp_msg
        call puts
        cli
        hlt

        .include "console.inc"
        .include "gates.inc"

        .data
        descriptor_tables
user_msg:       .asciz "system call from ring 3\n"
user_fail_msg:  .asciz "FAIL: ring 3 read the supervisor page\n"
fault_msg:      .asciz "page fault at secret+"
error_msg:      .asciz " error "
gp_msg:         .asciz "FAIL: general protection\n"
user_data:      .long 0

        .bss
        .align 4096
page_directory: .space 4096
page_table:     .space 4096
secret:         .space 4096
        ring_bss
