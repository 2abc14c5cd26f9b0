# INTO after a signed overflow: #OF, delivered as SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN into
        movl $0x7fffffff, %eax
        addl $1, %eax
        into
        FAULT_END
