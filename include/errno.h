/* Error numbers: the Linux i386 values, returned negated (-ENOMEM). */
#ifndef EYN_ERRNO_H
#define EYN_ERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define ENXIO 6
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define EACCES 13
#define EFAULT 14
#define ENOTBLK 15
#define EBUSY 16
#define EEXIST 17
#define EXDEV 18
#define ENODEV 19
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define ENFILE 23
#define EMFILE 24
#define ENOTTY 25
#define ETXTBSY 26
#define EFBIG 27
#define ENOSPC 28
#define ESPIPE 29
#define EROFS 30
#define EMLINK 31
#define EPIPE 32
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define ENOTEMPTY 39
#define ELOOP 40
#define EIDRM 43
#define EOVERFLOW 75
#define EOPNOTSUPP 95

/*
 * Kernel-internal results of a system call a signal interrupted; they never
 * reach user space. The signal layer turns them into EINTR or restarts the
 * call (signal(7)): RESTARTSYS restarts when the handler has SA_RESTART,
 * NOINTR always, NOHAND only when no handler runs, RESTART_RESTARTBLOCK
 * resumes through restart_syscall with the time that was left.
 */
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ENOIOCTLCMD 515 /* kernel-internal: not this layer's ioctl */
#define ERESTART_RESTARTBLOCK 516

#define ELIBBAD 80 /* accessing a corrupted shared library (a bad ELF interpreter) */
#endif
