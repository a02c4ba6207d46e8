/*
 * Kernel accesses that may fault on purpose. Each faulting instruction has an
 * __ex_table entry (instruction, fixup); the page-fault handler resumes at
 * the fixup, which returns -EFAULT (-14).
 */
.text

/* int probe_read_byte(vaddr_t addr, uint8_t *out): 0 or -EFAULT */
.globl probe_read_byte
probe_read_byte:
    movl 4(%esp), %ecx
1:  movzbl (%ecx), %edx
    movl 8(%esp), %ecx
    movb %dl, (%ecx)
    xorl %eax, %eax
    ret
2:  movl $-14, %eax
    ret

/* int probe_write_byte(vaddr_t addr, uint8_t value): 0 or -EFAULT */
.globl probe_write_byte
probe_write_byte:
    movl 4(%esp), %ecx
    movl 8(%esp), %edx
3:  movb %dl, (%ecx)
    xorl %eax, %eax
    ret
4:  movl $-14, %eax
    ret

.section __ex_table, "a"
.long 1b, 2b
.long 3b, 4b
