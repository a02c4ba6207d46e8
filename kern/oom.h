/* The out-of-memory killer. */
#ifndef EYN_OOM_H
#define EYN_OOM_H

/*
 * No frame is left for a user page fault: kill the process with the most
 * resident pages (SIGKILL). If that is the current one it ends here;
 * otherwise the current one yields so the victim can die and free its
 * memory, and then retries its fault.
 */
void oom_kill(void);

#endif
