# Loading a selector that names no descriptor into DS: #GP, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN selector
        movw $0x77, %ax
        movw %ax, %ds
        FAULT_END
