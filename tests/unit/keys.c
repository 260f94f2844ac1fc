/* Unit tests for lib/keys: key specs (names, numbers, modifiers, escaped
 * commas, the error messages), numbers read as GNU sort -n reads them in
 * the C locale, and the promise the sort rests on: the 64-bit code of the
 * first key, compared as bytes (big-endian, memcmp), never orders two
 * records against the full comparison, and equal codes said to be
 * decisive mean equal keys.  A randomized check with a fixed seed holds
 * keys_cmp_lines and the codes against a slow reference comparator. */
#include "keys.h"
#include "check.h"
#include "err.h"
#include "tsv.h"

#include <stdint.h>

static char *const names[] = {"id", "revenue", "name", "a:n", "x,y", "when"};
enum { NCOLS = sizeof names / sizeof *names };

static int sgn(long c)
{
    return (c > 0) - (c < 0);
}

/* ---- specs ------------------------------------------------------------------ */

static void spec(const char *s, const char *want, int line)
{
    struct keys ks = {0};
    keys_parse(&ks, s, names, NCOLS, "-k");
    char got[256] = "";
    size_t n = 0;
    for (size_t i = 0; i < ks.n; i++)
        n += (size_t)snprintf(got + n, sizeof got - n, "%s%zu%s%s", i ? "," : "", ks.k[i].col,
                              ks.k[i].numeric ? "n" : "", ks.k[i].reverse ? "r" : "");
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "keys.c:%d: FAIL: keys_parse('%s') gave '%s', want '%s'\n", line, s, got,
                want);
        check_failures++;
    }
    keys_free(&ks);
}
#define SPEC(s, want) spec(s, want, __LINE__)

static void parse_child(void *s)
{
    struct keys ks = {0};
    keys_parse(&ks, s, names, NCOLS, "-k");
}

static void dies(const char *s, const char *want, int line)
{
    char err[1024];
    int rc = check_child(parse_child, (void *)s, err, sizeof err);
    if (rc != 2 || strcmp(err, want) != 0) {
        fprintf(stderr, "keys.c:%d: FAIL: keys_parse('%s'): exit %d, '%s'\n", line, s, rc, err);
        check_failures++;
    }
}
#define DIES(s, want) dies(s, want, __LINE__)

static void test_parse(void)
{
    SPEC("revenue:n:r,2,name:r", "1nr,1,2r");
    SPEC("id", "0");
    SPEC("6:n", "5n");
    SPEC("revenue:nr", "1nr");
    SPEC("revenue:rn", "1nr");
    SPEC("revenue:r:n", "1nr");
    SPEC("revenue:n:n", "1n");
    /* an exact name wins over modifiers; modifiers after it still count */
    SPEC("a:n", "3");
    SPEC("a:n:r", "3r");
    SPEC("a:n:n", "3n");
    /* a comma in a name, escaped */
    SPEC("x\\,y:n,when", "4n,5");
    SPEC("when,when:r", "5,5r");
    /* appending to keys already there */
    struct keys ks = {0};
    keys_parse(&ks, "name", names, NCOLS, "-k");
    keys_parse(&ks, "id:r", names, NCOLS, "-k");
    CHECK(ks.n == 2 && ks.k[0].col == 2 && ks.k[1].col == 0 && ks.k[1].reverse);
    keys_free(&ks);
    CHECK(ks.k == NULL && ks.n == 0);
    keys_all(&ks, 3);
    CHECK(ks.n == 3 && ks.k[2].col == 2 && !ks.k[2].numeric && !ks.k[2].reverse);
    keys_free(&ks);

    const char *cols = "(columns: id, revenue, name, a:n, x,y, when)";
    char want[512];
    snprintf(want, sizeof want, "unit: -k: no column 'zz' %s\n", cols);
    DIES("id,zz:n", want);
    snprintf(want, sizeof want, "unit: -k: no column '7' %s\n", cols);
    DIES("7:n", want);
    DIES("revenue:x", "unit: -k: unknown modifier in 'revenue:x' (use :n for numeric, :r for "
                      "reverse)\nTry 'unit --help' for more information.\n");
    DIES("revenue:n:x", "unit: -k: unknown modifier in 'revenue:n:x' (use :n for numeric, :r "
                        "for reverse)\nTry 'unit --help' for more information.\n");
    DIES("id,", "unit: -k: empty key in list\nTry 'unit --help' for more information.\n");
}

/* ---- numbers ---------------------------------------------------------------- */

/* Values in ascending order as GNU sort -n (C locale) puts them; those on
 * one line are equal. */
static const char *const ladder[][12] = {
    {"-1"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000001"},
    {"-1"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000"},
    {"-123456789012345678"},
    {"-123456789012345671"},
    {"-123456789012345670", "-123456789012345670.000"},
    {"-12", " -12", "\t-12.0xyz", "-0012"},
    {"-2.5"},
    {"-2.25"},
    {"-1"},
    {"-0.5", "-.5", "-.50"},
    {"-0."
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000001"},
    {"0", "", "-", "-0", "-0.0", ".", "-.", "abc", "+5", " ", "- 5"},
    {"0."
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "00000000000000000000000000000000000000000000000000000000000000000000001"},
    {"0."
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "000000000000000000000000000000000000000000000000000000000000001"},
    {"0.001"},
    {"0.01", ".010"},
    {"0.5", ".5", "0.50", "00.5"},
    {"1", "1.", "1.0", "01", "1e9", "1,000", " 1", "\t1x"},
    {"1.25"},
    {"1.5", "1.50", "1.5000000000000000000000"},
    {"1.50000000000000000000001"},
    {"9"},
    {"10", "10abc"},
    {"1234567890123456"},
    {"1234567890123456.5"},
    {"1234567890123457"},
    {"9999999999999999"},
    {"99999999999999990", "99999999999999990.0"},
    {"99999999999999991"},
    {"99999999999999998"},
    {"99999999999999999"},
    {"100000000000000000000"},
    {"1"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000000"},
    {"1"
     "00000000000000000000000000000000000000000000000000000000000000000000000000000000"
     "0000000000000000000000000000000000000000000000000000000000000000000000001"},
};
enum { RUNGS = sizeof ladder / sizeof *ladder };

static void be(uint64_t c, unsigned char *b)
{
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(c >> (56 - 8 * i));
}

/* The codes compared as bytes, as a sort on them would. */
static int code_cmp(uint64_t a, uint64_t b)
{
    unsigned char x[8], y[8];
    be(a, x);
    be(b, y);
    return sgn(memcmp(x, y, 8));
}

static void test_numbers(void)
{
    struct keys one = {0};
    char *nm[] = {"v"};
    keys_parse(&one, "v:n", nm, 1, "-k");
    int ok = 1;
    for (size_t i = 0; i < RUNGS; i++)
        for (size_t a = 0; a < 12 && ladder[i][a]; a++)
            for (size_t j = 0; j < RUNGS; j++)
                for (size_t b = 0; b < 12 && ladder[j][b]; b++) {
                    const char *x = ladder[i][a], *y = ladder[j][b];
                    int want = (i > j) - (i < j);
                    int got = keys_num_cmp(x, strlen(x), y, strlen(y));
                    uint64_t cx = keys_num_code(x, strlen(x)), cy = keys_num_code(y, strlen(y));
                    int cc = code_cmp(cx, cy);
                    /* the code never contradicts the order; equal
                     * decisive codes are equal values */
                    int bad = got != want || (want != 0 && cc != want && cc != 0) ||
                              (want == 0 && cc != 0) ||
                              (cc == 0 && keys_prefix_decisive(&one, cx) && want != 0);
                    if (bad) {
                        fprintf(stderr,
                                "keys.c: FAIL: '%.30s' vs '%.30s': cmp %d, code %d, want %d\n", x,
                                y, got, cc, want);
                        ok = 0;
                    }
                }
    CHECK(ok);
    /* up to 16 significant digits the code alone decides */
    const char *exact[] = {
        "0", "-3", "1.5", "1234567890123456", "-0.0000001234567890123456", "99999999999999990"};
    for (size_t i = 0; i < sizeof exact / sizeof *exact; i++)
        CHECK(keys_prefix_decisive(&one, keys_num_code(exact[i], strlen(exact[i]))));
    /* beyond it, it does not (17 significant digits, and out of range) */
    const char *inexact[] = {"99999999999999991", "-12345678901234567", ladder[0][0],
                             ladder[12][0]};
    for (size_t i = 0; i < sizeof inexact / sizeof *inexact; i++)
        CHECK(!keys_prefix_decisive(&one, keys_num_code(inexact[i], strlen(inexact[i]))));
    /* the length is respected: digits past n are not read */
    CHECK(keys_num_cmp("12", 1, "1", 1) == 0 && keys_num_code("129", 2) == keys_num_code("12", 2));
    CHECK(keys_num_cmp("-1.55", 4, "-1.5", 4) == 0);
    keys_free(&one);
}

/* ---- whole records: prefix codes and keys_cmp_lines ---------------------------- */

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t pick(size_t n)
{
    return (size_t)(rnd() % n);
}

/* A value for a numeric column: mostly numbers with blanks, signs,
 * leading and trailing zeros, long runs of digits, junk after them; now
 * and then no number at all. */
static size_t rand_number(char *b)
{
    static const char *const junk[] = {"", "", "", "", "x", "abc", "e5", ",5", " 7"};
    size_t n = 0;
    if (pick(8) == 0)
        b[n++] = pick(2) ? ' ' : '\t';
    if (pick(10) == 0) {
        static const char *const odd[] = {"", "-", ".", "-.", "+5", "abc", "-0", "--1"};
        const char *o = odd[pick(sizeof odd / sizeof *odd)];
        memcpy(b + n, o, strlen(o));
        return n + strlen(o);
    }
    if (pick(2))
        b[n++] = '-';
    size_t zeros = pick(4) == 0 ? pick(3) : 0, in = pick(4) ? pick(4) : pick(24);
    for (size_t i = 0; i < zeros; i++)
        b[n++] = '0';
    for (size_t i = 0; i < in; i++) /* few distinct digits: many near ties */
        b[n++] = (char)('0' + (pick(3) ? pick(3) : pick(10)));
    if (pick(2)) {
        b[n++] = '.';
        size_t fn = pick(4) ? pick(4) : pick(24);
        for (size_t i = 0; i < fn; i++)
            b[n++] = (char)('0' + (pick(3) ? pick(2) * 9 : pick(10)));
    }
    const char *j = junk[pick(sizeof junk / sizeof *junk)];
    memcpy(b + n, j, strlen(j));
    return n + strlen(j);
}

/* A text value: short, from a few bytes (high ones, and ones the writer
 * escapes), so prefixes and ties are common; sometimes longer than the 8
 * bytes a code holds. */
static size_t rand_text(char *b)
{
    static const char alpha[] = {'a', 'b', '\t', '\\', '\n', '\r', '\x01', '\x80', '\xff', ' '};
    size_t n = pick(5) ? pick(4) : 8 + pick(6);
    for (size_t i = 0; i < n; i++)
        b[i] = pick(3) ? (char)('a' + pick(2)) : alpha[pick(sizeof alpha)];
    if (n >= 8 && pick(2))
        memcpy(b, "abababab", 8); /* long common prefix */
    return n;
}

/* GNU sort -n, C locale, done another way than lib/keys: both numbers are
 * padded to one fixed width (integer part on the left, fraction on the
 * right) and the digit strings compared. */
enum { W = 64 };
static void pad(const char *p, size_t n, int *sign, char *out)
{
    const char *e = p + n;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    int neg = p < e && *p == '-';
    p += neg;
    const char *ip = p;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    size_t in = (size_t)(p - ip);
    const char *fp = p;
    size_t fn = 0;
    if (p < e && *p == '.') {
        fp = ++p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        fn = (size_t)(p - fp);
    }
    if (in > W || fn > W)
        abort();
    memset(out, '0', 2 * W);
    memcpy(out + W - in, ip, in);
    memcpy(out + W, fp, fn);
    int zero = 1;
    for (size_t i = 0; i < 2 * W; i++)
        zero &= out[i] == '0';
    *sign = zero ? 0 : neg ? -1 : 1;
}

static int ref_num(const struct field *a, const struct field *b)
{
    char x[2 * W], y[2 * W];
    int sx, sy;
    pad(a->p, a->n, &sx, x);
    pad(b->p, b->n, &sy, y);
    if (sx != sy)
        return sx < sy ? -1 : 1;
    return sx * sgn(memcmp(x, y, 2 * W));
}

static int ref_text(const struct field *a, const struct field *b)
{
    for (size_t i = 0; i < a->n && i < b->n; i++)
        if (a->p[i] != b->p[i])
            return (unsigned char)a->p[i] < (unsigned char)b->p[i] ? -1 : 1;
    return (a->n > b->n) - (a->n < b->n);
}

static int ref_cmp(const struct keys *ks, const struct field *a, const struct field *b)
{
    for (size_t i = 0; i < ks->n; i++) {
        const struct sort_key *k = &ks->k[i];
        int c = k->numeric ? ref_num(&a[k->col], &b[k->col]) : ref_text(&a[k->col], &b[k->col]);
        if (c)
            return k->reverse ? -c : c;
    }
    return 0;
}

enum { NREC = 300, NF = 3 };
struct rec {
    struct field f[NF];
    char bytes[NF][64];
    char *line; /* canonical, with its LF */
    size_t len, cap;
};

static void test_random(void)
{
    static struct rec r[NREC];
    static char *const nm[] = {"a", "b", "c"};
    static const char *const specs[] = {"a:n",     "a:n:r",    "a",         "a:r",
                                        "b:n,a",   "c,a:n",    "a:n,b:n:r", "c:r,b:n,a:n:r",
                                        "b:n,b:r", "1:n,2,3:n"};
    int ok = 1;
    long fails = 0;
    for (size_t round = 0; round < sizeof specs / sizeof *specs; round++) {
        struct keys ks = {0};
        keys_parse(&ks, specs[round], nm, NF, "-k");
        /* the columns' kinds follow the spec's first use of them */
        for (size_t i = 0; i < NREC; i++) {
            r[i].len = 0;
            for (size_t c = 0; c < NF; c++) {
                int num = 0;
                for (size_t k = 0; k < ks.n; k++)
                    if (ks.k[k].col == c) {
                        num = ks.k[k].numeric;
                        break;
                    }
                r[i].f[c].p = r[i].bytes[c];
                r[i].f[c].n = num ? rand_number(r[i].bytes[c]) : rand_text(r[i].bytes[c]);
            }
            if (i > 0 && pick(6) == 0) /* a copy of an earlier record: a full tie */
                for (size_t c = 0; c < NF; c++) {
                    size_t from = pick(i);
                    memcpy(r[i].bytes[c], r[from].bytes[c], r[from].f[c].n);
                    r[i].f[c].n = r[from].f[c].n;
                }
            tsv_format_record(&r[i].line, &r[i].len, &r[i].cap, r[i].f, NF);
        }
        for (size_t i = 0; i < NREC; i++) {
            uint64_t pi = keys_prefix(&ks, r[i].f);
            for (size_t j = 0; j < NREC; j++) {
                int want = ref_cmp(&ks, r[i].f, r[j].f);
                int got = sgn(keys_cmp_lines(&ks, r[i].line, r[j].line));
                uint64_t pj = keys_prefix(&ks, r[j].f);
                int cc = code_cmp(pi, pj);
                /* what a sort does: codes first, then the lines when the
                 * codes are equal and not decisive */
                int sorted = cc ? cc : keys_prefix_decisive(&ks, pi) ? 0 : got;
                if (got != want || (cc != 0 && cc != want) || sorted != want) {
                    if (fails++ < 10)
                        fprintf(stderr,
                                "keys.c: FAIL: -k %s: '%.*s' vs '%.*s': ref %d, lines %d, "
                                "codes %d, sort %d\n",
                                specs[round], (int)r[i].len - 1, r[i].line, (int)r[j].len - 1,
                                r[j].line, want, got, cc, sorted);
                    ok = 0;
                }
            }
        }
        keys_free(&ks);
    }
    for (size_t i = 0; i < NREC; i++)
        free(r[i].line);
    CHECK(ok);
}

/* keys_cmp_lines on lines with escapes, several keys, reverse, and the
 * text order (unsigned bytes, a prefix first). */
static void test_lines(void)
{
    static char *const nm[] = {"a", "b", "c"};
    struct keys ks = {0};
    keys_parse(&ks, "b:r,a:n,c", nm, 3, "-k");
    CHECK(keys_cmp_lines(&ks, "1\tx\tq\n", "2\tx\tq\n") < 0);
    CHECK(keys_cmp_lines(&ks, "1\ty\tq\n", "2\tx\tq\n") < 0);    /* b reversed */
    CHECK(keys_cmp_lines(&ks, "10\tx\tq\n", "9\tx\tq\n") > 0);   /* a numeric */
    CHECK(keys_cmp_lines(&ks, "1\tx\tq\n", "1.0\tx\tq\n") == 0); /* 1 = 1.0 */
    CHECK(keys_cmp_lines(&ks, "1.0\tx\tp\n", "1\tx\tq\n") < 0);  /* then c */
    CHECK(keys_cmp_lines(&ks, "1\tx\t\n", "1.0\tx\t\n") == 0);
    CHECK(keys_cmp_lines(&ks, "-1\tx\t\xff\n", "-1\tx\ta\n") > 0);  /* unsigned bytes */
    CHECK(keys_cmp_lines(&ks, "-1\tx\tab\n", "-1\tx\tabc\n") < 0);  /* prefix first */
    CHECK(keys_cmp_lines(&ks, "0\tx\\ty\t\n", "0\tx\\ny\t\n") > 0); /* TAB < LF, reversed */
    CHECK(keys_cmp_lines(&ks, "0\t\\\\\tz\n", "0\t\\\\\tz\n") == 0);
    CHECK(keys_cmp_lines(&ks, "0\t\\N\t\n", "0\t\tx\n") < 0); /* \N is empty */
    keys_free(&ks);
    /* the first key's code: text is its first 8 bytes, reversed is the
     * complement */
    keys_parse(&ks, "c,a", nm, 3, "-k");
    struct field f[3] = {{"", 0}, {"", 0}, {"abcdefghij", 10}};
    CHECK(keys_prefix(&ks, f) == 0x6162636465666768ULL);
    f[2].n = 2;
    CHECK(keys_prefix(&ks, f) == 0x6162000000000000ULL);
    CHECK(!keys_prefix_decisive(&ks, keys_prefix(&ks, f)));
    keys_free(&ks);
    keys_parse(&ks, "c:r", nm, 3, "-k");
    CHECK(keys_prefix(&ks, f) == ~0x6162000000000000ULL);
    struct field g[3] = {{"1", 1}, {"2", 1}, {"ab\tc", 4}};
    CHECK(keys_prefix(&ks, g) == ~0x6162096300000000ULL);
    keys_free(&ks);
}

int main(void)
{
    err_init("unit");
    test_parse();
    test_numbers();
    test_lines();
    test_random();
    return check_done("keys");
}
