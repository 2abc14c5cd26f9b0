# Code whose linear page changes what it maps: an instruction fetch from a
# not-present page (the handler maps it and returns with no INVLPG: a CPU
# caches no not-present entries), the page remapped to other code with
# INVLPG, and two address spaces (CR3) holding different code at the same
# linear address. Each step calls the code ROUNDS times, so translated code
# meets the changes too. Output on COM1.
        .include "multiboot.inc"
        .set PTE_PRESENT_WRITABLE, 0x3
        .set CODE, 0x40000000
        .set ROUNDS, 3000
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
        # The code pages: code_a returns 1, code_b returns 2.
        mov esi, offset returns_1
        mov edi, offset code_a
        mov ecx, returns_1_end - returns_1
        rep movsb
        mov esi, offset returns_2
        mov edi, offset code_b
        mov ecx, returns_2_end - returns_2
        rep movsb
        # Page table 0: the first 4 MiB one to one, in both directories.
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
        mov [directory_a], eax
        mov [directory_b], eax
        # CODE (directory entry 256): page_table_a, its entry 0 not present yet, in directory_a;
        # page_table_b, mapping code_b, in directory_b.
        mov eax, offset page_table_a
        or eax, PTE_PRESENT_WRITABLE
        mov [directory_a + 256 * 4], eax
        mov eax, offset code_b
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table_b], eax
        mov eax, offset page_table_b
        or eax, PTE_PRESENT_WRITABLE
        mov [directory_b + 256 * 4], eax
        mov eax, offset directory_a
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax

        # 1. The fetch faults; the handler maps code_a and returns to the CALL's target.
        mov ebx, CODE
        call ebx
        cmp eax, 1
        jne fail
        call sum_of_calls
        cmp edx, ROUNDS
        jne fail
        lea esi, fetch_msg
        call puts
        mov eax, [faults]
        call puthex
        mov al, '\n'
        call putc

        # 2. CODE now maps code_b; INVLPG drops the old translation.
        mov eax, offset code_b
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table_a], eax
        invlpg [CODE]
        call sum_of_calls
        cmp edx, 2 * ROUNDS
        jne fail
        lea esi, invlpg_msg
        call puts

        # 3. Back to code_a in directory_a; directory_b maps code_b: alternate CR3 between calls.
        mov eax, offset code_a
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table_a], eax
        invlpg [CODE]
        xor edx, edx
        mov ecx, ROUNDS
2:      mov eax, offset directory_a
        mov cr3, eax
        call ebx
        add edx, eax
        mov eax, offset directory_b
        mov cr3, eax
        call ebx
        add edx, eax
        dec ecx
        jnz 2b
        cmp edx, 3 * ROUNDS
        jne fail
        lea esi, spaces_msg
        call puts
        cli
        hlt
fail:
        lea esi, fail_msg
        call puts
        mov eax, edx
        call puthex
        mov al, '\n'
        call putc
        cli
        hlt

# EDX = the sum of ROUNDS calls to CODE (through EBX).
sum_of_calls:
        push ecx
        xor edx, edx
        mov ecx, ROUNDS
1:      call ebx
        add edx, eax
        dec ecx
        jnz 1b
        pop ecx
        ret

page_fault:
        push eax
        inc dword ptr [faults]
        mov eax, cr2
        cmp eax, CODE
        jne fail
        mov eax, offset code_a
        or eax, PTE_PRESENT_WRITABLE
        mov [page_table_a], eax
        pop eax
        add esp, 4                              # drop the error code
        iret

returns_1:
        mov eax, 1
        ret
returns_1_end:
returns_2:
        mov eax, 2
        ret
returns_2_end:

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
fetch_msg:  .asciz "fetch fault repaired, page faults: "
invlpg_msg: .asciz "remapped with invlpg\n"
spaces_msg: .asciz "two address spaces\n"
fail_msg:   .asciz "FAIL "

        .data
faults: .long 0

        .bss
        .align 4096
directory_a:  .space 4096
directory_b:  .space 4096
page_table0:  .space 4096
page_table_a: .space 4096
page_table_b: .space 4096
code_a:       .space 4096
code_b:       .space 4096
idt:          .space 256 * 8
        .align 16
        .space 8192
stack_top:
