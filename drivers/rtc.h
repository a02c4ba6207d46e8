/* The CMOS real-time clock, read once at boot for the wall-clock time. */
#ifndef EYN_RTC_H
#define EYN_RTC_H

#include "types.h"

/* Seconds since 1970-01-01 00:00:00 UTC, as the RTC reads now (0 if it reads nonsense). */
uint32_t rtc_read_epoch(void);

#endif
