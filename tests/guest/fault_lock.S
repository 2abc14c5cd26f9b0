# LOCK on an instruction that cannot take it (NOP): #UD, SIGILL (status 132).
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN lock
        .byte 0xf0, 0x90
        FAULT_END
