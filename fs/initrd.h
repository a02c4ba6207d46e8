/* The root file system: the first Multiboot module, a ustar archive. */
#ifndef EYN_INITRD_H
#define EYN_INITRD_H

/* Mount the first module as / if there is one (prints what happened). */
void initrd_mount(void);

#endif
