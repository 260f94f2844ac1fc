/*
 * io: byte streams in and out, with transparent zstd, and safe output files.
 *
 * Input is read in large blocks with read(2); a stream that starts with the
 * zstd magic number (or whose name ends in ".zst") is decompressed on the
 * fly with libzstd's streaming API, frame after frame, so a tool never knows
 * the difference.  Output to a named file goes to a temporary name in the
 * same directory and is renamed into place only by output_close(); if the
 * process dies first (error exit, SIGINT, SIGTERM, SIGHUP) the temporary is
 * removed, so a half-written file is never left behind; one left by
 * SIGKILL is removed by the next run that writes in that directory (see
 * tmp_template).  Output names ending in ".zst" are compressed.
 */
#ifndef HK_IO_H
#define HK_IO_H

#include <stddef.h>
#include <stdint.h>

struct input;
struct output;

/* "-" (or NULL) is standard input.  Dies (exit 2) when it cannot be opened. */
struct input *input_open(const char *path);
/* Read up to cap decompressed bytes; 0 means end of input.  Dies on error. */
size_t input_read(struct input *in, void *buf, size_t cap);
/* Is path a regular file that is not zstd (by name or by magic number)?
 * Then *size is its size: it can be read in ranges. */
int input_plain_file(const char *path, uint64_t *size);
/* The bytes [from, to) of such a file, as a stream (no zstd sniffing). */
struct input *input_open_range(const char *path, uint64_t from, uint64_t to);
/* Up to cap bytes at offset off, wherever the stream is (input_open_range
 * streams only); returns fewer at the end of the file.  Dies on error. */
size_t input_pread(struct input *in, void *buf, size_t cap, uint64_t off);
/* The first size bytes of such a file mapped into memory, private and
 * writable (writes are the process's own), or NULL when it cannot be
 * mapped.  The pages come straight from the page cache, all faulted in
 * at once: no copy and no fresh memory to zero.  A file truncated while
 * mapped kills the process (SIGBUS; temporaries are removed), so map only
 * files that are input. */
char *input_map(const char *path, uint64_t size);
void input_unmap(char *p, uint64_t size);
const char *input_name(const struct input *in);   /* "-" for stdin */
uint64_t input_raw_bytes(const struct input *in); /* bytes read from the file */
void input_close(struct input *in);

/* NULL or "-" is standard output.  level is the zstd level for .zst names
 * (0 means the default, 3). */
struct output *output_open(const char *path, int level);
/* Force compression on or off regardless of the name (for stdout). */
void output_set_zstd(struct output *o, int on, int level);
void output_write(struct output *o, const void *p, size_t n);
/* Finish the stream, close, rename into place.  Dies on error. */
void output_close(struct output *o);
/* Drop everything written; the destination is left untouched. */
void output_abort(struct output *o);

/* Whole blocks appended to files in turns, each file opened for one write
 * only, so that a tool writing any number of files (hit-partition's
 * partitions) holds one open file and one zstd context at a time.  With
 * zstd each block goes out as one frame: a file of frames one after the
 * other is an ordinary .zst file.  For a thread that may not end the
 * process: errors are kept, not reported, until output_blocks_die. */
struct output_blocks;
/* zstd: compress each block, at level (1 to 19). */
struct output_blocks *output_blocks_new(int zstd, int level);
/* Append the n bytes at p to path, created when missing.  Returns the
 * bytes that went to the file (p itself, or its frame: valid until the
 * next call, for a checksum), their count in *written; or NULL, the error
 * kept. */
const void *output_blocks_append(struct output_blocks *b, const char *path, const void *p,
                                 size_t n, size_t *written);
/* Die with the error kept (exit 2): on the thread that may end the process. */
void output_blocks_die(const struct output_blocks *b);
void output_blocks_free(struct output_blocks *b);

/* Temporary paths, removed at exit and on a fatal signal (SIGINT, SIGTERM,
 * SIGHUP, SIGBUS) unless released first.  Any thread may register and
 * release.  The signal handler does only async-signal-safe work: it
 * unlinks the files registered and removes the directories registered
 * (rmdir), and reads no directory, so every file a temporary directory
 * holds must be registered too, before it is made (or made by
 * tmp_mkstemp).  At exit a directory is also emptied of files nobody
 * registered.  Each returns a handle. */
int tmp_register(const char *path);
int tmp_register_dir(const char *path);
/* A template for these, allocated: prefix + ".hk-PID-HOST.XXXXXX" (this
 * process's id and host name), e.g. "dir/.out.tsv.hk-4242-build1.XXXXXX". */
char *tmp_template(const char *prefix);
/* mkstemp(3) (close-on-exec) and mkdtemp(3) of such a template,
 * registered: there is no moment at which the path exists unregistered.
 * -1 or NULL (errno set) on failure.  First, once per process and
 * directory, the temporaries there of processes of this host that no
 * longer run (killed by SIGKILL, say) are removed. */
int tmp_mkstemp(char *tmpl, int *handle);
char *tmp_mkdtemp(char *tmpl, int *handle);
/* The path is no longer removed (it was renamed into place, or removed). */
void tmp_release(int handle);
/* Between these, on the main thread (the one that takes the signals:
 * threads start with them blocked, threads_spawn), a fatal signal waits: it
 * is handled by tmp_allow_signals.  For a commit of several steps (files
 * moved into place, then a manifest) that must not stop half way. */
void tmp_defer_signals(void);
void tmp_allow_signals(void);

#endif
