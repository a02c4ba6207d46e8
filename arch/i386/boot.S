/*
 * Multiboot 1 entry. Runs at the physical load address with paging off,
 * builds a boot page directory that maps physical 0..4 MiB both at 0 and at
 * KERNEL_BASE, turns paging on and jumps to kmain in the higher half.
 * pmap_bootstrap later replaces the identity half and builds the real map.
 */
#define KERNEL_BASE 0xC0000000
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003 /* page-align modules, give memory info + map */

.section .multiboot, "a"
.align 4
.long MB_MAGIC
.long MB_FLAGS
.long -(MB_MAGIC + MB_FLAGS)

.section .boot.text, "ax"
.globl _start
_start:
    cli
    cld
    movl %eax, %esi                     /* multiboot magic */
    movl %ebx, %edi                     /* physical address of multiboot info */

    movl $(boot_page_table - KERNEL_BASE), %edx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $12, %eax
    orl $0x3, %eax                      /* present, writable */
    movl %eax, (%edx, %ecx, 4)
    incl %ecx
    cmpl $1024, %ecx
    jne 1b

    movl $(boot_page_directory - KERNEL_BASE), %edx
    movl $(boot_page_table - KERNEL_BASE + 0x3), %eax
    movl %eax, (%edx)                   /* identity 0..4 MiB, removed later */
    movl %eax, (768 * 4)(%edx)          /* KERNEL_BASE -> 0..4 MiB */
    movl %edx, %cr3
    movl %cr0, %eax
    orl $0x80000000, %eax
    movl %eax, %cr0
    movl $higher_half, %eax
    jmp *%eax

.text
higher_half:
    movl $boot_stack_top, %esp
    xorl %ebp, %ebp
    pushl %edi
    pushl %esi
    call kmain
2:  cli
    hlt
    jmp 2b

.section .bss.pagetables, "aw", @nobits
.align 4096
.globl boot_page_directory
boot_page_directory:
    .skip 4096
.globl boot_page_table
boot_page_table:
    .skip 4096

/* The boot stack; the page below it is left unmapped as a guard. */
.section .bss.stack, "aw", @nobits
.align 4096
.globl boot_stack_guard
boot_stack_guard:
    .skip 4096
.globl boot_stack_bottom
boot_stack_bottom:
    .skip 16384
.globl boot_stack_top
boot_stack_top:
