/*
 * threads: what every threaded part of hitkit starts its threads with.
 *
 * A thread starts with every signal blocked, so that signals go to the
 * main thread, whose handlers clean up (lib/io).  A tool's --threads
 * option and its default have one meaning everywhere.
 */
#ifndef HK_THREADS_H
#define HK_THREADS_H

#include <pthread.h>

/* Start fn(arg) on a thread with every signal blocked; pthread_create's
 * result. */
int threads_spawn(pthread_t *t, void *(*fn)(void *), void *arg);
/* Run fn(arg, t) for t = 0 .. n-1 at once, on n threads (t = 0 in the
 * caller's), and wait for them all; a part no thread can be had for runs
 * in the caller after its own.  Each call's parts must not wait for one
 * another: a step that needs another's result goes in a later call. */
void threads_each(int n, void (*fn)(void *arg, int t), void *arg);
/* The threads a tool runs by default: one per CPU online, at most max. */
int threads_default(int max);
/* The value of a tool's --threads=N option: 1 to max, else a usage
 * error. */
int threads_arg(const char *arg, int max);

/* A thread that waits for another spins this many times (threads_pause)
 * before it sleeps: a hand-over takes microseconds, about what a sleep and
 * a wake-up cost. */
enum { THREADS_SPINS = 1000 };
static inline void threads_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

#endif
