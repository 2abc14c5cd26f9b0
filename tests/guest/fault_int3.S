# INT3: #BP, delivered as SIGTRAP (status 133).
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN int3
        int3
        FAULT_END
