/* The pseudo-random stream behind getrandom and /dev/urandom (see random.h). */
#include "lib/random.h"
#include "arch/i386/cpu.h"
#include "kstring.h"

void random_bytes(uint8_t *buf, uint32_t n)
{
    static uint64_t state = 0x9E3779B97F4A7C15ull;
    state ^= rdtsc();
    for (uint32_t done = 0; done < n;) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        uint32_t k = MIN(n - done, 8u);
        memcpy(buf + done, &state, k);
        done += k;
    }
}
