/* Unit tests for lib/cols: names, numbers, ranges, reversed ranges, name
 * ranges, escaped commas, and the messages of unknown columns. */
#include "cols.h"
#include "adobe.h"
#include "check.h"
#include "err.h"

static char *const names[] = {"ip", "referrer", "a-b", "page", "x,y", "url", "3"};
enum { NCOLS = sizeof names / sizeof *names };

static void sel(const char *spec, const size_t *want, size_t nwant, int line)
{
    size_t *idx = NULL;
    size_t n = cols_select(spec, names, NCOLS, &idx, "--fields");
    int ok = n == nwant;
    for (size_t i = 0; ok && i < n; i++)
        ok = idx[i] == want[i];
    if (!ok) {
        fprintf(stderr, "cols.c:%d: FAIL: cols_select('%s') gave", line, spec);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, " %zu", idx[i]);
        fprintf(stderr, "\n");
        check_failures++;
    }
    free(idx);
}

#define SEL(spec, ...)                                                                             \
    do {                                                                                           \
        static const size_t w_[] = {__VA_ARGS__};                                                  \
        sel(spec, w_, sizeof w_ / sizeof *w_, __LINE__);                                           \
    } while (0)

static void die_select(void *spec)
{
    size_t *idx;
    cols_select(spec, names, NCOLS, &idx, "--fields");
}

static void die_one(void *spec)
{
    cols_one(spec, names, NCOLS, "-k");
}

static void die_nocols(void *spec)
{
    size_t *idx;
    cols_select(spec, NULL, 0, &idx, "--fields");
}

/* A header that repeats names: x at 2 and 5, visid_high at 3 and 4. */
static char *const rep[] = {"ip", "x", "visid_high", "visid_high", "x", "visid_low"};
enum { NREP = sizeof rep / sizeof *rep };

static void die_rep_select(void *spec)
{
    size_t *idx;
    cols_select(spec, rep, NREP, &idx, "--group");
}

static void die_rep_one(void *spec)
{
    cols_one(spec, rep, NREP, "--agg");
}

static void die_rep_visitor(void *spec)
{
    size_t *idx;
    adobe_visitor(spec, rep, NREP, &idx, "--visitor");
}

static void dies(void (*fn)(void *), const char *spec, int want_rc, const char *want_err, int line)
{
    char err[1024];
    int rc = check_child(fn, (void *)spec, err, sizeof err);
    if (rc != want_rc || strcmp(err, want_err) != 0) {
        fprintf(stderr, "cols.c:%d: FAIL: '%s': exit %d, stderr '%s'; want %d, '%s'\n", line, spec,
                rc, err, want_rc, want_err);
        check_failures++;
    }
}

int main(void)
{
    err_init("unit");
    CHECK(cols_find("ip", names, NCOLS) == 0);
    CHECK(cols_find("url", names, NCOLS) == 5);
    CHECK(cols_find("URL", names, NCOLS) == -1);
    CHECK(cols_find("", names, NCOLS) == -1);

    /* cols_split: the items, escapes removed, empty ones kept. */
    char **it;
    size_t nit = cols_split("a\\,b,,c\\\\d,", &it);
    CHECK(nit == 4 && strcmp(it[0], "a,b") == 0 && strcmp(it[1], "") == 0 &&
          strcmp(it[2], "c\\d") == 0 && strcmp(it[3], "") == 0);
    for (size_t i = 0; i < nit; i++)
        free(it[i]);
    free(it);
    CHECK(cols_split("", &it) == 1 && strcmp(it[0], "") == 0);
    free(it[0]);
    free(it);

    SEL("ip", 0);
    SEL("ip,referrer", 0, 1);
    SEL("url,ip", 5, 0);
    SEL("1", 0);
    SEL("1-2,6", 0, 1, 5);
    SEL("4-2", 3, 2, 1); /* reversed */
    SEL("2-2", 1);
    SEL("ip-page", 0, 1, 2, 3); /* name range */
    SEL("url-referrer", 5, 4, 3, 2, 1);
    SEL("a-b", 2);   /* exact name wins over the range a..b */
    SEL("3", 6);     /* the column named "3", not the third */
    SEL("x\\,y", 4); /* escaped comma */
    SEL("ip,ip,1", 0, 0, 0);
    SEL("a-b-url", 2, 3, 4, 5); /* split at the dash that works */
    SEL("page-1", 3, 2, 1, 0);  /* name to number */
    SEL("7", 6);
    CHECK(cols_one("page", names, NCOLS, "-k") == 3);
    CHECK(cols_one("2", names, NCOLS, "-k") == 1);

    const char *avail = "(columns: ip, referrer, a-b, page, x,y, url, 3)\n";
    char want[256];
#define DIES(fn, spec, rc, msg) dies(fn, spec, rc, msg, __LINE__)
    snprintf(want, sizeof want, "unit: --fields: no column 'zz' %s", avail);
    DIES(die_select, "ip,zz", 2, want);
    snprintf(want, sizeof want, "unit: --fields: no column '8' %s", avail);
    DIES(die_select, "8", 2, want);
    snprintf(want, sizeof want, "unit: --fields: no column '0' %s", avail);
    DIES(die_select, "0", 2, want);
    snprintf(want, sizeof want, "unit: --fields: no column '0-2' %s", avail);
    DIES(die_select, "0-2", 2, want);
    snprintf(want, sizeof want, "unit: --fields: no column '2-99' %s", avail);
    DIES(die_select, "2-99", 2, want);
    snprintf(want, sizeof want, "unit: --fields: no column 'x' %s", avail);
    DIES(die_select, "x,y", 2, want); /* unescaped comma splits */
    snprintf(want, sizeof want, "unit: -k: no column 'ip,url' %s", avail);
    DIES(die_one, "ip,url", 2, want);
    DIES(die_select, "ip,,url", 2,
         "unit: --fields: empty column name in list\n"
         "Try 'unit --help' for more information.\n");
    DIES(die_select, "", 2,
         "unit: --fields: empty column name in list\n"
         "Try 'unit --help' for more information.\n");
    DIES(die_nocols, "ip", 2, "unit: --fields: no column 'ip': the input has no columns\n");

    /* Repeated names: fine until asked for; by number each is reachable. */
    size_t *idx;
    CHECK(cols_select("ip,5,2-4,6", rep, NREP, &idx, "--group") == 6 && idx[1] == 4 &&
          idx[2] == 1 && idx[4] == 3 && idx[5] == 5);
    free(idx);
    CHECK(cols_find("x", rep, NREP) == 1); /* the lookup itself still gives the first */
    const char *amb = "unit: --group: column 'x' is ambiguous: columns 2 and 5 are both named so\n";
    DIES(die_rep_select, "ip,x", 2, amb);
    DIES(die_rep_select, "x-ip", 2, amb);
    DIES(die_rep_one, "x", 2,
         "unit: --agg: column 'x' is ambiguous: columns 2 and 5 are both named so\n");
    DIES(die_rep_visitor, NULL, 2,
         "unit: --visitor: column 'visid_high' is ambiguous: columns 3 and 4 are both named so\n");
    return check_done("cols");
}
