/*
 * The anonymous-object pager: memory that belongs to no file but is shared
 * by every mapping of it — MAP_SHARED anonymous memory today; tmpfs files
 * and SysV/POSIX shared memory later. Pages are created zero-filled on
 * first touch and live as long as the object.
 */
#ifndef EYN_AOBJ_H
#define EYN_AOBJ_H

#include "types.h"

struct vm_object;

/* A new anonymous object of size bytes with one reference (no pages yet), or NULL. */
struct vm_object *aobj_create(uint32_t size);

#endif
