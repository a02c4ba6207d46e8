/*
 * The disks of the machine: their drivers, device numbers and /dev nodes.
 * Device numbers follow Linux 6.1: virtio-blk has a dynamic major, 254 on a
 * machine with no other dynamic block driver, 16 minors per disk (vda =
 * 254:0, vdb = 254:16); the old IDE driver's hda/hdb are 3:0 and 3:64,
 * hdc/hdd 22:0 and 22:64.
 */
#ifndef EYN_DISKS_H
#define EYN_DISKS_H

#include "types.h"

#define VIRTBLK_MAJOR 254u
#define IDE0_MAJOR 3u
#define IDE1_MAJOR 22u

/* Device number of the index-th virtio disk / of drive (0 master, 1 slave) on ATA channel (0, 1). */
uint32_t disk_rdev_virtio(uint32_t index);
uint32_t disk_rdev_ata(unsigned channel, unsigned drive);

/* Register the disk drivers with the PCI layer (before pci_init). */
void virtio_blk_init(void);
void ata_init(void);
/* After the PCI scan: a /dev node for every registered disk (S_IFBLK, 0660), and one boot line each. */
void disks_register_nodes(void);
/* Print the disks with their sizes (the shell's `disks`). */
void disks_list(void);

#endif
