/* CMOS RTC: registers 0x00-0x09 through ports 0x70/0x71, BCD or binary, 12 or 24 hour. */
#include "drivers/rtc.h"
#include "arch/i386/cpu.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

static uint32_t from_bcd(uint8_t v, bool bcd) { return bcd ? (v & 0x0F) + (v >> 4) * 10u : v; }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static uint32_t days_since_epoch(uint32_t y, uint32_t m, uint32_t d)
{
    static const uint16_t before[12] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    uint32_t days = (y - 1970) * 365 + (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days + before[m - 1] + (leap && m > 2) + d - 1;
}

uint32_t rtc_read_epoch(void)
{
    while (cmos(0x0A) & 0x80) /* an update is in progress */
        ;
    uint8_t b = cmos(0x0B);
    bool bcd = !(b & 0x04), h12 = !(b & 0x02);
    uint32_t sec = from_bcd(cmos(0x00), bcd), min = from_bcd(cmos(0x02), bcd);
    uint8_t rh = cmos(0x04);
    uint32_t hour = from_bcd(rh & 0x7F, bcd);
    if (h12)
        hour = (hour % 12) + ((rh & 0x80) ? 12 : 0);
    uint32_t day = from_bcd(cmos(0x07), bcd), mon = from_bcd(cmos(0x08), bcd);
    uint32_t year = 2000 + from_bcd(cmos(0x09), bcd);
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return 0;
    return days_since_epoch(year, mon, day) * 86400u + hour * 3600u + min * 60u + sec;
}
