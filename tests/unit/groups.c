/* Unit tests for lib/groups: find, find_many, same, key, order, clear. */
#include "groups.h"
#include "check.h"
#include "tsv.h"

static struct field F(const char *s) {
    return (struct field){(char *)s, strlen(s)};
}

static void *find(struct groups *t, const char *k)
{
    return groups_find(t, k, strlen(k));
}

/* The key compare, reached through groups_same (a lookup only compares
 * when a slot's 16-bit tag matches, which keys that differ rarely do):
 * keys of every length up to 48 that differ in one byte, at every
 * position, are not the group's. */
static void compare_every_byte(void)
{
    struct groups *t = groups_new(8);
    char k[48];
    for (size_t n = 1; n <= sizeof k; n++) {
        memset(k, 'a', n);
        void *g = groups_find(t, k, n);
        CHECK(groups_same(t, g, k, n));
        int ok = 1;
        for (size_t i = 0; i < n; i++) {
            k[i] = 'b';
            ok &= !groups_same(t, g, k, n);
            k[i] = 'a';
        }
        CHECK(ok);
    }
    groups_free(t);
}

int main(void)
{
    compare_every_byte();
    struct groups *t = groups_new(24);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* keys that share bytes: "ab\tc" and "a\tbc" are two groups; the empty
     * key is a key; a long one */
    long *p1 = find(t, "ab\tc"), *p2 = find(t, "a\tbc"), *p3 = find(t, big), *p4 = find(t, "");
    CHECK(p1 != p2 && p2 != p3 && p1 != p3 && p4 != p1 && p4 != p2 && p4 != p3);
    CHECK(find(t, "ab\tc") == p1 && find(t, "") == p4);
    CHECK(p1[0] == 0 && p1[1] == 0 && p1[2] == 0); /* payload zeroed */
    CHECK(((uintptr_t)p1 & 15) == 0);
    p1[0] = 42;
    CHECK(((long *)find(t, "ab\tc"))[0] == 42);
    CHECK(groups_same(t, p1, "ab\tc", 4) && !groups_same(t, p1, "a\tbc", 4));
    CHECK(!groups_same(t, p1, "ab\tcd", 5) && !groups_same(t, p1, "ab\t", 3));
    CHECK(groups_same(t, p3, big, strlen(big)) && groups_same(t, p4, "", 0));
    /* a prefix of a key of 8 to 16 bytes, and one that differs in its
     * middle only: three groups */
    long *p5 = find(t, "0123456789abcdef"), *p6 = find(t, "0123456789abcde");
    long *p7 = find(t, "0123456X89abcdef");
    CHECK(p5 != p6 && p5 != p7 && p6 != p7 && find(t, "0123456789abcdef") == p5);
    CHECK(groups_made(t) == 7);
    /* order of first appearance, keys back as stored */
    size_t n;
    CHECK(groups_count(t) == 7 && groups_at(t, 0) == p1);
    CHECK(groups_at(t, 1) == p2 && groups_at(t, 2) == p3 && groups_at(t, 3) == p4);
    const char *k = groups_key(t, p3, &n);
    CHECK_MEM(k, n, big, strlen(big));
    k = groups_key(t, p2, &n);
    CHECK_MEM(k, n, "a\tbc", 4);
    groups_key(t, p4, &n);
    CHECK(n == 0);
    /* many groups (the index grows): every one found again, one at a time
     * and in batches that repeat keys and make new groups midway */
    static char keys[5000][16];
    static void *seen[5000], *got[100];
    static struct field rows[100][3];
    for (int i = 0; i < 5000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        seen[i] = find(t, keys[i]);
    }
    int ok = 1;
    for (int i = 4999; i >= 0; i--)
        ok &= find(t, keys[i]) == seen[i];
    CHECK(ok);
    CHECK(groups_made(t) == 5007 && groups_count(t) == 5007);
    static char fresh[50][16];
    for (int i = 0; i < 100; i++) {
        const char *key = keys[(i * 37) % 5000];
        if (i % 2) { /* a new key, the same one twice in a row */
            snprintf(fresh[i / 2], sizeof fresh[i / 2], "new%d", i / 4);
            key = fresh[i / 2];
        }
        rows[i][0] = F(key), rows[i][1] = F("-"), rows[i][2] = F("z");
    }
    static uint64_t h[100];
    for (int i = 0; i < 100; i++)
        h[i] = hash_bytes(rows[i][0].p, rows[i][0].n);
    groups_find_many(t, &rows[0][0], 3, h, 100, got);
    for (int i = 0; i < 100; i++)
        ok &= got[i] == (i % 2 ? groups_at(t, 5007 + (size_t)(i / 4)) : seen[(i * 37) % 5000]);
    CHECK(ok);
    CHECK(groups_count(t) == 5007 + 25);
    groups_clear(t);
    CHECK(groups_count(t) == 0);
    long *q = find(t, "ab\tc");
    CHECK(q[0] == 0 && groups_count(t) == 1 && groups_made(t) == 5033);
    CHECK(find(t, "a\tbc") != q && find(t, "ab\tc") == q && groups_count(t) == 2);
    groups_clear(t); /* a table that never grew is cleared in place */
    CHECK(groups_count(t) == 0 && find(t, "a\tbc") != NULL && groups_count(t) == 1);
    groups_free(t);
    return check_done("groups");
}
