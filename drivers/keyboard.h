/* PS/2 keyboard (scan code set 1). */
#ifndef EYN_KEYBOARD_H
#define EYN_KEYBOARD_H

void keyboard_init(void);

#endif
