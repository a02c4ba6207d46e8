/* Let user programs use the x87 FPU and SSE (one process at a time for now). */
#include "cpu.h"

#define CR0_MP 0x2u
#define CR0_EM 0x4u
#define CR0_TS 0x8u
#define CR4_OSFXSR 0x200u
#define CR4_OSXMMEXCPT 0x400u
#define CPUID_EDX_FXSR (1u << 24)
#define CPUID_EDX_SSE (1u << 25)

void fpu_init(void)
{
    uint32_t a, b, c, d;
    cpuid(1, &a, &b, &c, &d);
    write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
    if ((d & CPUID_EDX_FXSR) && (d & CPUID_EDX_SSE))
        write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
    __asm__ volatile("fninit");
}
