# Jumping into the (non-executable) stack: a page fault on fetch, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN exec_stack
        jmp *%esp
        FAULT_END
