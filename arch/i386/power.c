/* Power off through the emulator's ACPI/legacy ports; reboot through the 8042. */
#include "arch/i386/power.h"
#include "arch/i386/cpu.h"
#include "arch/i386/trap.h"

NORETURN void power_off(void)
{
    cli();
    outw(0x604, 0x2000);  /* QEMU (PIIX4 ACPI, the -machine pc default) */
    outw(0xB004, 0x2000); /* Bochs and old QEMU */
    outw(0x4004, 0x3400); /* VirtualBox */
    outb(0xF4, 0x00);     /* QEMU isa-debug-exit, if configured */
    halt_forever();
}

NORETURN void power_reboot(void)
{
    cli();
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        ;
    outb(0x64, 0xFE); /* pulse the CPU reset line */
    struct {
        uint16_t limit;
        uint32_t base;
    } __attribute__((packed)) none = {0, 0};
    __asm__ volatile("lidt %0; int $3" : : "m"(none)); /* triple fault as a last resort */
    halt_forever();
}
