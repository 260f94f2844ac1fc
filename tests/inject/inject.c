/*
 * inject: an LD_PRELOAD shim that makes one call of a system or library
 * function fail, for tests/special/inject.sh (issue 17: every allocation
 * and I/O failure ends a tool cleanly).
 *
 *   HK_INJECT=FUNC:N       the Nth call (from 1) of FUNC fails, once; the
 *                          calls before and after it work
 *   HK_INJECT=FUNC:N+      the Nth call and every one after it fail (memory
 *                          that has run out stays out, on every thread)
 *   HK_INJECT_COUNT=FILE   at exit, write "FUNC COUNT" lines to FILE: how
 *                          many calls of each FUNC the run made; then a
 *                          line "site FUNC N" for each place FUNC was
 *                          called from, N the first call made there
 *
 * FUNC is one of: malloc (also calloc, realloc: one counter for the three,
 * NULL with ENOMEM), read (and pread: EIO), write (ENOSPC), rename (and
 * renameat2: EIO), fsync (and fdatasync: EIO), open (and openat: EMFILE),
 * mktemp (mkstemp, mkostemp, mkdtemp: ENOSPC).  The fortified entries
 * that _FORTIFY_SOURCE makes a program call instead (__read_chk,
 * __pread_chk, __open_2, __openat_2 and their 64-bit names) are the same
 * functions here.  Calls are counted from
 * the shim's constructor on, so the dynamic loader's own allocations are
 * left out, and glibc's, zstd's and every thread's later ones are in: a
 * failure anywhere must end the process through lib/err.  Writes to
 * standard error are neither counted nor failed: they carry the message
 * that reports the failure, and a tool cannot report a failure to report.
 *
 * A place is the three return addresses above the shim's own frames
 * (backtrace(3)): far enough up to tell apart the callers of xmalloc, or of
 * a library function that allocates.  A sampled test fails each place at
 * least once, however rare its calls among the others (a hash table that
 * grows once).  Places are only looked for when counting.
 *
 * The real functions are found with dlsym(RTLD_NEXT).  dlsym may itself
 * call calloc or malloc before they are found: those come from a small
 * static arena, which free() and realloc() recognise.  Counters are
 * atomic, as the tools allocate and read on several threads.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <link.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

enum { F_MALLOC, F_READ, F_WRITE, F_RENAME, F_FSYNC, F_OPEN, F_MKTEMP, F_N };
static const char *const names[F_N] = {"malloc", "read", "write", "rename",
                                       "fsync",  "open", "mktemp"};

static atomic_ulong calls[F_N];
static atomic_int armed;       /* counting has begun (the constructor ran) */
static int target = -1;        /* which FUNC fails, -1 none */
static unsigned long target_n; /* at which call */
static int target_on;          /* and every call after it */

/* The bootstrap arena for allocations made while dlsym runs. */
static _Alignas(16) char arena[16384];
static atomic_size_t arena_used;

static int in_arena(const void *p)
{
    return (const char *)p >= arena && (const char *)p < arena + sizeof arena;
}

static void *arena_alloc(size_t n)
{
    n = (n + 15) & ~(size_t)15;
    size_t at = atomic_fetch_add(&arena_used, n + 16);
    if (at + n + 16 > sizeof arena)
        return NULL;
    memcpy(arena + at, &n, sizeof n); /* the size, for realloc */
    return arena + at + 16;
}

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_pread)(int, void *, size_t, off_t);
static ssize_t (*real_write)(int, const void *, size_t);
static int (*real_rename)(const char *, const char *);
static int (*real_renameat2)(int, const char *, int, const char *, unsigned);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_open)(const char *, int, ...);
static int (*real_openat)(int, const char *, int, ...);
static int (*real_mkstemp)(char *);
static int (*real_mkostemp)(char *, int);
static char *(*real_mkdtemp)(char *);

static _Thread_local int resolving;

static void *next(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        static const char msg[] = "inject: a symbol was not found\n";
        syscall(SYS_write, 2, msg, sizeof msg - 1);
        abort();
    }
    return p;
}

/* Find every real function, once, the first time one is needed (the
 * constructor, or an allocation made before it ran). */
static void resolve(void)
{
    if (real_mkdtemp)
        return;
    resolving++;
    real_malloc = next("malloc");
    real_calloc = next("calloc");
    real_realloc = next("realloc");
    real_free = next("free");
    real_read = next("read");
    real_pread = next("pread");
    real_write = next("write");
    real_rename = next("rename");
    real_renameat2 = next("renameat2");
    real_fsync = next("fsync");
    real_fdatasync = next("fdatasync");
    real_open = next("open");
    real_openat = next("openat");
    real_mkstemp = next("mkstemp");
    real_mkostemp = next("mkostemp");
    real_mkdtemp = next("mkdtemp");
    resolving--;
}

#define REAL(fn) (real_mkdtemp ? (void)0 : resolve(), real_##fn)

/* The places calls come from, when counting (see the top): an open
 * addressing table of keys (FUNC and the return addresses hashed, never
 * 0) and, for each, the first call made there.  Full, it takes no more. */
enum { SITES = 1 << 14, DEPTH = 3 };
static int counting;
static uintptr_t self_lo, self_hi; /* the shim's own code, skipped */
static _Atomic uint64_t site_key[SITES];
static atomic_ulong site_first[SITES];
static _Thread_local int in_backtrace;

static void note_site(int f, unsigned long n)
{
    void *frames[16];
    if (in_backtrace)
        return;
    in_backtrace = 1;
    int depth = backtrace(frames, 16);
    in_backtrace = 0;
    uint64_t h = 1469598103934665603u ^ (uint64_t)f;
    for (int i = 0, used = 0; i < depth && used < DEPTH; i++) {
        uintptr_t a = (uintptr_t)frames[i];
        if (a >= self_lo && a < self_hi)
            continue;
        h = (h ^ a) * 1099511628211u;
        used++;
    }
    h |= 1;
    for (uint64_t i = h % SITES, tries = 0; tries < SITES; i = (i + 1) % SITES, tries++) {
        uint64_t k = atomic_load(&site_key[i]);
        if (k == h)
            return;
        if (k == 0 && atomic_compare_exchange_strong(&site_key[i], &k, h)) {
            atomic_store(&site_first[i], ((unsigned long)f << 56) | n);
            return;
        }
        if (k == h)
            return;
    }
}

/* Does this call of f fail? */
static int fails(int f)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return 0;
    unsigned long n = atomic_fetch_add(&calls[f], 1) + 1;
    if (counting)
        note_site(f, n);
    return f == target && (n == target_n || (target_on && n > target_n));
}

void *malloc(size_t n)
{
    if (resolving)
        return arena_alloc(n);
    if (fails(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return REAL(malloc)(n);
}

void *calloc(size_t n, size_t size)
{
    if (resolving)
        return arena_alloc(n * size); /* the arena is zeroed, never reused */
    if (fails(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return REAL(calloc)(n, size);
}

void *realloc(void *p, size_t n)
{
    if (resolving || in_arena(p)) {
        void *q = resolving ? arena_alloc(n) : malloc(n);
        if (q && p) {
            size_t old;
            memcpy(&old, (char *)p - 16, sizeof old);
            memcpy(q, p, old < n ? old : n);
        }
        return q;
    }
    if (fails(F_MALLOC)) {
        errno = ENOMEM;
        return NULL;
    }
    return REAL(realloc)(p, n);
}

void free(void *p)
{
    if (!p || in_arena(p))
        return;
    REAL(free)(p);
}

ssize_t read(int fd, void *buf, size_t n)
{
    if (fails(F_READ)) {
        errno = EIO;
        return -1;
    }
    return REAL(read)(fd, buf, n);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    if (fails(F_READ)) {
        errno = EIO;
        return -1;
    }
    return REAL(pread)(fd, buf, n, off);
}
ssize_t pread64(int fd, void *buf, size_t n, off_t off) __attribute__((alias("pread")));

/* _FORTIFY_SOURCE's read and pread, when the buffer's size is known: the
 * check that n fits is the real function's business. */
ssize_t __read_chk(int fd, void *buf, size_t n, size_t buflen)
{
    if (n > buflen)
        abort();
    return read(fd, buf, n);
}

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
{
    if (n > buflen)
        abort();
    return pread(fd, buf, n, off);
}
ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t buflen)
    __attribute__((alias("__pread_chk")));

ssize_t write(int fd, const void *buf, size_t n)
{
    if (fd != 2 && fails(F_WRITE)) {
        errno = ENOSPC;
        return -1;
    }
    return REAL(write)(fd, buf, n);
}

int rename(const char *from, const char *to)
{
    if (fails(F_RENAME)) {
        errno = EIO;
        return -1;
    }
    return REAL(rename)(from, to);
}

int renameat2(int dfrom, const char *from, int dto, const char *to, unsigned flags)
{
    if (fails(F_RENAME)) {
        errno = EIO;
        return -1;
    }
    return REAL(renameat2)(dfrom, from, dto, to, flags);
}

int fsync(int fd)
{
    if (fails(F_FSYNC)) {
        errno = EIO;
        return -1;
    }
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    if (fails(F_FSYNC)) {
        errno = EIO;
        return -1;
    }
    return REAL(fdatasync)(fd);
}

/* open's mode is there only with O_CREAT or O_TMPFILE; reading it always
 * is what glibc itself does. */
int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = va_arg(ap, mode_t);
    va_end(ap);
    if (fails(F_OPEN)) {
        errno = EMFILE;
        return -1;
    }
    return REAL(open)(path, flags, mode);
}
int open64(const char *path, int flags, ...) __attribute__((alias("open")));

int openat(int dir, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = va_arg(ap, mode_t);
    va_end(ap);
    if (fails(F_OPEN)) {
        errno = EMFILE;
        return -1;
    }
    return REAL(openat)(dir, path, flags, mode);
}
int openat64(int dir, const char *path, int flags, ...) __attribute__((alias("openat")));

/* _FORTIFY_SOURCE's open and openat for flags not known at compile time:
 * no mode, so no O_CREAT or O_TMPFILE (glibc aborts on those). */
int __open_2(const char *path, int flags)
{
    if (flags & (O_CREAT | __O_TMPFILE))
        abort();
    return open(path, flags);
}
int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));

int __openat_2(int dir, const char *path, int flags)
{
    if (flags & (O_CREAT | __O_TMPFILE))
        abort();
    return openat(dir, path, flags);
}
int __openat64_2(int dir, const char *path, int flags) __attribute__((alias("__openat_2")));

int mkstemp(char *tmpl)
{
    if (fails(F_MKTEMP)) {
        errno = ENOSPC;
        return -1;
    }
    return REAL(mkstemp)(tmpl);
}

int mkostemp(char *tmpl, int flags)
{
    if (fails(F_MKTEMP)) {
        errno = ENOSPC;
        return -1;
    }
    return REAL(mkostemp)(tmpl, flags);
}

char *mkdtemp(char *tmpl)
{
    if (fails(F_MKTEMP)) {
        errno = ENOSPC;
        return NULL;
    }
    return REAL(mkdtemp)(tmpl);
}

/* The shim's own loaded code, whose frames note_site skips. */
static int find_self(struct dl_phdr_info *info, size_t size, void *base)
{
    (void)size;
    if (info->dlpi_addr != (uintptr_t)base)
        return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t end = info->dlpi_addr + ph->p_vaddr + ph->p_memsz;
        if (ph->p_type == PT_LOAD && end > self_hi)
            self_hi = end;
    }
    self_lo = info->dlpi_addr;
    return 1;
}

__attribute__((constructor)) static void inject_init(void)
{
    resolve(); /* now, before any thread could race to */
    const char *count = getenv("HK_INJECT_COUNT");
    if (count && *count) {
        Dl_info info;
        void *frames[4];
        if (dladdr((void *)inject_init, &info) && info.dli_fbase)
            dl_iterate_phdr(find_self, info.dli_fbase);
        backtrace(frames, 4); /* loads the unwinder now: its allocations go uncounted */
        counting = 1;
    }
    const char *spec = getenv("HK_INJECT");
    if (spec && *spec) {
        const char *colon = strchr(spec, ':');
        for (int f = 0; colon && f < F_N; f++)
            if (strlen(names[f]) == (size_t)(colon - spec) &&
                memcmp(names[f], spec, (size_t)(colon - spec)) == 0)
                target = f;
        char *end;
        target_n = colon ? strtoul(colon + 1, &end, 10) : 0;
        target_on = colon && *end == '+';
        if (target < 0 || target_n == 0 || end[target_on]) {
            static const char msg[] = "inject: HK_INJECT is FUNC:N or FUNC:N+, N from 1\n";
            syscall(SYS_write, 2, msg, sizeof msg - 1);
            _exit(99);
        }
    }
    atomic_store(&armed, 1);
}

/* Runs after the atexit handlers (lib/io's cleanup among them); raw system
 * calls, so nothing here is counted or failed. */
__attribute__((destructor)) static void inject_fini(void)
{
    const char *path = getenv("HK_INJECT_COUNT");
    atomic_store(&armed, 0);
    if (!path || !*path)
        return;
    char buf[4096];
    size_t len = 0;
    int fd =
        (int)syscall(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0)
        return;
    for (int f = 0; f < F_N; f++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %lu\n", names[f],
                                atomic_load(&calls[f]));
    for (size_t i = 0; i < SITES; i++) {
        unsigned long v = atomic_load(&site_first[i]);
        if (!v)
            continue;
        if (len > sizeof buf - 64) {
            syscall(SYS_write, fd, buf, len);
            len = 0;
        }
        len += (size_t)snprintf(buf + len, sizeof buf - len, "site %s %lu\n", names[v >> 56],
                                v & ((1ul << 56) - 1));
    }
    syscall(SYS_write, fd, buf, len);
    syscall(SYS_close, fd);
}
