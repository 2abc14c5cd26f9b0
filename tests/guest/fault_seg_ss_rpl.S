# Loading SS with Linux's data selector at RPL 0 (0x28): RPL must equal CPL 3, #GP, SIGSEGV.
        .include "fault.inc"
        FAULT_BEGIN seg_ss_rpl
        movw $0x28, %ax
        movw %ax, %es                   # a data segment register takes it
        movw %ax, %ss
        FAULT_END
