# Privileged instructions at CPL 3 (here MOV from CR0): #GP, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN privileged
        movl %cr0, %eax
        FAULT_END
