# Reading an address above the user address space: #PF, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN kernel_addr
        movl 0xffffe000, %eax
        FAULT_END
