# Two-level paging at ring 0: an identity-mapped first 4 MiB, linear
# 0x40000000 aliasing a data page of the kernel, accessed and dirty bits,
# and a page fault (CR2 and error code) whose handler maps the page and
# returns to retry the access. Output on COM1.
        .include "multiboot.inc"
        .set PTE_PRESENT_WRITABLE, 0x3
        .set PTE_ACCESSED_DIRTY, 0x60
        .set ALIAS, 0x40000000
        .set MISSING, 0x40400010
_start:
        mov esp, offset stack_top
        reload_gdt
        mov ax, 0x10
        mov ds, ax
        mov es, ax
        mov ss, ax
        # IDT: vector 14 (#PF) only.
        mov ecx, 14
        mov eax, offset page_fault
        call set_interrupt_gate
        lidt [idt_pointer]
        # Page table 0: the first 4 MiB one to one.
        xor ecx, ecx
1:      mov eax, ecx
        shl eax, 12
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table0 + ecx * 4], eax
        inc ecx
        cmp ecx, 1024
        jb 1b
        mov eax, offset page_table0
        or eax, PTE_PRESENT_WRITABLE
        mov [page_directory], eax
        # Page table 1 maps ALIAS to alias_target; ALIAS's directory entry is 256, MISSING's (257) stays empty.
        mov eax, offset alias_target
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table1], eax
        mov eax, offset page_table1
        or eax, PTE_PRESENT_WRITABLE
        mov [page_directory + 256 * 4], eax
        mov eax, offset page_directory
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov dword ptr [ALIAS], 0x12345678
        mov dword ptr [ALIAS + 0x10], 0xCAFE
        cmp dword ptr [alias_target], 0x12345678
        jne fail
        lea esi, alias_msg
        call puts
        mov eax, [page_table1]
        and eax, PTE_ACCESSED_DIRTY
        cmp eax, PTE_ACCESSED_DIRTY
        jne fail
        lea esi, bits_msg
        call puts
        mov eax, [MISSING]                      # #PF: the handler maps it, then this runs again
        lea esi, retried_msg
        call puts
        call puthex
        mov al, '\n'
        call putc
        cli
        hlt
fail:
        lea esi, fail_msg
        call puts
        cli
        hlt

page_fault:
        push eax
        push esi
        lea esi, fault_msg
        call puts
        mov eax, cr2
        call puthex
        lea esi, error_msg
        call puts
        mov eax, [esp + 8]                      # the error code, under the two pushes
        call puthex
        mov al, '\n'
        call putc
        mov eax, offset page_table1
        or eax, PTE_PRESENT_WRITABLE
        mov [page_directory + 257 * 4], eax
        mov eax, cr3                            # reload CR3: the new entry is seen
        mov cr3, eax
        pop esi
        pop eax
        add esp, 4                              # drop the error code
        iret

        .include "console.inc"
        .include "gates.inc"

        .section .rodata
        .align 8
gdt:    .quad 0
        .quad 0x00CF9A000000FFFF
        .quad 0x00CF92000000FFFF
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt
idt_pointer:
        .word 256 * 8 - 1
        .long idt
alias_msg:   .asciz "alias ok\n"
bits_msg:    .asciz "accessed and dirty\n"
fault_msg:   .asciz "page fault at "
error_msg:   .asciz " error "
retried_msg: .asciz "retried "
fail_msg:    .asciz "FAIL\n"

        .bss
        .align 4096
page_directory: .space 4096
page_table0:    .space 4096
page_table1:    .space 4096
alias_target:   .space 4096
idt:            .space 256 * 8
        .align 16
        .space 8192
stack_top:
