/*
 * md5: RFC 1321 digests, for manifests.  MD5 is no defence against an
 * adversary; it is here because it is what `md5sum` prints and what S3
 * reports as the ETag of a single-part upload, so a manifest line can be
 * checked with tools every data engineer already has.
 */
#ifndef HK_MD5_H
#define HK_MD5_H

#include <stddef.h>
#include <stdint.h>

struct md5 {
    uint32_t h[4];
    uint64_t len;
    unsigned char buf[64];
};

void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *p, size_t n);
/* Writes 32 lowercase hex digits and a NUL. */
void md5_hex(struct md5 *m, char out[33]);

#endif
