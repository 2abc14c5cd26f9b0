# Executes INT3 at ring 0: without an IDT (not implemented yet) the VM stops with a clear message, status 3.
        .include "multiboot.inc"
_start:
        int3
        jmp .
