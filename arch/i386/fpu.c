/* Let user programs use the x87 FPU and SSE; each process keeps its own registers. */
#include "arch/i386/fpu.h"
#include "arch/i386/cpu.h"
#include "kstring.h"

#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR4_OSFXSR 0x200u
#define CR4_OSXMMEXCPT 0x400u
#define CPUID_EDX_FXSR (1u << 24)
#define CPUID_EDX_SSE (1u << 25)

static bool have_fxsr;
bool have_sse_pageops; /* pageops.S may use xmm registers */
static uint8_t clean_state[512] __attribute__((aligned(16)));

void fpu_save(uint8_t *area)
{
    if (have_fxsr)
        __asm__ volatile("fxsave (%0)" : : "r"(area) : "memory");
    else
        __asm__ volatile("fnsave (%0); frstor (%0)" : : "r"(area) : "memory");
}

void fpu_restore(const uint8_t *area)
{
    if (have_fxsr)
        __asm__ volatile("fxrstor (%0)" : : "r"(area) : "memory");
    else
        __asm__ volatile("frstor (%0)" : : "r"(area) : "memory");
}

void fpu_sanitize(uint8_t *area)
{
    if (!have_fxsr)
        return; /* FRSTOR takes any image without faulting */
    uint32_t mask, mxcsr;
    memcpy(&mask, clean_state + 28, 4); /* MXCSR_MASK as this CPU reported it */
    if (mask == 0)
        mask = 0xFFBF; /* the architectural default: DAZ unsupported */
    memcpy(&mxcsr, area + 24, 4);
    mxcsr &= mask;
    memcpy(area + 24, &mxcsr, 4);
}

void fpu_clean_state(uint8_t *area) { memcpy(area, clean_state, sizeof clean_state); }

void fpu_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    have_fxsr = (d & CPUID_EDX_FXSR) && (d & CPUID_EDX_SSE);
    if (have_fxsr)
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
    fpu_save(clean_state);
    have_sse_pageops = have_fxsr;
}
