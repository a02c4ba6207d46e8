/*
 * A process's regions as Linux's /proc/PID/maps and smaps print them; the
 * kernel shell's vmmap prints through the same code (with each region's
 * resident size added).
 */
#ifndef EYN_PROC_MAPS_H
#define EYN_PROC_MAPS_H

#include "types.h"

struct proc;
struct seqbuf;

#define MAPS_RESIDENT 1u /* vmmap: "N KiB" resident before each name */
#define MAPS_SMAPS 2u    /* smaps: the usage lines after each region */

/* Append p's regions (flags: MAPS_*) to s; nothing for a process without memory (a zombie). */
void proc_maps_show(struct seqbuf *s, struct proc *p, unsigned flags);

#endif
