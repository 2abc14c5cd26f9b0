# HLT at CPL 3: #GP, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN hlt
        hlt
        FAULT_END
