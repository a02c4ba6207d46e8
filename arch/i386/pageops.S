/*
 * Whole-page zero and copy (4 KiB, 16-byte aligned). With SSE the kernel
 * borrows xmm registers, saving the user's values on the stack around the
 * loop (the FPU/SSE state of the current process is live in the registers);
 * without SSE, rep stosl / rep movsl.
 *
 * void arch_page_zero(void *va)
 * void arch_page_copy(void *dst, const void *src)
 */
.text
.globl arch_page_zero
arch_page_zero:
    movl 4(%esp), %edx
    cmpb $0, have_sse_pageops
    je 2f
    subl $16, %esp
    movdqu %xmm0, (%esp)
    pxor %xmm0, %xmm0
    leal 4096(%edx), %ecx
1:  movdqa %xmm0, 0(%edx)
    movdqa %xmm0, 16(%edx)
    movdqa %xmm0, 32(%edx)
    movdqa %xmm0, 48(%edx)
    movdqa %xmm0, 64(%edx)
    movdqa %xmm0, 80(%edx)
    movdqa %xmm0, 96(%edx)
    movdqa %xmm0, 112(%edx)
    addl $128, %edx
    cmpl %ecx, %edx
    jne 1b
    movdqu (%esp), %xmm0
    addl $16, %esp
    ret
2:  pushl %edi
    movl %edx, %edi
    xorl %eax, %eax
    movl $1024, %ecx
    rep stosl
    popl %edi
    ret

.globl arch_page_copy
arch_page_copy:
    movl 4(%esp), %edx
    movl 8(%esp), %eax
    cmpb $0, have_sse_pageops
    je 2f
    subl $64, %esp
    movdqu %xmm0, 0(%esp)
    movdqu %xmm1, 16(%esp)
    movdqu %xmm2, 32(%esp)
    movdqu %xmm3, 48(%esp)
    leal 4096(%edx), %ecx
1:  movdqa 0(%eax), %xmm0
    movdqa 16(%eax), %xmm1
    movdqa 32(%eax), %xmm2
    movdqa 48(%eax), %xmm3
    movdqa %xmm0, 0(%edx)
    movdqa %xmm1, 16(%edx)
    movdqa %xmm2, 32(%edx)
    movdqa %xmm3, 48(%edx)
    addl $64, %eax
    addl $64, %edx
    cmpl %ecx, %edx
    jne 1b
    movdqu 0(%esp), %xmm0
    movdqu 16(%esp), %xmm1
    movdqu 32(%esp), %xmm2
    movdqu 48(%esp), %xmm3
    addl $64, %esp
    ret
2:  pushl %edi
    pushl %esi
    movl %edx, %edi
    movl %eax, %esi
    movl $1024, %ecx
    rep movsl
    popl %esi
    popl %edi
    ret
