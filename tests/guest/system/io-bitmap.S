# The TSS I/O permission bitmap: ring-3 code with IOPL 0 may use the ports
# the bitmap allows (COM1, 0x3F8-0x3FF: OUT, IN and REP OUTSB) and no
# other: OUT to port 0x80 raises #GP(0). Output on COM1.
        .include "multiboot.inc"
        .include "rings.inc"
        .set COM1_PORT, 0x3F8                   # console.inc's COM1 is defined after its use here
        .set IO_BITMAP_BYTES, 0x400 / 8 + 1     # ports 0-0x3FF, then the terminating byte of ones
        .set TSS_WITH_BITMAP_LIMIT, 104 + IO_BITMAP_BYTES - 1
_start:
        mov word ptr [gdt_tss], TSS_WITH_BITMAP_LIMIT
        mov word ptr [tss + 0x66], 104          # the bitmap follows the TSS
        mov edi, offset io_bitmap
        mov ecx, IO_BITMAP_BYTES
        mov al, 0xFF                            # every port denied...
        rep stosb
        mov byte ptr [io_bitmap + COM1_PORT / 8], 0   # ...but COM1's eight
        enter_ring0_with_tss
        mov ecx, 13
        mov eax, offset general_protection
        call set_interrupt_gate
        lidt [idt_pointer]
        enter_ring3 user_code, 0x2              # EFLAGS: IOPL 0, IF clear

user_code:
        mov ax, USER_DS
        mov ds, ax
        mov es, ax
        mov dx, COM1_PORT
        mov al, 'o'
        out dx, al
        mov al, 'k'
        out dx, al
        mov dx, COM1_PORT + 5
        in al, dx                               # the line status register
        and al, 0x20                            # transmitter empty
        shr al, 5
        add al, '0'
        mov dx, COM1_PORT
        out dx, al
        mov al, '\n'
        out dx, al
        lea esi, user_msg
        mov ecx, user_msg_end - user_msg
        rep outsb
        out 0x80, al                            # not in the bitmap: #GP
        lea esi, fail_msg
        mov ecx, fail_msg_end - fail_msg
        rep outsb
        jmp .

general_protection:
        mov ax, KERNEL_DS
        mov ds, ax
        lea esi, gp_msg
        call puts
        mov eax, [esp]                          # the error code
        call puthex
        mov al, '\n'
        call putc
        cli
        hlt

        .include "console.inc"
        .include "gates.inc"

        .data
        descriptor_tables
user_msg:       .ascii "rep outsb from ring 3\n"
user_msg_end:
fail_msg:       .ascii "FAIL: port 0x80 was allowed\n"
fail_msg_end:
gp_msg:         .asciz "#GP from ring 3, error "

        .bss
        .align 4096
idt:    .space 256 * 8
tss:    .space 104
io_bitmap:
        .space IO_BITMAP_BYTES
        .align 16
        .space 4096
kernel_stack_top:
        .space 4096
user_stack_top:
