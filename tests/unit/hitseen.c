/*
 * Unit tests for lib/hitseen.c: a hit seen again in its second is a copy;
 * another second, visitor or id is not; the set keeps every hit of a busy
 * second (it grows) and forgets them all at the next second.
 */
#include "hitseen.h"

#include "check.h"

int main(void)
{
    struct hitseen s = {0};
    CHECK(hitseen_add(&s, 100, 1, 7) == 0);
    CHECK(hitseen_add(&s, 100, 1, 7) == 1); /* the copy */
    CHECK(hitseen_add(&s, 100, 2, 7) == 0); /* another visitor, same id */
    CHECK(hitseen_add(&s, 100, 1, 8) == 0); /* same visitor, another id */
    CHECK(hitseen_add(&s, 100, 2, 7) == 1);
    CHECK(hitseen_add(&s, 101, 1, 7) == 0); /* a new second forgets */
    CHECK(hitseen_add(&s, 100, 1, 7) == 0); /* back to an old second: new set */
    size_t small = hitseen_bytes(&s);
    CHECK(small > 0);

    /* A busy second: every hit kept through the growths, each copy known. */
    for (uint64_t i = 0; i < 5000; i++)
        CHECK(hitseen_add(&s, 200, i % 7, i) == 0);
    for (uint64_t i = 0; i < 5000; i++)
        CHECK(hitseen_add(&s, 200, i % 7, i) == 1);
    CHECK(hitseen_bytes(&s) > small);
    /* The next second starts empty, in the same memory. */
    size_t big = hitseen_bytes(&s);
    for (uint64_t i = 0; i < 5000; i++)
        CHECK(hitseen_add(&s, 201, i % 7, i) == 0);
    CHECK(hitseen_bytes(&s) == big);

    /* Many seconds of a few hits: memory stays that of the busiest. */
    for (int64_t t = 300; t < 300000; t++) {
        CHECK(hitseen_add(&s, t, 1, 1) == 0);
        CHECK(hitseen_add(&s, t, 1, 1) == 1);
    }
    CHECK(hitseen_bytes(&s) == big);
    hitseen_free(&s);
    CHECK(hitseen_bytes(&s) == 0);
    return check_done("hitseen");
}
