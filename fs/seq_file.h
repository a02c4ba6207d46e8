/*
 * Files whose text the kernel writes when they are read (/proc): the text
 * is made by a show function into a growing buffer when a read starts at
 * offset 0, and later reads at other offsets take it from there, so a
 * reader that reads in small pieces sees one consistent snapshot and one
 * that seeks back to 0 sees fresh figures, as Linux's seq_file behaves.
 * Writes (for the few writable files) go whole to a write function.
 */
#ifndef EYN_SEQ_FILE_H
#define EYN_SEQ_FILE_H

#include "types.h"
#include "format.h"

struct file;
struct vnode;

#define SEQ_MAX (1024u * 1024u) /* the longest text one show makes (more is cut off) */
#define SEQ_WRITE_MAX 4096u     /* bytes one write hands to a write function (more: EINVAL) */

/* A text being built. */
struct seqbuf {
    char *buf;
    uint32_t len, cap;
    bool overflow; /* out of memory or past SEQ_MAX: the text is cut there */
};

/* Append formatted text / a string / bytes (growing the buffer; on failure the text is cut and overflow set). */
void seq_printf(struct seqbuf *s, const char *fmt, ...) PRINTF_LIKE(2, 3);
void seq_puts(struct seqbuf *s, const char *str);
void seq_write(struct seqbuf *s, const void *data, uint32_t len);
/* Pad with spaces up to column width since the last newline (Linux's seq_pad for /proc/PID/maps). */
void seq_pad_to(struct seqbuf *s, uint32_t width);
/* Free the text. */
void seq_free(struct seqbuf *s);

/* What makes a file's text: 0, or -errno for the read (e.g. -ESRCH: the process is gone). */
typedef int (*seq_show_fn)(struct seqbuf *s, struct vnode *v);
/* What takes a write: bytes consumed (all of len) or -errno. data is a kernel copy, NUL-terminated. */
typedef int (*seq_write_fn)(struct vnode *v, const char *data, uint32_t len);

/* A new file (one reference) open on v with flags whose reads show and whose writes go to write (NULL: EIO). */
int seq_file_open(struct vnode *v, uint32_t flags, seq_show_fn show, seq_write_fn write, struct file **out);

#endif
