/* Power off and reboot. */
#ifndef EYN_POWER_H
#define EYN_POWER_H

#include "types.h"

NORETURN void power_off(void);
NORETURN void power_reboot(void);

#endif
