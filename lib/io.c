/*
 * io: see io.h.  Blocks are read with read(2) straight into the caller's
 * buffer when the stream is plain, so the common case copies nothing; zstd
 * streams decompress from a private input block into the caller's buffer.
 * The registry of temporary paths is process-wide because the cleanup must
 * also run from atexit() and from signal handlers.
 */
#include "io.h"

#include "err.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include <zstd_errors.h>

enum { IO_BLOCK = 1 << 20 };

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && memcmp(s + n - m, suf, m) == 0;
}

/* ---- temporary path registry ------------------------------------------ */

/* The paths live in blocks of slots that are only ever added to, linked from
 * a static first block, so that a signal handler can walk them without a
 * lock while any thread registers or releases a path.  A slot publishes its
 * path through an atomic pointer.  The handler sets tmp_dying before it
 * reads a slot; tmp_release empties the slot before it reads tmp_dying, and
 * frees the path only if it is not set, so the handler never reads freed
 * memory (the process is about to end: a path or two left unfreed do not
 * matter).  Everything else (which slots are free, the table of blocks) is
 * under tmp_lock, which the handler never takes. */
enum { TMP_BLOCK = 1024 };
struct tmp_block {
    char *_Atomic path[TMP_BLOCK];
    atomic_char isdir[TMP_BLOCK];
    struct tmp_block *_Atomic next;
};
static struct tmp_block tmp_first;
static atomic_int tmp_dying;
static atomic_int tmp_making; /* threads between making a path and publishing it */
static pthread_mutex_t tmp_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tmp_block **tmp_blocks; /* by handle / TMP_BLOCK */
static size_t tmp_nblocks, tmp_blockcap;
static int *tmp_free; /* released handles */
static size_t tmp_nfree, tmp_freecap;
static int tmp_used; /* handles ever handed out */
static pthread_once_t tmp_once = PTHREAD_ONCE_INIT;
static const int tmp_sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGBUS};

/* Unlink every path registered, then rmdir every one (files are gone by
 * then, and a directory is empty once its files are).  Async-signal-safe:
 * atomic loads, unlink, rmdir, poll.  A directory that is not empty yet
 * is tried again: another thread may be making a file in it (a spill, a
 * partition's next chunk); that file is registered before it is made, or
 * by tmp_mkstemp right after, and a thread that registers once tmp_dying
 * is set removes its path itself and waits for the end (tmp_publish).
 * Once the directory is gone nothing can be made in it. */
static void tmp_remove_all(void)
{
    for (int tries = 0; tries < 200; tries++) {
        for (struct tmp_block *b = &tmp_first; b; b = atomic_load(&b->next))
            for (int i = 0; i < TMP_BLOCK; i++) {
                char *p = atomic_load(&b->path[i]);
                if (p && !atomic_load(&b->isdir[i]))
                    unlink(p);
            }
        int busy = 0;
        for (struct tmp_block *b = &tmp_first; b; b = atomic_load(&b->next))
            for (int i = 0; i < TMP_BLOCK; i++) {
                char *p = atomic_load(&b->path[i]);
                if (p && atomic_load(&b->isdir[i]) && rmdir(p) != 0 && errno == ENOTEMPTY)
                    busy = 1;
            }
        if (!busy)
            return;
        poll(NULL, 0, 1);
    }
}

/* Unlink every entry of a flat directory, and close it (d may be NULL).
 * Never in a signal handler: readdir allocates. */
static void tmp_empty_dir(DIR *d)
{
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(dirfd(d), e->d_name, 0);
    if (d)
        closedir(d);
}

/* At exit, not in a signal handler: a directory is also emptied of files
 * nobody registered (a writer that failed between making a file and
 * registering it), which needs readdir. */
static void tmp_cleanup(void)
{
    atomic_store(&tmp_dying, 1);
    for (struct tmp_block *b = &tmp_first; b; b = atomic_load(&b->next))
        for (int i = 0; i < TMP_BLOCK; i++) {
            char *p = atomic_load(&b->path[i]);
            if (!p || !atomic_load(&b->isdir[i]))
                continue;
            tmp_empty_dir(opendir(p));
        }
    tmp_remove_all();
}

/* The fatal signals reach only the main thread (threads start with them
 * blocked, threads_spawn) except SIGBUS, raised by a fault on the faulting
 * thread.  The handler removes the temporaries, then lets the signal end
 * the process; it runs with the other fatal signals blocked. */
static void tmp_signal(int sig)
{
    err_signalled();
    atomic_store(&tmp_dying, 1);
    /* Another thread (signals blocked) may have just made a file or a
     * directory that it has not published yet: wait for it (briefly; it is
     * not waiting for anything).  One that starts later sees tmp_dying. */
    for (int tries = 0; tries < 1000 && atomic_load(&tmp_making); tries++)
        poll(NULL, 0, 1);
    tmp_remove_all();
    signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    pthread_sigmask(SIG_UNBLOCK, &one, NULL); /* now, not when the handler returns */
    raise(sig);
}

static void tmp_hook(void)
{
    atexit(tmp_cleanup);
    /* SIGBUS: a mapped input (input_map) truncated under the process. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tmp_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof tmp_sigs / sizeof *tmp_sigs; i++)
        sigaddset(&sa.sa_mask, tmp_sigs[i]);
    /* A signal ignored from the start stays ignored, as nohup and a shell
     * starting a background job without job control (SIGINT) ask. */
    for (size_t i = 0; i < sizeof tmp_sigs / sizeof *tmp_sigs; i++) {
        struct sigaction old;
        if (sigaction(tmp_sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            continue;
        sigaction(tmp_sigs[i], &sa, NULL);
    }
    /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
    tmp_blocks = xmalloc(sizeof *tmp_blocks);
    tmp_blocks[0] = &tmp_first;
    tmp_nblocks = tmp_blockcap = 1;
}

/* ---- temporaries left by processes that were killed --------------------- */

/* A temporary's name ends in ".hk-PID-HOST.XXXXXX": the process that made
 * it and the host it ran on (gethostname, with every byte but letters,
 * digits and '-' made '-', so it holds no '.'), then mkstemp's six
 * letters and digits.  A process killed by SIGKILL (or a crash, or a power
 * cut) cleans nothing; the next one that makes a temporary in the same
 * directory removes the ones whose process no longer runs: same host, and
 * kill(pid, 0) says there is no such process.  A live process, ours or any
 * other user's (EPERM), is never touched; a pid reused since only keeps a
 * leftover for longer; another machine's temporaries in a shared
 * directory are told apart by the host name. */
static char tmp_host[65];
static pthread_once_t tmp_host_once = PTHREAD_ONCE_INIT;
enum { TMP_SEEN = 32 };
static struct {
    dev_t dev;
    ino_t ino;
} tmp_seen[TMP_SEEN]; /* directories swept already (under tmp_lock) */
static int tmp_nseen;

static void tmp_host_init(void)
{
    char h[256] = "";
    gethostname(h, sizeof h - 1);
    size_t n = strnlen(h, sizeof tmp_host - 1);
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        tmp_host[i] = c;
        if (!ok)
            tmp_host[i] = '-';
    }
    if (n == 0)
        tmp_host[n++] = '-';
    tmp_host[n] = '\0';
}

char *tmp_template(const char *prefix)
{
    pthread_once(&tmp_host_once, tmp_host_init);
    size_t n = strlen(prefix) + strlen(tmp_host) + 40;
    char *t = xmalloc(n);
    snprintf(t, n, "%s.hk-%ld-%s.XXXXXX", prefix, (long)getpid(), tmp_host);
    return t;
}

/* Is name a temporary of this host whose process is gone? */
static int tmp_stale(const char *name)
{
    size_t n = strlen(name);
    if (n < 7)
        return 0;
    const char *x = name + n - 7; /* ".XXXXXX" */
    if (x[0] != '.')
        return 0;
    for (int i = 1; i < 7; i++)
        if (!((x[i] >= 'a' && x[i] <= 'z') || (x[i] >= 'A' && x[i] <= 'Z') ||
              (x[i] >= '0' && x[i] <= '9')))
            return 0;
    const char *t = NULL; /* the last ".hk-" before it: the host holds no '.' */
    for (const char *p = name; p + 4 <= x; p++)
        if (memcmp(p, ".hk-", 4) == 0)
            t = p;
    if (!t)
        return 0;
    const char *q = t + 4;
    long pid = 0;
    int digits = 0;
    for (; q < x && *q >= '0' && *q <= '9' && digits < 10; q++, digits++)
        pid = pid * 10 + (*q - '0');
    if (digits == 0 || q == x || *q != '-')
        return 0;
    q++;
    size_t hn = strlen(tmp_host);
    if ((size_t)(x - q) != hn || memcmp(q, tmp_host, hn) != 0)
        return 0;
    if (pid <= 0 || pid > INT_MAX || pid == (long)getpid())
        return 0;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Remove the file, or the flat directory and its files, name in dfd; never
 * through a symbolic link. */
static void tmp_remove_stale(int dfd, const char *name)
{
    struct stat st;
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return;
    if (S_ISREG(st.st_mode)) {
        unlinkat(dfd, name, 0);
        return;
    }
    if (!S_ISDIR(st.st_mode))
        return;
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d && fd >= 0)
        close(fd);
    tmp_empty_dir(d);
    unlinkat(dfd, name, AT_REMOVEDIR);
}

/* Sweep the directory of the template tmpl, once per process. */
static void tmp_sweep(const char *tmpl)
{
    pthread_once(&tmp_host_once, tmp_host_init);
    const char *slash = strrchr(tmpl, '/');
    char *dir = slash ? xmemdup(tmpl, slash == tmpl ? 1 : (size_t)(slash - tmpl)) : xstrdup(".");
    DIR *d = opendir(dir);
    free(dir);
    struct stat st;
    if (!d || fstat(dirfd(d), &st) != 0) {
        if (d)
            closedir(d);
        return;
    }
    int seen = 0;
    pthread_mutex_lock(&tmp_lock);
    for (int i = 0; i < tmp_nseen && !seen; i++)
        seen = tmp_seen[i].dev == st.st_dev && tmp_seen[i].ino == st.st_ino;
    if (!seen && tmp_nseen < TMP_SEEN) {
        tmp_seen[tmp_nseen].dev = st.st_dev;
        tmp_seen[tmp_nseen++].ino = st.st_ino;
    }
    pthread_mutex_unlock(&tmp_lock);
    struct dirent *e;
    while (!seen && (e = readdir(d)))
        if (strstr(e->d_name, ".hk-") && tmp_stale(e->d_name))
            tmp_remove_stale(dirfd(d), e->d_name);
    closedir(d);
}

/* A free slot, taken (all that allocates happens here, before the path is
 * made); its handle in *h. */
static struct tmp_block *tmp_take(int *h)
{
    pthread_once(&tmp_once, tmp_hook);
    pthread_mutex_lock(&tmp_lock);
    if (tmp_nfree > 0) {
        *h = tmp_free[--tmp_nfree];
    } else {
        if ((size_t)tmp_used == tmp_nblocks * TMP_BLOCK) {
            struct tmp_block *b = xcalloc(1, sizeof *b);
            /* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
            xgrow((void **)&tmp_blocks, &tmp_blockcap, tmp_nblocks + 1, sizeof *tmp_blocks);
            tmp_blocks[tmp_nblocks] = b;
            atomic_store(&tmp_blocks[tmp_nblocks - 1]->next, b);
            tmp_nblocks++;
        }
        *h = tmp_used++;
    }
    xgrow((void **)&tmp_free, &tmp_freecap, (size_t)tmp_used, sizeof *tmp_free);
    struct tmp_block *b = tmp_blocks[*h / TMP_BLOCK];
    pthread_mutex_unlock(&tmp_lock);
    return b;
}

/* A slot taken but never published. */
static void tmp_give_back(int h)
{
    pthread_mutex_lock(&tmp_lock);
    tmp_free[tmp_nfree++] = h;
    pthread_mutex_unlock(&tmp_lock);
}

/* Block the fatal signals in this thread (so that a path made here is
 * published before the handler can run here); *old gets the mask. */
static void tmp_block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (size_t i = 0; i < sizeof tmp_sigs / sizeof *tmp_sigs; i++)
        sigaddset(&set, tmp_sigs[i]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Make path (allocated, owned by the registry from now on) visible to the
 * cleanup.  If the process is already on its way out, the cleanup may have
 * run before this path was there: remove it here and wait for the end.
 * making: the caller counted itself in tmp_making while it made the path. */
static void tmp_publish(struct tmp_block *b, int h, char *path, int isdir, int making)
{
    atomic_store(&b->isdir[h % TMP_BLOCK], (char)isdir);
    atomic_store(&b->path[h % TMP_BLOCK], path);
    if (making)
        atomic_fetch_sub(&tmp_making, 1);
    if (atomic_load(&tmp_dying)) {
        if (unlink(path) != 0)
            rmdir(path);
        for (;;)
            pause();
    }
}

static int tmp_add(const char *path, int isdir)
{
    int h;
    char *p = xstrdup(path);
    struct tmp_block *b = tmp_take(&h);
    tmp_publish(b, h, p, isdir, 0);
    return h;
}

int tmp_register(const char *path) { return tmp_add(path, 0); }
int tmp_register_dir(const char *path) { return tmp_add(path, 1); }

/* Make the file (an open descriptor) or the directory (0) of template
 * tmpl, and register it, published before a signal can end this thread;
 * -1 and errno when it cannot be made. */
static int tmp_make(char *tmpl, int *h, int isdir)
{
    tmp_sweep(tmpl);
    char *p = xstrdup(tmpl);
    struct tmp_block *b = tmp_take(h);
    sigset_t old;
    tmp_block_signals(&old);
    atomic_fetch_add(&tmp_making, 1);
    int fd = isdir ? (mkdtemp(tmpl) ? 0 : -1) : mkostemp(tmpl, O_CLOEXEC);
    if (fd >= 0) {
        memcpy(p, tmpl, strlen(tmpl));
        tmp_publish(b, *h, p, isdir, 1);
    } else {
        atomic_fetch_sub(&tmp_making, 1);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
        int e = errno;
        free(p);
        tmp_give_back(*h);
        errno = e;
    }
    return fd;
}

int tmp_mkstemp(char *tmpl, int *h) { return tmp_make(tmpl, h, 0); }

char *tmp_mkdtemp(char *tmpl, int *h) { return tmp_make(tmpl, h, 1) == 0 ? tmpl : NULL; }

static sigset_t tmp_deferred; /* the mask tmp_defer_signals replaced */

void tmp_defer_signals(void) { tmp_block_signals(&tmp_deferred); }
void tmp_allow_signals(void) { pthread_sigmask(SIG_SETMASK, &tmp_deferred, NULL); }

void tmp_release(int h)
{
    if (h < 0)
        return;
    pthread_mutex_lock(&tmp_lock);
    if (h >= tmp_used) {
        pthread_mutex_unlock(&tmp_lock);
        return;
    }
    char *p = atomic_exchange(&tmp_blocks[h / TMP_BLOCK]->path[h % TMP_BLOCK], NULL);
    if (p) /* not released before */
        tmp_free[tmp_nfree++] = h;
    pthread_mutex_unlock(&tmp_lock);
    if (p && !atomic_load(&tmp_dying))
        free(p);
}

/* ---- input -------------------------------------------------------------- */

struct input {
    int fd;
    const char *name;
    uint64_t raw;
    ZSTD_DCtx *z;
    unsigned char *zbuf; /* compressed bytes not yet decoded: [zpos, zlen) */
    size_t zpos, zlen;
    size_t zlast; /* last ZSTD_decompressStream result: 0 at a frame end */
    int eof;
    uint64_t left; /* bytes the input may still read (input_open_range) */
};

static size_t raw_read(struct input *in, void *buf, size_t cap)
{
    if (cap > in->left)
        cap = (size_t)in->left;
    if (cap == 0)
        return 0;
    for (;;) {
        ssize_t r = read(in->fd, buf, cap);
        if (r >= 0) {
            in->raw += (uint64_t)r;
            in->left -= (uint64_t)r;
            return (size_t)r;
        }
        if (errno != EINTR)
            die_sys("%s: read error", in->name);
    }
}

static int is_zstd_magic(const unsigned char *p, size_t n)
{
    static const unsigned char magic[4] = {0x28, 0xB5, 0x2F, 0xFD};
    return n >= 4 && memcmp(p, magic, 4) == 0;
}

struct input *input_open(const char *path)
{
    struct input *in = xcalloc(1, sizeof *in);
    in->left = UINT64_MAX;
    if (!path || strcmp(path, "-") == 0) {
        in->fd = 0;
        in->name = "-";
    } else {
        in->fd = open(path, O_RDONLY);
        if (in->fd < 0)
            die_sys("%s", path);
        in->name = path;
    }
    /* Sniff the first bytes for the zstd magic number. */
    in->zbuf = xmalloc(IO_BLOCK);
    size_t n = 0;
    while (n < 4) {
        size_t r = raw_read(in, in->zbuf + n, IO_BLOCK - n);
        if (r == 0)
            break;
        n += r;
    }
    in->zlen = n;
    int zst = is_zstd_magic(in->zbuf, n);
    if (!zst && has_suffix(in->name, ".zst") && n > 0)
        die(EXIT_DATA, "%s: not zstd data (the name ends in .zst)", in->name);
    if (zst) {
        in->z = ZSTD_createDCtx();
        if (!in->z)
            die(EXIT_TROUBLE, "out of memory");
        ZSTD_DCtx_setParameter(in->z, ZSTD_d_windowLogMax, 31);
    }
    return in;
}

size_t input_read(struct input *in, void *buf, size_t cap)
{
    if (!in->z) {
        /* Plain: hand out the sniffed bytes first, then read directly. */
        if (in->zpos < in->zlen) {
            size_t n = in->zlen - in->zpos;
            if (n > cap)
                n = cap;
            memcpy(buf, in->zbuf + in->zpos, n);
            in->zpos += n;
            return n;
        }
        if (in->eof)
            return 0;
        size_t r = raw_read(in, buf, cap);
        if (r == 0)
            in->eof = 1;
        return r;
    }
    ZSTD_outBuffer out = {buf, cap, 0};
    while (out.pos == 0) {
        if (in->zpos == in->zlen) {
            if (in->eof)
                break;
            in->zlen = raw_read(in, in->zbuf, IO_BLOCK);
            in->zpos = 0;
            if (in->zlen == 0) {
                in->eof = 1;
                break;
            }
        }
        ZSTD_inBuffer zin = {in->zbuf, in->zlen, in->zpos};
        size_t ret = ZSTD_decompressStream(in->z, &out, &zin);
        in->zpos = zin.pos;
        if (ZSTD_isError(ret)) {
            /* Memory that ran out is the system's trouble, not bad data. */
            int oom = ZSTD_getErrorCode(ret) == ZSTD_error_memory_allocation;
            die(oom ? EXIT_TROUBLE : EXIT_DATA, "%s: zstd: %s", in->name,
                ZSTD_getErrorName(ret));
        }
        in->zlast = ret;
    }
    if (out.pos == 0 && in->zlast != 0)
        die(EXIT_DATA, "%s: truncated zstd data", in->name);
    return out.pos;
}

int input_plain_file(const char *path, uint64_t *size)
{
    struct stat st;
    if (!path || strcmp(path, "-") == 0 || has_suffix(path, ".zst") || stat(path, &st) != 0 ||
        !S_ISREG(st.st_mode))
        return 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    unsigned char head[4];
    ssize_t n = pread(fd, head, sizeof head, 0);
    close(fd);
    *size = (uint64_t)st.st_size;
    return n >= 0 && !is_zstd_magic(head, (size_t)n);
}

char *input_map(const char *path, uint64_t size)
{
    if (size == 0 || size > SIZE_MAX)
        return NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_POPULATE_READ
    /* All pages at once, by read faults: MAP_POPULATE would fault a
     * writable private mapping for writing, copying every page.  Older
     * kernels say EINVAL: the pages then fault in as they are read. */
    madvise(p, (size_t)size, MADV_POPULATE_READ);
#endif
    return p;
}

void input_unmap(char *p, uint64_t size)
{
    if (p)
        munmap(p, (size_t)size);
}

struct input *input_open_range(const char *path, uint64_t from, uint64_t to)
{
    struct input *in = xcalloc(1, sizeof *in);
    in->fd = open(path, O_RDONLY);
    if (in->fd < 0)
        die_sys("%s", path);
    in->name = path;
    if (from > 0 && lseek(in->fd, (off_t)from, SEEK_SET) < 0)
        die_sys("%s: cannot seek", path);
    in->left = to > from ? to - from : 0;
    return in;
}

size_t input_pread(struct input *in, void *buf, size_t cap, uint64_t off)
{
    for (;;) {
        ssize_t r = pread(in->fd, buf, cap, (off_t)off);
        if (r >= 0)
            return (size_t)r;
        if (errno != EINTR)
            die_sys("%s: read error", in->name);
    }
}

const char *input_name(const struct input *in) { return in->name; }
uint64_t input_raw_bytes(const struct input *in) { return in->raw; }

void input_close(struct input *in)
{
    if (!in)
        return;
    if (in->fd > 0)
        close(in->fd);
    ZSTD_freeDCtx(in->z);
    free(in->zbuf);
    free(in);
}

static mode_t umask_get(void)
{
    mode_t m = umask(0);
    umask(m);
    return m;
}

/* ---- output ------------------------------------------------------------- */

struct output {
    int fd;
    char *path, *tmp; /* NULL for stdout */
    int tmph;
    ZSTD_CCtx *z;
    unsigned char *zbuf;
    size_t zcap;
};

static void raw_write(struct output *o, const void *p, size_t n)
{
    const char *s = p;
    while (n > 0) {
        ssize_t w = write(o->fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EPIPE)
                exit(128 + SIGPIPE); /* reader went away: quietly, like SIGPIPE */
            die_sys("%s: write error", o->path ? o->path : "standard output");
        }
        s += w;
        n -= (size_t)w;
    }
}

void output_set_zstd(struct output *o, int on, int level)
{
    if (!on) { /* its buffer goes too: output_close frees it only with a context */
        ZSTD_freeCCtx(o->z);
        o->z = NULL;
        free(o->zbuf);
        o->zbuf = NULL;
        return;
    }
    if (!o->z) {
        o->z = ZSTD_createCCtx();
        if (!o->z)
            die(EXIT_TROUBLE, "out of memory");
        o->zcap = ZSTD_CStreamOutSize();
        o->zbuf = xmalloc(o->zcap);
    }
    ZSTD_CCtx_setParameter(o->z, ZSTD_c_compressionLevel, level ? level : 3);
}

struct output *output_open(const char *path, int level)
{
    struct output *o = xcalloc(1, sizeof *o);
    o->tmph = -1;
    if (!path || strcmp(path, "-") == 0) {
        o->fd = 1;
        return o;
    }
    /* A device or pipe (/dev/null, /dev/stderr, a FIFO) is written in
     * place (o->tmp stays NULL): renaming a temporary onto it would replace
     * the special file itself.  A symlink to a regular file (/dev/stdout
     * redirected to a file, a user's link) is followed, so the file it
     * points to is replaced, not the link. */
    struct stat st, lst;
    char *real = NULL;
    if (stat(path, &st) == 0) {
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            o->path = xstrdup(path);
            o->fd = open(path, O_WRONLY | O_CLOEXEC);
            if (o->fd < 0)
                die_sys("%s", path);
            if (has_suffix(path, ".zst"))
                output_set_zstd(o, 1, level);
            return o;
        }
        if (lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
            real = realpath(path, NULL);
    }
    o->path = xstrdup(real ? real : path);
    free(real);
    path = o->path;
    size_t n = strlen(path);
    char *prefix = xmalloc(n + 2);
    /* Same directory as the destination, so rename(2) is atomic. */
    const char *slash = strrchr(path, '/');
    size_t dir = slash ? (size_t)(slash - path + 1) : 0;
    snprintf(prefix, n + 2, "%.*s.%s", (int)dir, path, path + dir);
    o->tmp = tmp_template(prefix);
    free(prefix);
    o->fd = tmp_mkstemp(o->tmp, &o->tmph);
    if (o->fd < 0)
        die_sys("%s", path);
    if (has_suffix(path, ".zst"))
        output_set_zstd(o, 1, level);
    return o;
}

void output_write(struct output *o, const void *p, size_t n)
{
    if (!o->z) {
        raw_write(o, p, n);
        return;
    }
    ZSTD_inBuffer in = {p, n, 0};
    while (in.pos < in.size) {
        ZSTD_outBuffer out = {o->zbuf, o->zcap, 0};
        size_t r = ZSTD_compressStream2(o->z, &out, &in, ZSTD_e_continue);
        if (ZSTD_isError(r))
            die(EXIT_TROUBLE, "zstd: %s", ZSTD_getErrorName(r));
        raw_write(o, o->zbuf, out.pos);
    }
}

void output_close(struct output *o)
{
    if (o->z) {
        size_t r;
        do {
            ZSTD_inBuffer in = {NULL, 0, 0};
            ZSTD_outBuffer out = {o->zbuf, o->zcap, 0};
            r = ZSTD_compressStream2(o->z, &out, &in, ZSTD_e_end);
            if (ZSTD_isError(r))
                die(EXIT_TROUBLE, "zstd: %s", ZSTD_getErrorName(r));
            raw_write(o, o->zbuf, out.pos);
        } while (r != 0);
        ZSTD_freeCCtx(o->z);
        free(o->zbuf);
    }
    if (o->path && !o->tmp) {
        if (close(o->fd) != 0)
            die_sys("%s", o->path);
    } else if (o->path) {
        if (fchmod(o->fd, 0666 & ~umask_get()) != 0 || close(o->fd) != 0)
            die_sys("%s", o->path);
        if (rename(o->tmp, o->path) != 0)
            die_sys("%s", o->path);
        tmp_release(o->tmph);
    }
    free(o->path);
    free(o->tmp);
    free(o);
}

void output_abort(struct output *o)
{
    if (o->path) {
        close(o->fd);
        if (o->tmp) {
            unlink(o->tmp);
            tmp_release(o->tmph);
        }
    }
    ZSTD_freeCCtx(o->z);
    free(o->zbuf);
    free(o->path);
    free(o->tmp);
    free(o);
}

/* ---- blocks appended to files ------------------------------------------- */

struct output_blocks {
    ZSTD_CCtx *z; /* NULL: plain */
    char *zbuf;
    size_t zcap;
    int errnum;              /* the error kept: errno, or 0 for zstd's */
    char msg[PATH_MAX + 64]; /* what failed ("" when nothing did) */
};

struct output_blocks *output_blocks_new(int zstd, int level)
{
    struct output_blocks *b = xcalloc(1, sizeof *b);
    if (zstd) {
        b->z = ZSTD_createCCtx();
        if (!b->z)
            die(EXIT_TROUBLE, "out of memory");
        ZSTD_CCtx_setParameter(b->z, ZSTD_c_compressionLevel, level);
    }
    return b;
}

const void *output_blocks_append(struct output_blocks *b, const char *path, const void *p,
                                 size_t n, size_t *written)
{
    const char *data = p;
    if (b->z) {
        xgrow((void **)&b->zbuf, &b->zcap, ZSTD_compressBound(n), 1);
        n = ZSTD_compress2(b->z, b->zbuf, b->zcap, p, n);
        if (ZSTD_isError(n)) {
            b->errnum = 0;
            snprintf(b->msg, sizeof b->msg, "zstd: %s", ZSTD_getErrorName(n));
            return NULL;
        }
        data = b->zbuf;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
    const char *what = "";
    for (size_t off = 0; fd >= 0 && off < n;) {
        ssize_t w = write(fd, data + off, n - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            what = ": write error";
            break;
        }
        off += (size_t)w;
    }
    if (fd < 0 || *what || close(fd) != 0) {
        b->errnum = errno ? errno : EIO;
        if (fd >= 0 && *what)
            close(fd);
        snprintf(b->msg, sizeof b->msg, "%s%s", path, what);
        return NULL;
    }
    *written = n;
    return data;
}

void output_blocks_die(const struct output_blocks *b)
{
    if (!b->errnum)
        die(EXIT_TROUBLE, "%s", b->msg);
    errno = b->errnum;
    die_sys("%s", b->msg);
}

void output_blocks_free(struct output_blocks *b)
{
    if (!b)
        return;
    ZSTD_freeCCtx(b->z);
    free(b->zbuf);
    free(b);
}
