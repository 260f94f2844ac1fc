/*
 * Unit tests for lib/adobe.c: purchase events and product revenue, with
 * Adobe's caret escapes.  Exits 1 after printing every check that failed.
 */
#include "adobe.h"
#include "dec.h"

#include <stdio.h>
#include <string.h>

static int failed;

static void event(const char *list, const char *id, int want)
{
    int got = adobe_has_event(list, strlen(list), id, strlen(id));
    if (got != want) {
        printf("FAIL event %s in \"%s\": got %d, want %d\n", id, list, got, want);
        failed = 1;
    }
}

/* want is the formatted sum, or NULL with bad_product/bad_err for an error. */
static void revenue(const char *list, const char *want, size_t bad_product, int bad_err)
{
    struct dec sum = {123, 4};
    int err = 0;
    size_t bad = adobe_revenue(list, strlen(list), &sum, &err);
    if (want) {
        char buf[DEC_BUFSZ];
        dec_format(sum, buf);
        if (bad || strcmp(buf, want) != 0) {
            printf("FAIL revenue \"%s\": got %s (bad product %zu), want %s\n", list, buf, bad,
                   want);
            failed = 1;
        }
    } else if (bad != bad_product || err != bad_err) {
        printf("FAIL revenue \"%s\": bad product %zu err %d, want %zu err %d\n", list, bad, err,
               bad_product, bad_err);
        failed = 1;
    }
}

int main(void)
{
    event("1", "1", 1);
    event("10", "1", 0);
    event("11,10,12", "1", 0);
    event("100,200", "1", 0);
    event("2,1", "1", 1);
    event("1,2", "1", 1);
    event("1=5", "1", 1);
    event("1:abc", "1", 1);
    event("200=1,12", "1", 0);
    event("", "1", 0);
    event(",1,", "1", 1);
    event("12, 1", "1", 1);
    event(" 1 ", "1", 1);
    event("01", "1", 0);
    event("201=a^,1", "1", 0);
    event("201=a^^,1", "1", 1);
    event("1^,2", "1", 0);
    event("200", "200", 1);
    event("201,2000", "200", 0);
    event("12,200=3", "200", 1);
    event("1", "", 0);

    revenue(";A;1;10.50,;B;2;4.25", "14.75", 0, 0);
    revenue("Electronics;Ipod;1;190;201=1|202=2;101=red", "190", 0, 0);
    revenue(";A;1;3,;B;1;0.125,;C", "3.125", 0, 0);
    revenue("", "0", 0, 0);
    revenue(";A", "0", 0, 0);
    revenue(";A;1;", "0", 0, 0);
    revenue(";A;1;;", "0", 0, 0);
    revenue(";A;1;-5", "-5", 0, 0);
    revenue(";A;1;.5", "0.5", 0, 0);
    revenue("Electronics;Ipod ^, Nano^; 8GB;1;190,Acc;Case ^^;1;9.90", "199.90", 0, 0);
    revenue("Elec^,tronics^;;X;1;5,^,;Y^;;1;2", "7", 0, 0);
    revenue(";Z;1;1^2.^5", "12.5", 0, 0);
    revenue(";A;1;abc", NULL, 1, DEC_SYNTAX);
    revenue(";A;1;5,;B;1;1.2.3", NULL, 2, DEC_SYNTAX);
    revenue(";A;1; 5", NULL, 1, DEC_SYNTAX);
    revenue(";A;1;1e3", NULL, 1, DEC_SYNTAX);
    revenue(";A;1;99999999999999999999", NULL, 1, DEC_OVERFLOW);
    revenue(";A;1;9223372036854775807,;B;1;1", NULL, 2, DEC_OVERFLOW);
    /* A long escaped price must not be cut short into a different number
     * (it once parsed as 0), nor be called out of range for its length
     * (it was, past 64 bytes, though the same price without a caret was
     * read): it is the number it spells, as without the escapes. */
    revenue(";A;1;000000000000000000000000000000000000000000000000000000000000000005^0", "50", 0,
            0);
#define Z31 "0000000000000000000000000000000"
    revenue(";A;1;1^0,;B;1;" Z31 Z31 "02^5", "35", 0, 0); /* 65 bytes */
    revenue(";A;1;" Z31 Z31 "2^5", "25", 0, 0);           /* 64 bytes */
    revenue(";A;1;^0" Z31 Z31 Z31 ".0", "0.0", 0, 0);     /* found by tests/fuzz/adobe */
    revenue(";A;1;" Z31 Z31 Z31 "0.0", "0.0", 0, 0);
    revenue(";A;1;^1" Z31 Z31 Z31, NULL, 1, DEC_OVERFLOW); /* long, and out of range */
    revenue(";A;1;^x" Z31 Z31 Z31, NULL, 1, DEC_SYNTAX);
    return failed;
}
