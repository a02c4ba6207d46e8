/*
 * The Linux i386 file ABI: open flags, *at flags, mode bits, ioctl numbers
 * and the structures the file system calls copy out, laid out exactly as
 * Linux i386 defines them (sizes checked at compile time).
 */
#ifndef EYN_FS_ABI_H
#define EYN_FS_ABI_H

#include "types.h"

/* open(2) flags (octal, as in Linux asm-generic/fcntl.h) */
#define O_ACCMODE 03u
#define O_RDONLY 00u
#define O_WRONLY 01u
#define O_RDWR 02u
#define O_CREAT 0100u
#define O_EXCL 0200u
#define O_NOCTTY 0400u
#define O_TRUNC 01000u
#define O_APPEND 02000u
#define O_NONBLOCK 04000u
#define O_DSYNC 010000u
#define O_ASYNC 020000u
#define O_DIRECT 040000u
#define O_LARGEFILE 0100000u
#define O_DIRECTORY 0200000u
#define O_NOFOLLOW 0400000u
#define O_NOATIME 01000000u
#define O_CLOEXEC 02000000u
#define O_SYNC 04010000u
#define O_PATH 010000000u
#define O_TMPFILE 020200000u
/* flags that only steer open itself and are not kept in the file */
#define O_OPEN_ONLY (O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC)
/* the status flags F_SETFL may change */
#define O_SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* *at(2) */
#define AT_FDCWD (-100)
#define AT_SYMLINK_NOFOLLOW 0x100u
#define AT_EACCESS 0x200u
#define AT_NO_AUTOMOUNT 0x800u
#define AT_EMPTY_PATH 0x1000u
#define AT_STATX_SYNC_TYPE 0x6000u

/* access(2) */
#define R_OK 4u
#define W_OK 2u
#define X_OK 1u

/* lseek(2) */
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4

/* fcntl(2) */
#define F_DUPFD 0
#define F_GETFD 1
#define F_SETFD 2
#define F_GETFL 3
#define F_SETFL 4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC 1u

/* st_mode types beyond fs/vfs.h */
#define S_IFIFO 0010000u
#define S_IFCHR 0020000u
#define S_IFBLK 0060000u

/* getdents d_type */
#define DT_FIFO 1
#define DT_CHR 2
#define DT_DIR 4
#define DT_BLK 6
#define DT_REG 8
#define DT_LNK 10

/* ioctl(2) */
#define TCGETS 0x5401u
#define TCSETS 0x5402u
#define TCSETSW 0x5403u
#define TCSETSF 0x5404u
#define TIOCGPGRP 0x540Fu
#define TIOCSPGRP 0x5410u
#define TIOCGWINSZ 0x5413u
#define TIOCSWINSZ 0x5414u
#define FIONREAD 0x541Bu
#define TIOCSCTTY 0x540Eu
#define TIOCNOTTY 0x5422u
#define TIOCGSID 0x5429u
#define FIONBIO 0x5421u
#define FIONCLEX 0x5450u
#define FIOCLEX 0x5451u
/* block devices (linux/fs.h, i386 values) */
#define BLKROGET 0x125Eu       /* int: read-only? */
#define BLKGETSIZE 0x1260u     /* unsigned long: size in 512-byte sectors */
#define BLKFLSBUF 0x1261u      /* flush buffers */
#define BLKSSZGET 0x1268u      /* int: logical sector size */
#define BLKGETSIZE64 0x80041272u /* uint64_t: size in bytes (_IOR(0x12, 114, size_t)) */
#define BLKPBSZGET 0x127Bu     /* unsigned int: physical sector size */

/* termios bits and control-character slots */
#define ICRNL 0000400u
#define IXON 0002000u
#define OPOST 0000001u
#define ONLCR 0000004u
#define B38400 0000017u
#define CS8 0000060u
#define CREAD 0000200u
#define HUPCL 0002000u
#define ISIG 0000001u
#define ICANON 0000002u
#define ECHO 0000010u
#define ECHOE 0000020u
#define ECHOK 0000040u
#define ECHOCTL 0001000u
#define ECHOKE 0004000u
#define IEXTEN 0100000u
#define NOFLSH 0000200u
#define TOSTOP 0000400u
#define VINTR 0
#define VQUIT 1
#define VERASE 2
#define VKILL 3
#define VEOF 4
#define VTIME 5
#define VMIN 6
#define VSUSP 10
#define NCCS 19

/* device numbers (Linux new_encode_dev for minors below 256) */
#define DEV_MAKE(major, minor) (((uint32_t)(major) << 8) | (uint32_t)(minor))
#define DEV_MAJOR(d) ((d) >> 8)
#define DEV_MINOR(d) ((d) & 0xFFu)
#define DEV_ROOTFS DEV_MAKE(0, 1)   /* the initrd tree */
#define DEV_DEVFS DEV_MAKE(0, 5)    /* where the console device node would live */
#define DEV_PIPEFS DEV_MAKE(0, 12)
#define RDEV_CONSOLE DEV_MAKE(5, 1) /* /dev/console */

#define PIPE_BUF 4096u /* writes up to this size are atomic */
#define IOV_MAX 1024u  /* UIO_MAXIOV */

struct linux_termios {
    uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
    uint8_t c_line;
    uint8_t c_cc[NCCS];
};

struct linux_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

/* i386 struct stat64: 64-bit fields are 4-byte aligned, as the i386 ABI lays them out */
struct linux_stat64 {
    uint64_t st_dev;
    uint8_t pad0[4];
    uint32_t st_ino_lo; /* __st_ino */
    uint32_t st_mode, st_nlink, st_uid, st_gid;
    uint64_t st_rdev;
    uint8_t pad3[4];
    int64_t st_size;
    uint32_t st_blksize;
    uint64_t st_blocks;
    uint32_t st_atime, st_atime_nsec, st_mtime, st_mtime_nsec, st_ctime, st_ctime_nsec;
    uint64_t st_ino;
};

struct linux_statx_timestamp {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct linux_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, spare0;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct linux_statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t stx_mnt_id;
    uint32_t stx_dio_mem_align, stx_dio_offset_align;
    uint64_t spare3[12];
};

#define STATX_BASIC_STATS 0x7FFu
#define STATX_RESERVED 0x80000000u

/* getdents64 record header; the name follows, NUL-terminated, padded to 8 */
struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
} __attribute__((packed));
#define DIRENT64_HEADER 19u

/* getdents record header; name, NUL, padding, then d_type in the last byte */
struct linux_dirent {
    uint32_t d_ino, d_off;
    uint16_t d_reclen;
} __attribute__((packed));
#define DIRENT_HEADER 10u

_Static_assert(sizeof(struct linux_termios) == 36, "termios is 36 bytes on i386");
_Static_assert(sizeof(struct linux_stat64) == 96, "stat64 is 96 bytes on i386");
_Static_assert(__builtin_offsetof(struct linux_stat64, st_size) == 44, "stat64.st_size at 44");
_Static_assert(__builtin_offsetof(struct linux_stat64, st_blocks) == 56, "stat64.st_blocks at 56");
_Static_assert(__builtin_offsetof(struct linux_stat64, st_ino) == 88, "stat64.st_ino at 88");
_Static_assert(sizeof(struct linux_statx) == 256, "statx is 256 bytes");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_mtime) == 112, "statx.stx_mtime at 112");
_Static_assert(__builtin_offsetof(struct linux_statx, stx_mnt_id) == 144, "statx.stx_mnt_id at 144");
_Static_assert(sizeof(struct linux_dirent64) == DIRENT64_HEADER, "dirent64 header is 19 bytes");
_Static_assert(sizeof(struct linux_dirent) == DIRENT_HEADER, "dirent header is 10 bytes");

#endif
