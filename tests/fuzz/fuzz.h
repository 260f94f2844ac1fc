/*
 * fuzz.h: what every libFuzzer target of tests/fuzz shares.
 *
 * A target is one small .c file that feeds bytes to lib/ through its
 * public API and checks what comes back (round trips, slow references),
 * trapping on a mismatch; the sanitizers catch the rest.
 *
 * lib/ dies on bad input that a tool cannot go on from (a bad schema
 * file, an unknown column): die() prints and calls exit(), which libFuzzer
 * would count as a finding.  The targets are linked with -Wl,--wrap=exit
 * (and malloc, calloc, realloc, free, regcomp, regfree, csv_init,
 * csv_free), so lib/'s exit() comes here: inside FZ_DIES(...) it jumps
 * back out of the call and FZ_DIES gives the exit status; anywhere else it
 * is the real exit(), and a finding.  What the dying call had allocated
 * (and not freed), the patterns and CSV parsers it had made and the files
 * it had opened are what exit() would have reclaimed: FZ_DIES frees and
 * closes them, so that a million deaths neither grow the process nor trip
 * the leak check.
 * The caller must not touch memory allocated inside a call that died.
 */
#ifndef HK_FUZZ_H
#define HK_FUZZ_H

#include "err.h"
#include <csv.h>
#include <regex.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static jmp_buf fz_jmp;
static volatile int fz_armed;
static int fz_fd_floor; /* the lowest free descriptor when armed */

/* The blocks allocated while armed and not yet freed: a set of pointers
 * (open addressing; FZ_GONE marks a removed one). */
static void **fz_set;
static size_t fz_cap, fz_used;
#define FZ_GONE ((void *)1)

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);

static inline size_t fz_slot(void *p)
{
    return (size_t)(((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ULL >> 20) & (fz_cap - 1);
}

static inline void fz_track(void *p)
{
    if (!p)
        return;
    if (2 * (fz_used + 1) > fz_cap) {
        void **old = fz_set;
        size_t oc = fz_cap;
        fz_cap = oc ? 2 * oc : 1024;
        fz_set = __real_calloc(fz_cap, sizeof *fz_set);
        if (!fz_set)
            abort();
        fz_used = 0;
        for (size_t i = 0; i < oc; i++)
            if (old[i] && old[i] != FZ_GONE)
                fz_track(old[i]);
        __real_free(old);
    }
    size_t i = fz_slot(p);
    while (fz_set[i] && fz_set[i] != FZ_GONE)
        i = (i + 1) & (fz_cap - 1);
    if (!fz_set[i])
        fz_used++;
    fz_set[i] = p;
}

/* Forget p; 1 when it was tracked. */
static inline int fz_untrack(void *p)
{
    if (!p || !fz_cap)
        return 0;
    for (size_t i = fz_slot(p); fz_set[i]; i = (i + 1) & (fz_cap - 1))
        if (fz_set[i] == p) {
            fz_set[i] = FZ_GONE;
            return 1;
        }
    return 0;
}

/* The patterns regcomp compiled while armed and regfree has not freed:
 * their memory is glibc's, allocated past the wrappers above. */
static regex_t **fz_re;
static size_t fz_nre, fz_capre;

int __real_regcomp(regex_t *re, const char *pat, int flags);
int __wrap_regcomp(regex_t *re, const char *pat, int flags);
int __wrap_regcomp(regex_t *re, const char *pat, int flags)
{
    int rc = __real_regcomp(re, pat, flags);
    if (rc == 0 && fz_armed) {
        if (fz_nre == fz_capre) {
            fz_capre = fz_capre ? 2 * fz_capre : 64;
            fz_re = __real_realloc(fz_re, fz_capre * sizeof *fz_re);
            if (!fz_re)
                abort();
        }
        fz_re[fz_nre++] = re;
    }
    return rc;
}

void __real_regfree(regex_t *re);
void __wrap_regfree(regex_t *re);
void __wrap_regfree(regex_t *re)
{
    for (size_t i = 0; i < fz_nre; i++)
        if (fz_re[i] == re) {
            fz_re[i] = fz_re[--fz_nre];
            break;
        }
    __real_regfree(re);
}

/* The same for libcsv's parsers (csv_init allocates nothing; their
 * buffers come as they parse, past the wrappers too). */
static struct csv_parser **fz_csv;
static size_t fz_ncsv, fz_capcsv;

int __real_csv_init(struct csv_parser *p, unsigned char options);
int __wrap_csv_init(struct csv_parser *p, unsigned char options);
int __wrap_csv_init(struct csv_parser *p, unsigned char options)
{
    int rc = __real_csv_init(p, options);
    if (rc == 0 && fz_armed) {
        if (fz_ncsv == fz_capcsv) {
            fz_capcsv = fz_capcsv ? 2 * fz_capcsv : 16;
            fz_csv = __real_realloc(fz_csv, fz_capcsv * sizeof *fz_csv);
            if (!fz_csv)
                abort();
        }
        fz_csv[fz_ncsv++] = p;
    }
    return rc;
}

void __real_csv_free(struct csv_parser *p);
void __wrap_csv_free(struct csv_parser *p);
void __wrap_csv_free(struct csv_parser *p)
{
    for (size_t i = 0; i < fz_ncsv; i++)
        if (fz_csv[i] == p) {
            fz_csv[i] = fz_csv[--fz_ncsv];
            break;
        }
    __real_csv_free(p);
}

/* The call died: free what it left (its patterns and parsers first: they
 * lie in its blocks), close what it opened. */
static inline void fz_reclaim(void)
{
    for (size_t i = 0; i < fz_nre; i++)
        __real_regfree(fz_re[i]);
    fz_nre = 0;
    for (size_t i = 0; i < fz_ncsv; i++)
        __real_csv_free(fz_csv[i]);
    fz_ncsv = 0;
    for (size_t i = 0; i < fz_cap; i++)
        if (fz_set[i] && fz_set[i] != FZ_GONE)
            __real_free(fz_set[i]);
    if (fz_cap)
        memset(fz_set, 0, fz_cap * sizeof *fz_set);
    fz_used = 0;
    for (int fd = fz_fd_floor; fd < fz_fd_floor + 256; fd++)
        close(fd);
}

static inline void fz_arm(void)
{
    int fd = dup(0);
    if (fd < 0)
        abort();
    close(fd);
    fz_fd_floor = fd;
    fz_armed = 1;
}

/* The block tracking, then: a block realloc'd while armed stays tracked
 * or untracked as it was; one made while armed is tracked until freed. */
void *__wrap_malloc(size_t n);
void *__wrap_malloc(size_t n)
{
    void *p = __real_malloc(n);
    if (fz_armed)
        fz_track(p);
    return p;
}

void *__wrap_calloc(size_t k, size_t n);
void *__wrap_calloc(size_t k, size_t n)
{
    void *p = __real_calloc(k, n);
    if (fz_armed)
        fz_track(p);
    return p;
}

void *__wrap_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n)
{
    if (!fz_armed)
        return __real_realloc(p, n);
    int was = p == NULL || fz_untrack(p);
    void *q = __real_realloc(p, n);
    if (was)
        fz_track(q ? q : p);
    return q;
}

void __wrap_free(void *p);
void __wrap_free(void *p)
{
    if (fz_armed)
        fz_untrack(p);
    __real_free(p);
}

_Noreturn void __real_exit(int status);
_Noreturn void __wrap_exit(int status);
_Noreturn void __wrap_exit(int status)
{
    if (fz_armed) {
        fz_armed = 0;
        longjmp(fz_jmp, 256 + status);
    }
    __real_exit(status);
}

/* Blocks that libzstd allocates are not seen by the wrappers, so a call
 * that dies leaves them: exit() would have freed them too.  (Its ordinary
 * paths are checked for leaks by the unit tests and the tools under ASan.)
 * glibc's regcomp and libcsv are wrapped instead (FUZZ_WRAP): their
 * patterns and parsers are freed, as a long run that kept them grew by
 * them until it ran out of memory. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libzstd.so\n";
}

/* Run stmt; -1 when it returns, else the status it died with. */
#define FZ_DIES(stmt)                                                                              \
    __extension__({                                                                                \
        int fz_st_ = setjmp(fz_jmp);                                                               \
        if (fz_st_ == 0) {                                                                         \
            fz_arm();                                                                              \
            stmt;                                                                                  \
            fz_armed = 0;                                                                          \
            fz_reclaim_none();                                                                     \
            fz_st_ = -1;                                                                           \
        } else {                                                                                   \
            fz_reclaim();                                                                          \
            err_survived();                                                                        \
            fz_st_ -= 256;                                                                         \
        }                                                                                          \
        fz_st_;                                                                                    \
    })

/* The call returned: what it allocated is the caller's. */
static inline void fz_reclaim_none(void)
{
    fz_nre = fz_ncsv = 0;
    if (fz_cap && fz_used)
        memset(fz_set, 0, fz_cap * sizeof *fz_set);
    fz_used = 0;
}

/* A check: a mismatch is a finding (abort, with the line on stderr). */
#define FZ_ASSERT(c)                                                                               \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c);                  \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* The bytes as a file lib/ can open by name (an in-memory file, one per
 * slot, rewritten for every input). */
static inline const char *fz_file(int slot, const void *p, size_t n)
{
    static int fd[4] = {-1, -1, -1, -1};
    static char path[4][40];
    if (fd[slot] < 0) {
        fd[slot] = memfd_create("hk-fuzz", 0);
        if (fd[slot] < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path[slot], sizeof path[slot], "/proc/self/fd/%d", fd[slot]);
    }
    if (ftruncate(fd[slot], 0) != 0 || (n && pwrite(fd[slot], p, n, 0) != (ssize_t)n)) {
        perror("memfd");
        abort();
    }
    return path[slot];
}

/* Taking an input apart: bytes and small numbers off the front. */
struct fz_in {
    const uint8_t *p;
    size_t n;
};

static inline unsigned fz_byte(struct fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

/* The bytes up to the next sep (or the end), without it. */
static inline size_t fz_until(struct fz_in *in, uint8_t sep, const uint8_t **p)
{
    const uint8_t *e = in->n ? memchr(in->p, sep, in->n) : NULL;
    size_t k = e ? (size_t)(e - in->p) : in->n;
    *p = in->p;
    in->p += k + (e != NULL);
    in->n -= k + (e != NULL);
    return k;
}

/* A NUL-terminated copy (free it). */
static inline char *fz_str(const void *p, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    if (n)
        memcpy(s, p, n);
    s[n] = '\0';
    return s;
}

#endif
