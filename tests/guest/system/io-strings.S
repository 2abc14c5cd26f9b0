# INS and OUTS through the I/O bus at ring 0: REP OUTSB sends a line to
# COM1, REP INSB reads the master 8259A's mask register back three times,
# and with DF set REP OUTSB walks a string backwards. Output on COM1.
        .include "multiboot.inc"
        .set PIC1_DATA, 0x21
        .set SERIAL_PORT, 0x3F8                 # COM1 (console.inc defines it after use)
_start:
        mov esp, offset stack_top
        cld
        mov dx, SERIAL_PORT
        lea esi, line
        mov ecx, line_end - line
        rep outsb
        mov eax, esi
        sub eax, offset line_end                # ESI ends past the line: 0
        call puthex
        mov al, '\n'
        call putc

        mov al, 0x5A
        out PIC1_DATA, al
        mov dx, PIC1_DATA
        lea edi, buffer
        mov ecx, 3
        rep insb
        lea esi, ins_msg
        call puts
        mov eax, [buffer]
        call puthex
        mov al, ' '
        call putc
        mov eax, edi
        sub eax, offset buffer
        call puthex
        mov al, '\n'
        call putc

        std
        mov dx, SERIAL_PORT
        lea esi, [reversed + 4]
        mov ecx, 5
        rep outsb
        cld
        mov al, '\n'
        call putc
        cli
        hlt

        .include "console.inc"

        .data
line:   .ascii "rep outsb to COM1\n"
line_end:
ins_msg: .asciz "rep insb from the PIC mask: "
reversed: .ascii "olleh"

        .bss
buffer: .space 16
        .align 16
        .space 4096
stack_top:
