/*
 * PS/2 keyboard: scan code set 1 to characters. Arrow keys become the same
 * ANSI escape sequences a serial terminal sends, so the line editor handles
 * one input language.
 */
#include "drivers/keyboard.h"
#include "arch/i386/cpu.h"
#include "arch/i386/pic.h"
#include "arch/i386/trap.h"
#include "drivers/console.h"

static const char normal[128] = {
    0,   27,  '1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '-', '=', '\b', '\t', 'q', 'w', 'e', 'r',
    't', 'y', 'u', 'i', 'o', 'p', '[', ']', '\n', 0,  'a', 's', 'd', 'f', 'g', 'h', 'j', 'k', 'l', ';',
    '\'', '`', 0,  '\\', 'z', 'x', 'c', 'v', 'b', 'n', 'm', ',', '.', '/', 0,   '*', 0,   ' '};
static const char shifted[128] = {
    0,   27,  '!', '@', '#', '$', '%', '^', '&', '*', '(', ')', '_', '+', '\b', '\t', 'Q', 'W', 'E', 'R',
    'T', 'Y', 'U', 'I', 'O', 'P', '{', '}', '\n', 0,  'A', 'S', 'D', 'F', 'G', 'H', 'J', 'K', 'L', ':',
    '"', '~', 0,   '|', 'Z', 'X', 'C', 'V', 'B', 'N', 'M', '<', '>', '?', 0,   '*', 0,   ' '};

static bool shift, ctrl, extended;

static void push_arrow(char code)
{
    console_input_push(27);
    console_input_push('[');
    console_input_push(code);
}

static void handle_scancode(uint8_t sc)
{
    if (sc == 0xE0) {
        extended = true;
        return;
    }
    bool release = sc & 0x80;
    uint8_t key = sc & 0x7F;
    if (key == 0x2A || key == 0x36) {
        shift = !release;
    } else if (key == 0x1D) {
        ctrl = !release;
    } else if (!release && extended) {
        if (key == 0x48)
            push_arrow('A');
        else if (key == 0x50)
            push_arrow('B');
    } else if (!release) {
        char c = (shift ? shifted : normal)[key];
        if (c && ctrl && c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 1);
        if (c)
            console_input_push((unsigned char)c);
    }
    extended = false;
}

static void keyboard_irq(struct trapframe *tf)
{
    (void)tf;
    while (inb(0x64) & 1)
        handle_scancode(inb(0x60));
}

void keyboard_init(void)
{
    while (inb(0x64) & 1)
        (void)inb(0x60);
    irq_register(IRQ_KEYBOARD, keyboard_irq);
    pic_unmask(IRQ_KEYBOARD);
}
