/* Basic fixed-width types and the distinct address types of the kernel. */
#ifndef EYN_TYPES_H
#define EYN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t uint32;          /* the design document's spelling */
typedef uint32_t paddr_t;         /* a physical address */
typedef uint32_t vaddr_t;         /* a virtual address */
typedef uint32_t pfn_t;           /* a physical frame number (paddr >> 12) */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#define UNUSED __attribute__((unused))
#define NORETURN __attribute__((noreturn))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

#endif
