/* VGA text mode console (80x25). */
#ifndef EYN_VGA_H
#define EYN_VGA_H

void vga_init(void);
void vga_putc(char c);

#endif
