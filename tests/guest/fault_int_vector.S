# INT 0x81 (a vector the kernel does not open to user mode): #GP, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN int_vector
        int $0x81
        FAULT_END
