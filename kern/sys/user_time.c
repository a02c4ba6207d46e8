/* Time values system calls read from user space (see user_time.h). */
#include "kern/sys/user_time.h"
#include "errno.h"
#include "kern/clock.h"
#include "uaccess.h"

#define KTIME_SEC_MAX 9223372036ll /* seconds beyond which Linux's nanosecond time saturates */

int timespec_from_user(vaddr_t uts, bool wide, uint64_t *ns)
{
    int64_t sec, nsec;
    if (wide) {
        int64_t v[2];
        if (copy_from_user(v, uts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = (int32_t)v[1]; /* a 32-bit kernel keeps the low half of tv_nsec */
    } else {
        int32_t v[2];
        if (copy_from_user(v, uts, sizeof v))
            return -EFAULT;
        sec = v[0], nsec = v[1];
    }
    if (sec < 0 || nsec < 0 || nsec >= (int64_t)NSEC_PER_SEC)
        return -EINVAL;
    *ns = sec >= KTIME_SEC_MAX ? (uint64_t)INT64_MAX : (uint64_t)sec * NSEC_PER_SEC + (uint64_t)nsec;
    return 0;
}

