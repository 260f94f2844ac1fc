/*
 * cols: column lists and sort key lists against a header (lib/cols,
 * lib/keys' parser).
 *
 * The input is a header line (TAB-separated names), a list (any bytes),
 * and bytes that choose columns.  Checked:
 *  - the list, through cols_select, adobe_visitor and keys_parse, resolves
 *    to columns of the header or dies with exit status 2 (a usage error),
 *    never anything else;
 *  - a list built from chosen names, each escaped ("\," "\\"), resolves
 *    to exactly those columns, whatever the names hold (digits, '-', ':',
 *    commas); and so does the list of their numbers; as keys, with :n and
 *    :r added, the same columns with those modifiers.
 */
#include "fuzz.h"

#include "adobe.h"
#include "cols.h"
#include "keys.h"
#include "tsv.h"

static char **names;
static size_t ncols;
static char *spec;

static size_t *idx;
static size_t nidx;
static struct keys ks;

static void select_raw(void)
{
    nidx = cols_select(spec, names, ncols, &idx, "--fields");
    for (size_t i = 0; i < nidx; i++)
        FZ_ASSERT(idx[i] < ncols);
    free(idx);
}

static void visitor_raw(void)
{
    nidx = adobe_visitor(*spec ? spec : NULL, names, ncols, &idx, "--visitor");
    for (size_t i = 0; i < nidx; i++)
        FZ_ASSERT(idx[i] < ncols);
    free(idx);
}

static void keys_raw(void)
{
    memset(&ks, 0, sizeof ks);
    keys_parse(&ks, spec, names, ncols, "--key");
    for (size_t i = 0; i < ks.n; i++)
        FZ_ASSERT(ks.k[i].col < ncols);
    keys_free(&ks);
}

/* Is names[i] the only column of that name? */
static int unique(size_t i)
{
    for (size_t j = 0; j < ncols; j++)
        if (j != i && strcmp(names[j], names[i]) == 0)
            return 0;
    return 1;
}

static size_t put_name(char *out, const char *s)
{
    size_t k = 0;
    for (; *s; s++) {
        if (*s == ',' || *s == '\\')
            out[k++] = '\\';
        out[k++] = *s;
    }
    return k;
}

static void built(struct fz_in *in)
{
    size_t want[32], nw = 0, len = 0;
    int mods[32];
    size_t room = 64;
    for (size_t i = 0; i < ncols; i++)
        room += 2 * strlen(names[i]) + 8;
    char *byname = malloc(32 * room), *bynum = malloc(32 * 16), *bykey = malloc(32 * room);
    size_t nn = 0, kn = 0;
    while (in->n && nw < 32 && ncols) {
        size_t c = (fz_byte(in) | fz_byte(in) << 8) % ncols;
        int m = (int)(fz_byte(in) & 3);
        if (!names[c][0] || !unique(c))
            continue;
        if (nw)
            byname[nn++] = ',', bynum[len++] = ',', bykey[kn++] = ',';
        nn += put_name(byname + nn, names[c]);
        len += (size_t)sprintf(bynum + len, "%zu", c + 1);
        kn += put_name(bykey + kn, names[c]);
        if (m & 1)
            kn += (size_t)sprintf(bykey + kn, ":n");
        if (m & 2)
            kn += (size_t)sprintf(bykey + kn, ":r");
        want[nw] = c, mods[nw++] = m;
    }
    byname[nn] = bynum[len] = bykey[kn] = '\0';
    if (nw) {
        size_t *got;
        size_t n = cols_select(byname, names, ncols, &got, "--fields");
        FZ_ASSERT(n == nw && memcmp(got, want, nw * sizeof *want) == 0);
        free(got);
        /* By number: each number is that column unless a name is that
         * number (an exact name wins). */
        int numeric_name = 0;
        for (size_t i = 0; i < ncols; i++)
            numeric_name |= strspn(names[i], "0123456789-") == strlen(names[i]);
        if (!numeric_name) {
            n = cols_select(bynum, names, ncols, &got, "--fields");
            FZ_ASSERT(n == nw && memcmp(got, want, nw * sizeof *want) == 0);
            free(got);
        }
        /* As keys: a name ending in ":n" or ":r" itself may read as that
         * name with a modifier, when the shorter name is a column too. */
        int colon = 0;
        for (size_t i = 0; i < ncols; i++)
            colon |= strchr(names[i], ':') != NULL;
        if (!colon) {
            struct keys k;
            memset(&k, 0, sizeof k);
            keys_parse(&k, bykey, names, ncols, "--key");
            FZ_ASSERT(k.n == nw);
            for (size_t i = 0; i < nw; i++)
                FZ_ASSERT(k.k[i].col == want[i] && k.k[i].numeric == (mods[i] & 1) &&
                          k.k[i].reverse == (mods[i] >> 1));
            keys_free(&k);
        }
    }
    free(byname);
    free(bynum);
    free(bykey);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fz_in in = {data, size};
    const uint8_t *h, *s;
    size_t hn = fz_until(&in, '\n', &h);
    size_t sn = fz_until(&in, '\n', &s);
    ncols = tsv_split_names((const char *)h, hn, &names);
    spec = fz_str(s, sn);
    int st = FZ_DIES(select_raw());
    FZ_ASSERT(st < 0 || st == 2);
    st = FZ_DIES(visitor_raw());
    FZ_ASSERT(st < 0 || st == 2);
    st = FZ_DIES(keys_raw());
    FZ_ASSERT(st < 0 || st == 2);
    built(&in);
    free(spec);
    tsv_free_names(names, ncols);
    return 0;
}
