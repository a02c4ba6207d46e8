/* VGA text console at physical 0xB8000, reached through the direct map. */
#include "drivers/vga.h"
#include "arch/i386/cpu.h"
#include "kstring.h"
#include "mmu.h"
#include "types.h"

#define COLS 80
#define ROWS 25
#define ATTR 0x07

static uint16_t *const screen = (uint16_t *)(KERNEL_BASE + 0xB8000);
static int row, col;

static void move_cursor(void)
{
    uint16_t pos = (uint16_t)(row * COLS + col);
    outb(0x3D4, 14);
    outb(0x3D5, pos >> 8);
    outb(0x3D4, 15);
    outb(0x3D5, pos & 0xFF);
}

static void scroll(void)
{
    memmove(screen, screen + COLS, (ROWS - 1) * COLS * 2);
    for (int i = 0; i < COLS; i++)
        screen[(ROWS - 1) * COLS + i] = ATTR << 8 | ' ';
    row = ROWS - 1;
}

void vga_init(void)
{
    for (int i = 0; i < COLS * ROWS; i++)
        screen[i] = ATTR << 8 | ' ';
    row = col = 0;
    move_cursor();
}

void vga_putc(char c)
{
    if (c == '\n') {
        col = 0;
        row++;
    } else if (c == '\r') {
        col = 0;
    } else if (c == '\b') {
        if (col > 0)
            col--;
    } else if (c == '\t') {
        col = (col + 8) & ~7;
    } else if ((unsigned char)c >= ' ') {
        screen[row * COLS + col++] = (uint16_t)(ATTR << 8 | (unsigned char)c);
    }
    if (col >= COLS) {
        col = 0;
        row++;
    }
    if (row >= ROWS)
        scroll();
    move_cursor();
}
