/* The memory devices: /dev/null, zero, full, random, urandom (drivers/mem.c). */
#ifndef EYN_MEM_H
#define EYN_MEM_H

#include "types.h"

struct file;

/* Register the devices (their nodes appear with chrdev_make_nodes). */
void mem_devices_init(void);
/* True if f is open on /dev/zero (whose mappings are anonymous memory). */
bool mem_is_zero_device(const struct file *f);

#endif
