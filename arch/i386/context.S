/*
 * void context_switch(uint32_t *save_esp, uint32_t new_esp)
 * Save the callee-saved registers on the current stack, store esp in
 * *save_esp, switch to new_esp and restore what was saved there.
 *
 * A new process's kernel stack is prepared so that the first switch to it
 * "returns" into proc_enter_user, which leaves through trap_return with the
 * user-mode trapframe built above it.
 */
.text
.globl context_switch
context_switch:
    movl 4(%esp), %eax
    movl 8(%esp), %edx
    pushl %ebp
    pushl %ebx
    pushl %esi
    pushl %edi
    movl %esp, (%eax)
    movl %edx, %esp
    popl %edi
    popl %esi
    popl %ebx
    popl %ebp
    ret

.globl proc_enter_user
proc_enter_user:
    jmp trap_return
