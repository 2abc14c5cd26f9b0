# BOUND with an index above the upper bound: #BR, delivered by Linux as SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN bound
        movl $5, %eax
        pushl $3                        # upper bound
        pushl $1                        # lower bound
        bound %eax, (%esp)
        FAULT_END
