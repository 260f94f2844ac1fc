/*
 * engines: engine tables of --engines files (lib/engines), any bytes.
 *
 * The input is a table (up to the first NUL byte: the header "host params
 * charsets hidden engine" or the older "domain subdomain params") and then
 * lines of referrers.  A table lib/ refuses dies cleanly (exit status 1
 * or 2, never a crash); once loaded, matching never dies, and for each
 * referrer: the domain is nonempty and lowercase, the keyword nonempty
 * and trimmed, and the answer is the same whatever referrer came before
 * (two scratches of one table, one matched after a stranger each time).
 */
#include "fuzz.h"

#include "engines.h"

static const char *table;
static const uint8_t *refs;
static size_t refs_n;
static volatile int loaded;

static void checked(int hit, const char *d, size_t dn, const char *k, size_t kn)
{
    FZ_ASSERT(hit == 0 || hit == 1);
    if (!hit)
        return;
    FZ_ASSERT(dn > 0 && kn > 0);
    for (size_t i = 0; i < dn; i++)
        FZ_ASSERT(!(d[i] >= 'A' && d[i] <= 'Z'));
    FZ_ASSERT(k[0] != ' ' && k[kn - 1] != ' ');
}

static void run(void)
{
    struct engines *e = engines_new(0);
    engines_load(e, table);
    loaded = 1;
    struct engines_scratch *w = engines_scratch_new(e), *c = engines_scratch_new(e);
    struct fz_in in = {refs, refs_n};
    const uint8_t *line;
    while (in.n) {
        size_t n = fz_until(&in, '\n', &line);
        const char *p = (const char *)line, *d, *k, *d2, *k2;
        size_t dn, kn, dn2, kn2;
        int hit = engines_match(e, w, p, n, 0, &d, &dn, &k, &kn);
        checked(hit, d, dn, k, kn);
        engines_match(e, c, "http://hk-fuzz.invalid/", 23, 0, &d2, &dn2, &k2, &kn2);
        int hit2 = engines_match(e, c, p, n, 0, &d2, &dn2, &k2, &kn2);
        FZ_ASSERT(hit == hit2);
        if (hit)
            FZ_ASSERT(dn == dn2 && memcmp(d, d2, dn) == 0 && kn == kn2 && memcmp(k, k2, kn) == 0);
        hit = engines_match(e, w, p, n, 1, &d, &dn, &k, &kn);
        FZ_ASSERT(hit == hit2);
    }
    engines_scratch_free(w);
    engines_scratch_free(c);
    engines_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *t;
    size_t tn = fz_until(&in, 0, &t);
    table = fz_file(0, t, tn);
    refs = in.p;
    refs_n = in.n;
    loaded = 0;
    int st = FZ_DIES(run());
    FZ_ASSERT(st < 0 || (!loaded && (st == 1 || st == 2)));
    return 0;
}
