/*
 * Interrupt entry stubs. Each pushes a dummy error code when the CPU does
 * not, then the vector, and joins isr_common, which saves the registers as a
 * struct trapframe and calls trap_dispatch(tf).
 */
.macro STUB n
isr_\n:
.if (\n == 8) || (\n == 10) || (\n == 11) || (\n == 12) || (\n == 13) || (\n == 14) || (\n == 17) || (\n == 21)
    pushl $\n
.else
    pushl $0
    pushl $\n
.endif
    jmp isr_common
.endm

/* The rest of a struct trapframe (after error code and vector), kernel data segments, and tf as the argument. */
.macro SAVE_FRAME
    pushal
    pushl %ds
    pushl %es
    pushl %fs
    pushl %gs
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    cld
    pushl %esp
.endm

.text
.altmacro
.set i, 0
.rept 48
    STUB %i
    .set i, i + 1
.endr

/* int 0x80: the same frame, straight to syscall_trap (always from user mode). */
isr_128:
    pushl $0
    pushl $0x80
    SAVE_FRAME
    call syscall_trap
    addl $4, %esp
    jmp trap_return

isr_common:
    SAVE_FRAME
    call trap_dispatch
    addl $4, %esp
.globl trap_return
trap_return:
    popl %gs
    popl %fs
    popl %es
    popl %ds
    popal
    addl $8, %esp
    iret
.globl trap_return_end
trap_return_end:

.macro ADDR n
    .long isr_\n
.endm

.section .rodata
.globl isr_stub_table
isr_stub_table:
.set i, 0
.rept 48
    ADDR %i
    .set i, i + 1
.endr
.globl isr_stub_syscall
isr_stub_syscall:
    .long isr_128
