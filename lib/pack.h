/*
 * pack: the archives of an Adobe data feed delivery, written by hitkit
 * itself: gzip (RFC 1952), a POSIX ustar archive inside gzip (.tar.gz)
 * and zip (PKWARE APPNOTE: deflate, a data descriptor after each member,
 * the central directory at the end).  Deflate and CRC-32 are zlib's; the
 * containers are a few headers each, so they are written here rather
 * than by a library or by shelling out to tar, gzip or zip.
 *
 * The bytes depend on the arguments alone: every timestamp is the mtime
 * given (no clock), owner and group are 0 with no names, the gzip header
 * names no file and says Unix whatever the platform.  (They do depend on
 * zlib's deflate, which has not changed its output at one level for
 * years.)  The file goes through lib/io's output: a temporary name,
 * renamed into place by pack_close, and its MD5 and size are taken as
 * it is written, for the manifest.
 *
 * Limits: tar members under 8 GiB (11 octal digits, no GNU or pax
 * extensions) with names of at most 100 bytes; zip files under 4 GiB
 * (no zip64).  Past them pack dies with a message rather than write an
 * archive other tools misread.
 */
#ifndef HK_PACK_H
#define HK_PACK_H

#include <stddef.h>
#include <stdint.h>

enum pack_kind {
    PACK_GZ,     /* one gzip stream; pack_member's name is not stored */
    PACK_TAR_GZ, /* ustar inside gzip */
    PACK_ZIP     /* zip, every member deflated */
};

struct pack_sum {
    char md5[33];  /* of the file's bytes, lowercase hex */
    uint64_t size; /* the file's size */
};

struct pack;

/* mtime: seconds since 1970 UTC, stored in every header. */
struct pack *pack_open(const char *path, enum pack_kind kind, int64_t mtime);
/* Start the next member.  tar writes size in its header before the data,
 * so the bytes written must add up to it (checked); gz and zip ignore it.
 * A gz file has exactly one member. */
void pack_member(struct pack *p, const char *name, uint64_t size);
void pack_write(struct pack *p, const void *buf, size_t n);
/* Finish the archive, rename it into place, free p. */
void pack_close(struct pack *p, struct pack_sum *sum);

#endif
