# Protected mode at ring 0 as a kernel sets it up: its own GDT (far jump to
# reload CS), an IDT of interrupt gates, INT3 and a divide error through it,
# then the 8259A and the 8254 at 100 Hz: it waits for 10 timer interrupts
# with HLT and halts with interrupts off. Output on COM1.
        .include "multiboot.inc"
        .include "pic.inc"
_start:
        mov esp, offset stack_top
        reload_gdt
        load_data_segments 0x10
        # Every vector to `unexpected`, then the three this kernel handles.
        xor ecx, ecx
1:      mov eax, offset unexpected
        call set_interrupt_gate
        inc ecx
        cmp ecx, 256
        jb 1b
        mov ecx, 0
        mov eax, offset divide_error
        call set_interrupt_gate
        mov ecx, 3
        mov eax, offset breakpoint
        call set_interrupt_gate
        mov ecx, 0x20
        mov eax, offset timer
        call set_interrupt_gate
        lidt [idt_pointer]
        int3
        xor ecx, ecx
        mov eax, 7
        div ecx                                 # F7 F1: the handler skips its two bytes
        pic_init 0x20, 0x28
        pit_100hz
        sti
2:      hlt
        cmp dword ptr [ticks], 10
        jb 2b
        cli
        lea esi, ticks_msg
        call puts
        hlt

timer:
        push eax
        inc dword ptr [ticks]
        mov al, 0x20                            # non-specific EOI
        out 0x20, al
        pop eax
        iret

breakpoint:
        push esi
        lea esi, breakpoint_msg
        call puts
        pop esi
        iret

divide_error:
        push esi
        lea esi, divide_msg
        call puts
        pop esi
        add dword ptr [esp], 2
        iret

unexpected:
        lea esi, unexpected_msg
        call puts
        cli
        hlt

        .include "console.inc"
        .include "gates.inc"

        .section .rodata
        .align 8
gdt:    .quad 0
        .quad 0x00CF9A000000FFFF                # 0x08: code, base 0, 4 GiB, ring 0
        .quad 0x00CF92000000FFFF                # 0x10: data, base 0, 4 GiB, ring 0
gdt_end:
gdt_pointer:
        .word gdt_end - gdt - 1
        .long gdt
idt_pointer:
        .word 256 * 8 - 1
        .long idt
breakpoint_msg: .asciz "breakpoint\n"
divide_msg:     .asciz "divide error\n"
ticks_msg:      .asciz "10 timer interrupts\n"
unexpected_msg: .asciz "unexpected interrupt\n"

        .bss
        .align 8
idt:    .space 256 * 8
ticks:  .long 0
        .align 16
        .space 8192
stack_top:
