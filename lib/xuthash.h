/*
 * xuthash: uthash (a hash table of macros over the caller's structs) for
 * hitkit, included in its place.  uthash ends the process with exit(-1),
 * silently, when the table cannot grow; here that is a die() like every
 * other allocation that fails (xmalloc): one message, exit 2, temporaries
 * removed.  A tool may define HASH_FUNCTION before including this.
 */
#ifndef HK_XUTHASH_H
#define HK_XUTHASH_H

#include "err.h"

#define uthash_fatal(msg) die(EXIT_TROUBLE, "%s", msg)
#include <uthash.h>

#endif
