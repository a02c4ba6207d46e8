/*
 * Copies between kernel and user memory that may fault. A fault on a user
 * page first goes to the VM layer (demand paging); if it refuses, the
 * exception table resumes at the fixup, which returns -EFAULT (-14).
 * Callers check that the user range lies below USER_TOP first.
 */
.text

/*
 * int arch_copy_bytes(void *dst, const void *src, uint32_t n): 0 or -EFAULT.
 * Whole words with rep movsl, then the last 0-3 bytes with rep movsb: a
 * quarter of the iterations of a byte copy.
 */
.globl arch_copy_bytes
arch_copy_bytes:
    pushl %esi
    pushl %edi
    movl 12(%esp), %edi
    movl 16(%esp), %esi
    movl 20(%esp), %edx
    movl %edx, %ecx
    shrl $2, %ecx
1:  rep movsl
    movl %edx, %ecx
    andl $3, %ecx
7:  rep movsb
    xorl %eax, %eax
    popl %edi
    popl %esi
    ret
2:  movl $-14, %eax
    popl %edi
    popl %esi
    ret

/* int arch_strncpy_from(char *dst, const char *src, uint32_t max): length (without NUL), -EFAULT, or max if no NUL within max */
.globl arch_strncpy_from
arch_strncpy_from:
    pushl %esi
    pushl %edi
    movl 12(%esp), %edi
    movl 16(%esp), %esi
    movl 20(%esp), %ecx
    xorl %eax, %eax
3:  cmpl %ecx, %eax
    je 5f
4:  movb (%esi, %eax), %dl
    movb %dl, (%edi, %eax)
    testb %dl, %dl
    je 5f
    incl %eax
    jmp 3b
5:  popl %edi
    popl %esi
    ret
6:  movl $-14, %eax
    popl %edi
    popl %esi
    ret

.section __ex_table, "a"
.long 1b, 2b
.long 7b, 2b
.long 4b, 6b
