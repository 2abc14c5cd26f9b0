# IN from a port with IOPL 0 and no I/O bitmap: #GP, SIGSEGV.
# The process must die exactly as on the real CPU under Linux (status 128 + signal).
        .include "fault.inc"
        FAULT_BEGIN port_io
        inb $0x60, %al
        FAULT_END
