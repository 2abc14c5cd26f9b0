# wasmvisor's own guest kernel. A multiboot loader (`wasmvisor boot`, QEMU's
# -kernel, GRUB) starts it in 32-bit protected mode, paging off, at ring 0.
# It talks to the 16550A on COM1 by polling, reports what the loader handed
# over, counts the primes below 2,000,000 with a sieve (a loop hot enough to
# be translated), and halts with interrupts off, which ends the VM.
#
# Build: see build.sh (as --32, ld -m elf_i386; the image is committed so a
# fresh machine can boot it without a toolchain).

        .intel_syntax noprefix

        .set MULTIBOOT_MAGIC, 0x1BADB002
        .set MULTIBOOT_FLAGS, 0x00000003        # page-align modules, memory info
        .set BOOTLOADER_MAGIC, 0x2BADB002
        .set MBI_MEMORY, 1 << 0
        .set MBI_CMDLINE, 1 << 2

        .set COM1, 0x3F8
        .set UART_IER, 1
        .set UART_FCR, 2
        .set UART_LCR, 3
        .set UART_MCR, 4
        .set UART_LSR, 5
        .set LSR_THRE, 0x20

        .set SIEVE, 0x200000                    # 2 MB of flags above the kernel
        .set SIEVE_LIMIT, 2000000

        .section .multiboot, "a"
        .align 4
        .long MULTIBOOT_MAGIC, MULTIBOOT_FLAGS, -(MULTIBOOT_MAGIC + MULTIBOOT_FLAGS)

        .text
        .globl _start
_start:
        mov esp, offset stack_top
        mov [boot_magic], eax
        mov [boot_info], ebx
        call serial_init
        lea esi, banner
        call puts
        cmp dword ptr [boot_magic], BOOTLOADER_MAGIC
        jne not_multiboot
        mov ebx, [boot_info]
        test dword ptr [ebx], MBI_MEMORY
        jz 1f
        lea esi, memory_msg
        call puts
        mov eax, [ebx + 8]                      # mem_upper: KiB above 1 MiB
        add eax, 1024
        shr eax, 10
        call putdec
        lea esi, mib_msg
        call puts
1:      test dword ptr [ebx], MBI_CMDLINE
        jz 2f
        lea esi, cmdline_msg
        call puts
        mov esi, [ebx + 16]
        call puts
        mov al, '\n'
        call putc
2:      lea esi, sieve_msg
        call puts
        call count_primes
        call putdec
        mov al, '\n'
        call putc
        lea esi, halt_msg
        call puts
        cli
        hlt
        jmp .                                   # not reached: HLT with IF=0 ends the VM

not_multiboot:
        lea esi, not_multiboot_msg
        call puts
        cli
        hlt

# Programs COM1 for 115200 baud 8N1 with FIFOs, as a real kernel would.
serial_init:
        mov dx, COM1 + UART_IER
        xor al, al
        out dx, al
        mov dx, COM1 + UART_LCR
        mov al, 0x80                            # DLAB
        out dx, al
        mov dx, COM1
        mov al, 1                               # divisor 1: 115200 baud
        out dx, al
        inc dx
        xor al, al
        out dx, al
        mov dx, COM1 + UART_LCR
        mov al, 0x03                            # 8 bits, no parity, 1 stop bit
        out dx, al
        mov dx, COM1 + UART_FCR
        mov al, 0xC7                            # enable and clear FIFOs, trigger at 14
        out dx, al
        mov dx, COM1 + UART_MCR
        mov al, 0x0B                            # DTR, RTS, OUT2
        out dx, al
        ret

# putc: AL to COM1 once the transmit holding register is empty.
putc:
        push edx
        push eax
        mov dx, COM1 + UART_LSR
3:      in al, dx
        test al, LSR_THRE
        jz 3b
        pop eax
        mov dx, COM1
        out dx, al
        pop edx
        ret

# puts: the NUL-terminated string at ESI.
puts:
        push eax
4:      lodsb
        test al, al
        jz 5f
        call putc
        jmp 4b
5:      pop eax
        ret

# putdec: EAX in decimal.
putdec:
        push ebx
        push ecx
        push edx
        mov ebx, 10
        xor ecx, ecx
6:      xor edx, edx
        div ebx
        push edx
        inc ecx
        test eax, eax
        jnz 6b
7:      pop eax
        add al, '0'
        call putc
        loop 7b
        pop edx
        pop ecx
        pop ebx
        ret

# count_primes: EAX = the number of primes below SIEVE_LIMIT (sieve of Eratosthenes).
count_primes:
        push ebx
        push ecx
        push edi
        mov edi, SIEVE
        mov ecx, SIEVE_LIMIT
        mov al, 1
        rep stosb
        mov byte ptr [SIEVE], 0
        mov byte ptr [SIEVE + 1], 0
        mov ebx, 2
8:      mov eax, ebx
        imul eax, ebx
        cmp eax, SIEVE_LIMIT
        jae 10f
        cmp byte ptr [SIEVE + ebx], 0           # multiples of composites are crossed out already
        je 11f
12:     mov byte ptr [SIEVE + eax], 0
        add eax, ebx
        cmp eax, SIEVE_LIMIT
        jb 12b
11:     inc ebx
        jmp 8b
10:     xor eax, eax
        xor ecx, ecx
13:     movzx edx, byte ptr [SIEVE + ecx]
        add eax, edx
        inc ecx
        cmp ecx, SIEVE_LIMIT
        jb 13b
        pop edi
        pop ecx
        pop ebx
        ret

        .section .rodata
banner:            .asciz "wasmvisor hello-kernel: started by a multiboot loader\n"
memory_msg:        .asciz "memory: "
mib_msg:           .asciz " MiB\n"
cmdline_msg:       .asciz "command line: "
sieve_msg:         .asciz "primes below 2000000: "
halt_msg:          .asciz "halting with interrupts off\n"
not_multiboot_msg: .asciz "not started by a multiboot loader (EAX is not 0x2BADB002)\n"

        .bss
        .align 16
boot_magic:     .long 0
boot_info:      .long 0
stack:          .space 16384
stack_top:
