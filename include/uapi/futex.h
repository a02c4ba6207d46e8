/* The futex ABI (linux/futex.h): operations, flags and FUTEX_WAKE_OP's encoding. */
#ifndef EYN_UAPI_FUTEX_H
#define EYN_UAPI_FUTEX_H

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2 /* removed from Linux in 2.6.26: ENOSYS */
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_WAIT_REQUEUE_PI 11
#define FUTEX_CMP_REQUEUE_PI 12
#define FUTEX_LOCK_PI2 13

#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))

/* FUTEX_WAKE_OP's val3: op << 28 | cmp << 24 | oparg << 12 | cmparg (both 12-bit signed). */
#define FUTEX_OP_SET 0  /* *uaddr2 = oparg */
#define FUTEX_OP_ADD 1  /* *uaddr2 += oparg */
#define FUTEX_OP_OR 2   /* *uaddr2 |= oparg */
#define FUTEX_OP_ANDN 3 /* *uaddr2 &= ~oparg */
#define FUTEX_OP_XOR 4  /* *uaddr2 ^= oparg */
#define FUTEX_OP_OPARG_SHIFT 8 /* with an op: the operand is 1 << oparg */

#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5

/* struct robust_list_head's size on i386: set_robust_list accepts only this length. */
#define ROBUST_LIST_HEAD_SIZE 12

#endif
