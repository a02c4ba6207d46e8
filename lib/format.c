/*
 * A small vsnprintf: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width,
 * and the length modifiers l, ll and z.
 */
#include "format.h"
#include "kstring.h"

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

/* Emit s padded to width (zero padding goes after a leading '-'). */
static void put_padded(struct out *o, const char *s, int width, bool left, char pad)
{
    int n = (int)strlen(s);
    int fill = width > n ? width - n : 0;
    if (!left && pad == '0' && *s == '-')
        put(o, *s++);
    if (!left)
        while (fill-- > 0)
            put(o, pad);
    while (*s)
        put(o, *s++);
    if (left)
        while (fill-- > 0)
            put(o, ' ');
}

/* Render v in base, ending at end; returns the first character. */
static char *render(char *end, unsigned long long v, unsigned base, bool upper)
{
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;
    *--p = 0;
    do {
        *--p = digits[v % base];
        v /= base;
    } while (v);
    return p;
}

static unsigned long long arg_unsigned(va_list *ap, int longs)
{
    if (longs >= 2)
        return va_arg(*ap, unsigned long long);
    if (longs == 1)
        return va_arg(*ap, unsigned long);
    return va_arg(*ap, unsigned int);
}

static long long arg_signed(va_list *ap, int longs)
{
    if (longs >= 2)
        return va_arg(*ap, long long);
    if (longs == 1)
        return va_arg(*ap, long);
    return va_arg(*ap, int);
}

/* Format one conversion; fmt points at the conversion character. */
static void convert(struct out *o, char conv, va_list *ap, int width, int longs, bool left, char pad)
{
    char tmp[32], *s;
    long long sv;
    switch (conv) {
    case 'd':
    case 'i':
        sv = arg_signed(ap, longs);
        s = render(tmp + sizeof tmp, sv < 0 ? 0ull - (unsigned long long)sv : (unsigned long long)sv, 10, false);
        if (sv < 0)
            *--s = '-';
        break;
    case 'u':
        s = render(tmp + sizeof tmp, arg_unsigned(ap, longs), 10, false);
        break;
    case 'x':
    case 'X':
        s = render(tmp + sizeof tmp, arg_unsigned(ap, longs), 16, conv == 'X');
        break;
    case 'o':
        s = render(tmp + sizeof tmp, arg_unsigned(ap, longs), 8, false);
        break;
    case 'p':
        s = render(tmp + sizeof tmp, (uintptr_t)va_arg(*ap, void *), 16, false);
        s -= 2;
        s[0] = '0', s[1] = 'x';
        break;
    case 's':
        s = va_arg(*ap, char *);
        if (!s)
            s = "(null)";
        put_padded(o, s, width, left, ' ');
        return;
    case 'c':
        tmp[0] = (char)va_arg(*ap, int);
        tmp[1] = 0;
        s = tmp;
        break;
    default:
        tmp[0] = '%', tmp[1] = conv, tmp[2] = 0;
        s = tmp;
        break;
    }
    put_padded(o, s, width, left, pad);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = {buf, size, 0};
    va_list args;
    va_copy(args, ap);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        if (*++fmt == '%') {
            put(&o, '%');
            continue;
        }
        bool left = false;
        char pad = ' ';
        int width = 0, longs = 0;
        for (; *fmt == '-' || *fmt == '0'; fmt++) {
            if (*fmt == '-')
                left = true;
            else
                pad = '0';
        }
        for (; *fmt >= '0' && *fmt <= '9'; fmt++)
            width = width * 10 + (*fmt - '0');
        for (; *fmt == 'l' || *fmt == 'z'; fmt++)
            longs += *fmt == 'l';
        if (!*fmt)
            break;
        convert(&o, *fmt, &args, width, longs, left, pad);
    }
    va_end(args);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
