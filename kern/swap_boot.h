/* The swap= boot option (kern/swap_boot.c). */
#ifndef EYN_SWAP_BOOT_H
#define EYN_SWAP_BOOT_H

/* Enable the area the command line names (swap=/dev/vdX or swap=/dev/vdX:PRIO), once the disks are known; a failure is printed and boot goes on. */
void swap_boot_option(void);

#endif
