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
SYS_FS_HANDLER(sys_pwrite64);    /* 181 */

/* sys_sendfile.c: descriptor to descriptor */
SYS_FS_HANDLER(sys_sendfile);    /* 187 */
SYS_FS_HANDLER(sys_sendfile64);  /* 239 */

/* sys_open.c */
SYS_FS_HANDLER(sys_open);        /* 5 */
SYS_FS_HANDLER(sys_close);       /* 6 */
SYS_FS_HANDLER(sys_openat);      /* 295 */
SYS_FS_HANDLER(sys_creat);       /* 8 */

/* sys_names.c: making and removing names */
SYS_FS_HANDLER(sys_link);        /* 9 */
SYS_FS_HANDLER(sys_unlink);      /* 10 */
SYS_FS_HANDLER(sys_mknod);       /* 14 */
SYS_FS_HANDLER(sys_rename);      /* 38 */
SYS_FS_HANDLER(sys_mkdir);       /* 39 */
SYS_FS_HANDLER(sys_rmdir);       /* 40 */
SYS_FS_HANDLER(sys_symlink);     /* 83 */
SYS_FS_HANDLER(sys_mkdirat);     /* 296 */
SYS_FS_HANDLER(sys_mknodat);     /* 297 */
SYS_FS_HANDLER(sys_unlinkat);    /* 301 */
SYS_FS_HANDLER(sys_renameat);    /* 302 */
SYS_FS_HANDLER(sys_linkat);      /* 303 */
SYS_FS_HANDLER(sys_symlinkat);   /* 304 */
SYS_FS_HANDLER(sys_renameat2);   /* 353 */

/* sys_attr.c: sizes, modes, owners, times, the file system's figures, sync, umask */
SYS_FS_HANDLER(sys_lchown16);    /* 16 */
SYS_FS_HANDLER(sys_chmod);       /* 15 */
SYS_FS_HANDLER(sys_utime);       /* 30 */
SYS_FS_HANDLER(sys_sync);        /* 36 */
SYS_FS_HANDLER(sys_umask);       /* 60 */
SYS_FS_HANDLER(sys_truncate);    /* 92 */
SYS_FS_HANDLER(sys_ftruncate);   /* 93 */
SYS_FS_HANDLER(sys_fchmod);      /* 94 */
SYS_FS_HANDLER(sys_fchown16);    /* 95 */
SYS_FS_HANDLER(sys_statfs);      /* 99 */
SYS_FS_HANDLER(sys_fstatfs);     /* 100 */
SYS_FS_HANDLER(sys_fsync);       /* 118 */
SYS_FS_HANDLER(sys_fdatasync);   /* 148 */
SYS_FS_HANDLER(sys_chown16);     /* 182 */
SYS_FS_HANDLER(sys_truncate64);  /* 193 */
SYS_FS_HANDLER(sys_ftruncate64); /* 194 */
SYS_FS_HANDLER(sys_lchown32);    /* 198 */
SYS_FS_HANDLER(sys_fchown32);    /* 207 */
SYS_FS_HANDLER(sys_chown32);     /* 212 */
SYS_FS_HANDLER(sys_statfs64);    /* 268 */
SYS_FS_HANDLER(sys_fstatfs64);   /* 269 */
SYS_FS_HANDLER(sys_utimes);      /* 271 */
SYS_FS_HANDLER(sys_fchownat);    /* 298 */
SYS_FS_HANDLER(sys_futimesat);   /* 299 */
SYS_FS_HANDLER(sys_fchmodat);    /* 306 */
SYS_FS_HANDLER(sys_utimensat);   /* 320 */
SYS_FS_HANDLER(sys_fallocate);   /* 324 */
SYS_FS_HANDLER(sys_syncfs);      /* 344 */
SYS_FS_HANDLER(sys_utimensat_time64); /* 412 */

/* sys_fd.c: descriptors, pipes, fcntl, ioctl */
SYS_FS_HANDLER(sys_dup);         /* 41 */
SYS_FS_HANDLER(sys_pipe);        /* 42 */
SYS_FS_HANDLER(sys_ioctl);       /* 54 */
SYS_FS_HANDLER(sys_fcntl);       /* 55, and 221 fcntl64 */
SYS_FS_HANDLER(sys_dup2);        /* 63 */
SYS_FS_HANDLER(sys_dup3);        /* 330 */
SYS_FS_HANDLER(sys_pipe2);       /* 331 */

/* sys_stat.c */
SYS_FS_HANDLER(sys_old_stat);    /* 106 stat */
SYS_FS_HANDLER(sys_old_lstat);   /* 107 lstat */
SYS_FS_HANDLER(sys_old_fstat);   /* 108 fstat */
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
SYS_FS_HANDLER(sys_chroot);      /* 61 */
SYS_FS_HANDLER(sys_getdents);    /* 141 */
SYS_FS_HANDLER(sys_getcwd);      /* 183 */
SYS_FS_HANDLER(sys_getdents64);  /* 220 */
SYS_FS_HANDLER(sys_readlinkat);  /* 305 */

#endif
