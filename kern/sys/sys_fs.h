/*
 * The file system calls (kern/sys_fs.c, sys_open.c, sys_fd.c, sys_stat.c,
 * sys_dir.c), in the syscall table's handler signature: six register
 * arguments, result or -errno.
 */
#ifndef EYN_SYS_FS_H
#define EYN_SYS_FS_H

#include "types.h"

#define SYS_FS_HANDLER(name) int32_t name(uint32_t, uint32_t, uint32_t, uint32_t, uint32_t, uint32_t)

/* sys_fs.c: data transfer and seeking */
SYS_FS_HANDLER(sys_read);        /* 3 */
SYS_FS_HANDLER(sys_write);       /* 4 */
SYS_FS_HANDLER(sys_lseek);       /* 19 */
SYS_FS_HANDLER(sys_llseek);      /* 140 _llseek */
SYS_FS_HANDLER(sys_readv);       /* 145 */
SYS_FS_HANDLER(sys_writev);      /* 146 */
SYS_FS_HANDLER(sys_pread64);     /* 180 */

/* sys_open.c */
SYS_FS_HANDLER(sys_open);        /* 5 */
SYS_FS_HANDLER(sys_close);       /* 6 */
SYS_FS_HANDLER(sys_openat);      /* 295 */

/* sys_fd.c: descriptors, pipes, fcntl, ioctl */
SYS_FS_HANDLER(sys_dup);         /* 41 */
SYS_FS_HANDLER(sys_pipe);        /* 42 */
SYS_FS_HANDLER(sys_ioctl);       /* 54 */
SYS_FS_HANDLER(sys_fcntl);       /* 55, and 221 fcntl64 */
SYS_FS_HANDLER(sys_dup2);        /* 63 */
SYS_FS_HANDLER(sys_dup3);        /* 330 */
SYS_FS_HANDLER(sys_pipe2);       /* 331 */

/* sys_stat.c */
SYS_FS_HANDLER(sys_access);      /* 33 */
SYS_FS_HANDLER(sys_stat64);      /* 195 */
SYS_FS_HANDLER(sys_lstat64);     /* 196 */
SYS_FS_HANDLER(sys_fstat64);     /* 197 */
SYS_FS_HANDLER(sys_fstatat64);   /* 300 */
SYS_FS_HANDLER(sys_faccessat);   /* 307 */
SYS_FS_HANDLER(sys_statx);       /* 383 */
SYS_FS_HANDLER(sys_faccessat2);  /* 439 */

/* sys_dir.c: directories, the working directory, symlinks */
SYS_FS_HANDLER(sys_chdir);       /* 12 */
SYS_FS_HANDLER(sys_readlink);    /* 85 */
SYS_FS_HANDLER(sys_fchdir);      /* 133 */
SYS_FS_HANDLER(sys_getdents);    /* 141 */
SYS_FS_HANDLER(sys_getcwd);      /* 183 */
SYS_FS_HANDLER(sys_getdents64);  /* 220 */
SYS_FS_HANDLER(sys_readlinkat);  /* 305 */

#endif
