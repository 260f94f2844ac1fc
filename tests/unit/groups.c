/* Unit tests for lib/groups: find, find_many, same, values, order, clear. */
#include "groups.h"
#include "check.h"
#include "err.h"
#include "tsv.h"

static struct field F(const char *s) {
    return (struct field){(char *)s, strlen(s)};
}

int main(void)
{
    static const size_t cols[] = {2, 0};
    struct groups *t = groups_new(cols, 2, 24);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* (col 2, col 0): ("ab","c") and ("a","bc") must be two groups. */
    struct field r1[3] = {F("c"), F("-"), F("ab")}, r2[3] = {F("bc"), F("-"), F("a")};
    struct field r3[3] = {F(""), F("-"), F(big)}, r4[3] = {F("c"), F("other"), F("ab")};
    long *p1 = groups_find(t, r1), *p2 = groups_find(t, r2), *p3 = groups_find(t, r3);
    CHECK(p1 != p2 && p2 != p3 && p1 != p3);
    CHECK(groups_find(t, r4) == p1);               /* column 1 is not part of the key */
    CHECK(p1[0] == 0 && p1[1] == 0 && p1[2] == 0); /* payload zeroed */
    CHECK(((uintptr_t)p1 & 15) == 0);
    p1[0] = 42;
    CHECK(((long *)groups_find(t, r1))[0] == 42);
    CHECK(groups_same(t, p1, r4) && !groups_same(t, p1, r2) && groups_same(t, p3, r3));
    struct field r5[3] = {F("cd"), F("-"), F("ab")}, r6[3] = {F("c"), F("-"), F("abc")};
    CHECK(!groups_same(t, p1, r5) && !groups_same(t, p1, r6));
    CHECK(groups_made(t) == 3);
    /* order of first appearance, values decoded back (varint of 299) */
    struct field v[2];
    CHECK(groups_count(t) == 3 && groups_at(t, 0) == p1);
    CHECK(groups_at(t, 1) == p2 && groups_at(t, 2) == p3);
    groups_values(t, p3, v);
    CHECK_MEM(v[0].p, v[0].n, big, strlen(big));
    CHECK(v[1].n == 0);
    groups_values(t, p2, v);
    CHECK_MEM(v[0].p, v[0].n, "a", 1);
    CHECK_MEM(v[1].p, v[1].n, "bc", 2);
    /* many groups (the index grows): every one found again, one at a time
     * and in batches that repeat keys and make new groups midway */
    static char keys[5000][16];
    static void *seen[5000], *got[100];
    static struct field rows[100][3];
    for (int i = 0; i < 5000; i++) {
        snprintf(keys[i], sizeof keys[i], "k%d", i);
        struct field r[3] = {F(keys[i]), F(""), F("z")};
        seen[i] = groups_find(t, r);
    }
    int ok = 1;
    for (int i = 4999; i >= 0; i--) {
        struct field r[3] = {F(keys[i]), F(""), F("z")};
        ok &= groups_find(t, r) == seen[i];
    }
    CHECK(ok);
    CHECK(groups_made(t) == 5003 && groups_count(t) == 5003);
    static char fresh[50][16];
    for (int i = 0; i < 100; i++) {
        const char *k = keys[(i * 37) % 5000];
        if (i % 2) { /* a new key, the same one twice in a row */
            snprintf(fresh[i / 2], sizeof fresh[i / 2], "new%d", i / 4);
            k = fresh[i / 2];
        }
        rows[i][0] = F(k), rows[i][1] = F("-"), rows[i][2] = F("z");
    }
    static uint64_t h[100];
    for (int i = 0; i < 100; i++)
        h[i] = groups_hash(t, rows[i]);
    groups_find_many(t, &rows[0][0], 3, h, 100, got);
    for (int i = 0; i < 100; i++)
        ok &= got[i] == (i % 2 ? groups_at(t, 5003 + (size_t)(i / 4)) : seen[(i * 37) % 5000]);
    CHECK(ok);
    CHECK(groups_count(t) == 5003 + 25);
    groups_clear(t);
    CHECK(groups_count(t) == 0);
    long *q = groups_find(t, r1);
    CHECK(q[0] == 0 && groups_count(t) == 1 && groups_made(t) == 5029);
    CHECK(groups_find(t, r2) != q && groups_find(t, r4) == q && groups_count(t) == 2);
    groups_clear(t); /* a table that never grew is cleared in place */
    CHECK(groups_count(t) == 0 && groups_find(t, r2) != NULL && groups_count(t) == 1);
    groups_free(t);

    /* no key columns: one group for every record */
    t = groups_new(NULL, 0, 8);
    void *only = groups_find(t, NULL);
    CHECK(groups_find(t, r2) == only && groups_same(t, only, r3) && groups_made(t) == 1);
    groups_free(t);
    return check_done("groups");
}
