# Never stops: the VM ends at --timeout or --max-instructions (status 124).
        .include "multiboot.inc"
_start:
        inc eax
        jmp _start
