# Real mode, entered from protected mode the way the SDM describes (vol. 3,
# 10.9.2: a 16-bit code segment, 64 KiB data segments, CR0.PE cleared, a far
# jump), then back. In real mode: segment arithmetic, a 16-bit stack that
# wraps, 32-bit operands, INT and a divide error through a vector table of
# its own, a far call, REP MOVSB, unreal mode (FS keeps the 4 GiB limit it
# had in protected mode), the PIT's interrupts through the PIC with HLT.
# Output on COM1; the isa-debug-exit port ends the VM (status 1). The same
# kernel runs under qemu-system-i386, whose output the test compares.
        .include "multiboot.inc"
        .include "pic.inc"
        .set RM_SEG, 0x2000                     # the real-mode code runs at 0x20000: CS 0x2000, IP its offset in the blob
        .set RM_BASE, 0x20000
        .set HIGH_VALUE, 0x200000               # above 1 MiB: read in unreal mode
_start:
        cli
        mov esp, offset stack_top
        reload_gdt
        load_data_segments 0x10
        lea esi, hello
        call puts
        mov esi, offset rm_start
        mov edi, RM_BASE
        mov ecx, offset rm_end - rm_start
        rep movsb
        mov dword ptr [HIGH_VALUE], 0xC0FFEE42
        # 64 KiB data segments for real mode, except FS: it keeps 4 GiB.
        mov ax, 0x28
        mov ds, ax
        mov es, ax
        mov gs, ax
        mov ss, ax
        .byte 0xEA                              # jmp far 0x20:0, 16-bit protected mode at RM_BASE
        .long 0
        .word 0x20

back32:
        load_data_segments 0x10
        mov esp, offset stack_top
        lea esi, back_msg
        call puts
        mov al, 0
        out 0xF4, al
        hlt

        .include "console.inc"

# ---------------------------------------------------------------- 16-bit code, copied to RM_BASE
        .code16
rm_start:
        mov eax, cr0                            # 16-bit protected mode: PE off
        and al, 0xFE
        mov cr0, eax
        .byte 0xEA                              # jmp far RM_SEG:real_entry
        .word real_entry - rm_start
        .word RM_SEG
real_entry:
        mov ax, RM_SEG
        mov ds, ax
        mov es, ax
        mov ax, 0x3000
        mov ss, ax
        mov sp, 0xFFF0
        lidt [ivt_pointer - rm_start]
        mov al, 0xFF                            # every IRQ masked until the PIC is set up below
        out 0x21, al
        out 0xA1, al
        mov si, offset msg_real - rm_start
        call puts16
        smsw ax
        and eax, 1
        call puthex16
        call newline16

        # Segment arithmetic: 0x4000:0x0010 and 0x4001:0x0000 are the same byte.
        push ds
        mov ax, 0x4000
        mov es, ax
        mov word ptr es:[0x0010], 0xBEEF
        mov ax, 0x4001
        mov ds, ax
        mov ax, [0]
        pop ds
        mov si, offset msg_seg - rm_start
        call puts16
        call puthex16
        call newline16

        # A 16-bit stack wraps: SP 0 minus 2 is 0xFFFE in the same segment.
        mov bx, ss
        mov cx, sp
        mov ax, 0x5000
        mov ss, ax
        xor sp, sp
        push 0xABCD
        mov dx, sp
        mov ax, 0x5000
        mov es, ax
        mov ax, es:[0xFFFE]
        mov ss, bx
        mov sp, cx
        mov si, offset msg_wrap - rm_start
        call puts16
        shl eax, 16
        mov ax, dx
        call puthex16
        call newline16

        # A 32-bit push in real mode moves SP by 4.
        mov cx, sp
        push dword ptr 0x11223344
        mov dx, sp
        pop eax
        sub cx, dx
        mov si, offset msg_push32 - rm_start
        movzx ecx, cx
        call puts_pair16

        # INT 0x42 through the vector table: FLAGS, CS, IP pushed, IF cleared, IRET back.
        xor ax, ax
        mov es, ax
        mov word ptr es:[0x42 * 4], int42 - rm_start
        mov word ptr es:[0x42 * 4 + 2], RM_SEG
        mov word ptr es:[0 * 4], divide_error - rm_start
        mov word ptr es:[0 * 4 + 2], RM_SEG
        mov word ptr es:[8 * 4], timer - rm_start
        mov word ptr es:[8 * 4 + 2], RM_SEG
        mov cx, sp
        sti
        int 0x42
        cli
        sub cx, sp
        mov si, offset msg_int - rm_start
        movzx ecx, cx
        call puts_pair16                        # EAX from the handler: pushed IF, IF inside, CS pushed

        # A divide error: the handler skips the 2-byte DIV.
        xor cx, cx
        mov ax, 7
        div cl
        mov si, offset msg_after_div - rm_start
        call puts16

        # A far call into another segment that maps the same bytes: CS 0x1F00, IP + 0x1000.
        .byte 0x9A                              # call far 0x1F00:far_function
        .word far_function - rm_start + 0x1000
        .word 0x1F00
        mov si, offset msg_far - rm_start
        call puts16
        and eax, 0xFFFF
        call puthex16
        call newline16

        # REP MOVSB with SI, DI, CX: copy a line to 0x4000:0x0100, print it from there.
        mov ax, 0x4000
        mov es, ax
        mov si, offset msg_copied - rm_start
        mov di, 0x100
        mov cx, msg_copied_end - msg_copied
        cld
        rep movsb
        push ds
        mov ax, 0x4000
        mov ds, ax
        mov si, 0x100
        call puts16
        pop ds

        # Unreal mode: FS still has the 4 GiB limit of protected mode, even after a load in real mode.
        addr32 mov eax, fs:[HIGH_VALUE]
        mov si, offset msg_unreal - rm_start
        call puts16
        call puthex16
        mov al, ' '
        call putc16
        xor ax, ax
        mov fs, ax
        addr32 mov eax, fs:[HIGH_VALUE]
        call puthex16
        call newline16

        # The PIC at vectors 8-15 and 0x70 (the BIOS's layout), the PIT at 100 Hz, three ticks waited for with HLT.
        pic_init 0x08, 0x70
        pit_100hz
        sti
1:      hlt
        cmp word ptr [ticks - rm_start], 3
        jb 1b
        cli
        mov si, offset msg_ticks - rm_start
        call puts16

        # Back to protected mode: PE on, a far jump with a 32-bit offset to the 32-bit code segment.
        mov eax, cr0
        or al, 1
        mov cr0, eax
        .byte 0x66, 0xEA
        .long back32
        .word 0x08

int42:
        push bp
        mov bp, sp
        mov ax, [bp + 6]                        # the pushed FLAGS
        and ax, 0x200
        shl eax, 16
        pushf
        pop ax
        and ax, 0x200                           # IF inside the handler
        or ax, [bp + 4]                         # the pushed CS
        pop bp
        iret

divide_error:
        push bp
        mov bp, sp
        add word ptr [bp + 2], 2
        mov si, offset msg_div - rm_start
        call puts16
        pop bp
        iret

far_function:
        mov ax, cs
        retf

timer:
        push ax
        inc word ptr cs:[ticks - rm_start]
        mov al, 0x20
        out 0x20, al
        pop ax
        iret

putc16:
        push dx
        mov dx, 0x3F8
        out dx, al
        pop dx
        ret

puts16:
        push ax
2:      lodsb
        test al, al
        jz 3f
        call putc16
        jmp 2b
3:      pop ax
        ret

# The string at SI, EAX and ECX in hex, a newline.
puts_pair16:
        call puts16
        call puthex16
        mov al, ' '
        call putc16
        mov eax, ecx
        call puthex16
        jmp newline16

newline16:
        push ax
        mov al, '\n'
        call putc16
        pop ax
        ret

puthex16:
        push eax
        push ecx
        push edx
        mov edx, eax
        mov cx, 8
4:      rol edx, 4
        mov al, dl
        and al, 0xF
        add al, '0'
        cmp al, '9'
        jbe 5f
        add al, 'a' - '9' - 1
5:      call putc16
        loop 4b
        pop edx
        pop ecx
        pop eax
        ret

ivt_pointer:
        .word 0x3FF
        .long 0
ticks:
        .word 0
msg_real:       .asciz "real mode, PE "
msg_seg:        .asciz "0x4001:0 reads 0x4000:0x10: "
msg_wrap:       .asciz "push at SP 0: word, SP "
msg_push32:     .asciz "push dword: "
msg_int:        .asciz "int 0x42: "
msg_div:        .asciz "divide error\n"
msg_after_div:  .asciz "after the divide error\n"
msg_far:        .asciz "far call, CS "
msg_copied:     .asciz "copied by rep movsb\n"
msg_copied_end:
msg_unreal:     .asciz "unreal mode: "
msg_ticks:      .asciz "3 timer interrupts\n"
rm_end:
        .code32

hello:    .asciz "protected mode\n"
back_msg: .asciz "back in protected mode\n"

        .align 8
gdt:
        .quad 0
        .quad 0x00CF9A000000FFFF                # 0x08: 32-bit code, 4 GiB
        .quad 0x00CF92000000FFFF                # 0x10: data, 4 GiB
        .quad 0
        .long 0x0000FFFF, 0x00009A02            # 0x20: 16-bit code at RM_BASE, 64 KiB
        .long 0x0000FFFF, 0x00009200            # 0x28: 16-bit data at 0, 64 KiB
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt

        .bss
        .align 16
        .space 4096
stack_top:
