/*
 * Unit tests for lib/engines.c: which referrers are search engines, the
 * registrable domain reported, the keyword and its normalisation, engine
 * files (precedence, errors).  Exits 1 after printing every failed check.
 */
#include "engines.h"
#include "check.h"
#include "err.h"

static struct engines *E;

/* want_dom NULL: must not match. */
static void match(const char *ref, int keep, const char *want_dom, const char *want_kw, int line)
{
    const char *d = NULL, *k = NULL;
    size_t dn = 0, kn = 0;
    int got = engines_match(E, ref, strlen(ref), keep, &d, &dn, &k, &kn);
    if (!want_dom) {
        if (got) {
            fprintf(stderr, "engines.c:%d: FAIL: '%s' matched as '%.*s' '%.*s', want none\n", line,
                    ref, (int)dn, d, (int)kn, k);
            check_failures++;
        }
        return;
    }
    if (!got || dn != strlen(want_dom) || memcmp(d, want_dom, dn) != 0 || kn != strlen(want_kw) ||
        memcmp(k, want_kw, kn) != 0) {
        fprintf(stderr, "engines.c:%d: FAIL: '%s': got %d '%.*s' '%.*s', want '%s' '%s'\n", line,
                ref, got, got ? (int)dn : 0, got ? d : "", got ? (int)kn : 0, got ? k : "",
                want_dom, want_kw);
        check_failures++;
    }
}
#define M(ref, dom, kw) match((ref), 0, (dom), (kw), __LINE__)
#define MK(ref, dom, kw) match((ref), 1, (dom), (kw), __LINE__)
#define NP "(not provided)"

static char tmpdir[] = "/tmp/hk-engines-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[4][256];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        abort();
    return p;
}

static void load_child(void *path)
{
    struct engines *e = engines_new(0);
    engines_load(e, path);
    engines_free(e);
}

/* Loading the file must die with status and exactly this message. */
static void load_dies(const char *text, int status, const char *msg, int line)
{
    const char *p = write_file("bad.tsv", text);
    char err[512], want[512];
    int st = check_child(load_child, (void *)p, err, sizeof err);
    snprintf(want, sizeof want, msg, p);
    if (st != status || strcmp(err, want) != 0) {
        fprintf(stderr, "engines.c:%d: FAIL: load exit %d '%s', want %d '%s'\n", line, st, err,
                status, want);
        check_failures++;
    }
}

#define LOAD_DIES(text, status, msg) load_dies((text), (status), (msg), __LINE__)

int main(void)
{
    err_init("hit-attrib-unit");
    if (!mkdtemp(tmpdir))
        abort();
    E = engines_new(1);

    /* hosts: registrable domain, case, port, userinfo, scheme, dots */
    M("http://www.google.com/search?q=Ipod", "google.com", "ipod");
    M("https://google.com/search?q=a", "google.com", "a");
    M("HTTPS://WWW.GOOGLE.COM/search?q=a", "google.com", "a");
    M("https://u:p@www.google.com:8443/search?q=a", "google.com", "a");
    M("www.google.com/search?q=a", "google.com", "a");
    M("https://www.google.com../?q=a", "google.com", "a");
    M("https://www.google.co.uk/search?q=a", "google.co.uk", "a");
    M("https://www.google.com.au/search?q=a", "google.com.au", "a");
    M("https://www.google.de/search?q=a", "google.de", "a");
    M("https://google.au/?q=a", "google.au", "a");
    M("https://www.google.co/?q=a", "google.co", "a");
    M("https://encrypted.google.com/search?q=a", "google.com", "a");
    M("http://search.yahoo.com/search?p=cd+player", "yahoo.com", "cd player");
    M("https://uk.search.yahoo.com/search?p=a", "yahoo.com", "a");
    M("https://search.yahoo.co.jp/search?p=a", "yahoo.co.jp", "a");
    M("https://www.yahoo.com/?p=a", NULL, NULL);
    M("https://search.de.yahoo.com/?p=a", NULL, NULL);
    M("https://www.bing.com/search?q=Zune", "bing.com", "zune");
    M("https://www.bing.com/search?Q=Zune", "bing.com", "zune");
    M("https://duckduckgo.com/", "duckduckgo.com", NP);
    M("https://www.baidu.com/s?wd=%E4%BD%A0", "baidu.com", "\xe4\xbd\xa0");
    M("https://www.baidu.com/s?word=b", "baidu.com", "b");
    M("https://yandex.ru/search/?text=a", "yandex.ru", "a");
    M("https://yandex.com.tr/search/?text=a", "yandex.com.tr", "a");
    M("https://search.aol.co.uk/aol/search?q=a", "aol.co.uk", "a");
    M("https://aolsearch.aol.com/?query=a", "aol.com", "a");
    M("https://www.aol.com/?q=a", NULL, NULL);
    M("https://suche.aol.de/?q=a", "aol.de", "a");
    M("https://so.360.cn/s?q=a", "360.cn", "a");
    M("https://www.360.cn/s?q=a", NULL, NULL);
    M("https://go.mail.ru/search?q=a", "mail.ru", "a");
    M("https://e.mail.ru/?q=a", NULL, NULL);
    M("https://www.esshopzilla.com/search/?k=ipod&q=ipod", NULL, NULL);
    M("https://notgoogle.com/?q=a", NULL, NULL);
    M("https://google.example.com/?q=a", NULL, NULL);
    M("https://www.google.com.evil.io/?q=a", NULL, NULL);
    M("https://www.bing.co/?q=a", NULL, NULL);
    M("google", NULL, NULL);
    M(".com", NULL, NULL);
    M("", NULL, NULL);
    M("/search?q=a", NULL, NULL);

    /* keywords: parameters, fragment, decoding, whitespace, case */
    M("https://www.google.com/", "google.com", NP);
    M("https://www.google.com/search?q=", "google.com", NP);
    M("https://www.google.com/search?q", "google.com", NP);
    M("https://www.google.com/search?q=+%20%09", "google.com", NP);
    M("https://www.google.com/search?Q=a", "google.com", NP);
    M("https://www.google.com/search?as_q=stand", "google.com", "stand");
    M("https://www.google.com/search?q=&as_q=stand", "google.com", "stand");
    M("https://www.google.com/webhp?hl=en#q=ipod+touch", "google.com", "ipod touch");
    M("https://www.google.com/search?q=nano#q=touch", "google.com", "nano");
    M("https://www.google.com/search?q=&hl=en#q=shuffle", "google.com", "shuffle");
    M("https://search.yahoo.com/search?q=alpha#p=beta", "yahoo.com", "alpha");
    M("https://search.yahoo.com/search?q=alpha&p=beta", "yahoo.com", "beta");
    M("https://www.google.com/search?q=caf%C3%A9", "google.com", "caf\xc3\xa9");
    M("https://www.google.com/search?q=%C3%89T%C3%89", "google.com", "\xc3\x89t\xc3\x89");
    M("https://www.google.com/search?q=a%2Bb+c", "google.com", "a+b c");
    M("https://www.google.com/search?q=50%+off%", "google.com", "50% off%");
    M("https://www.google.com/search?q=++ipod+++nano++", "google.com", "ipod nano");
    M("https://www.google.com/search?q=%20a%0A%0Db%0B", "google.com", "a b");
    M("https://www.google.com/search?q=a%26b&hl=en", "google.com", "a&b");
    MK("https://www.google.com/search?q=IPod+Nano", "google.com", "IPod Nano");
    MK("https://www.google.com/search?q=%C3%89T%C3%89", "google.com", "\xc3\x89T\xc3\x89");

    /* a long keyword grows the buffer; a long host is no engine */
    {
        static char ref[6100], want[5001];
        int n = snprintf(ref, sizeof ref, "https://www.google.com/search?q=");
        for (int i = 0; i < 5000; i++)
            ref[n + i] = 'A', want[i] = 'a';
        M(ref, "google.com", want);
        n = snprintf(ref, sizeof ref, "https://");
        for (int i = 0; i < 300; i++)
            ref[n + i] = 'w';
        strcpy(ref + n + 300, ".google.com/?q=a");
        M(ref, NULL, NULL);
    }
    engines_free(E);

    /* files: extend, override (later rows win), subdomain alternatives, {} */
    E = engines_new(1);
    engines_load(E, write_file("a.tsv", "domain\tsubdomain\tparams\n"
                                        "example.org\t\tterms\n"
                                        "google.com\t\tkw\n"
                                        "example.net\tfind|search\tq\n"
                                        "Shop.{}\t\tk\n"));
    engines_load(E, write_file("b.tsv", "domain\tsubdomain\tparams\nexample.org\t\tt2,terms\n"));
    M("https://www.example.org/?terms=Red+Shoes&t2=blue", "example.org", "blue");
    M("https://www.example.org/?terms=Red+Shoes", "example.org", "red shoes");
    M("https://www.google.com/search?q=ipod&kw=nano", "google.com", "nano");
    M("https://www.google.com/search?q=ipod", "google.com", NP);
    M("https://www.google.de/search?q=zune", "google.de", "zune");
    M("https://find.example.net/?q=y", "example.net", "y");
    M("https://a.search.example.net/?q=z", "example.net", "z");
    M("https://www.example.net/?q=w", NULL, NULL);
    M("https://shop.co.uk/?k=x", "shop.co.uk", "x");
    engines_free(E);

    E = engines_new(0);
    M("https://www.google.com/search?q=ipod", NULL, NULL);
    engines_load(E, write_file("c.tsv", "domain\tsubdomain\tparams\nexample.org\t\tq\n"));
    M("https://example.org/?q=a", "example.org", "a");
    M("https://www.google.com/search?q=ipod", NULL, NULL);
    engines_free(E);

    /* the built-in table parses as an engines file */
    E = engines_new(0);
    engines_load(E, write_file("builtin.tsv", engines_builtin_tsv));
    M("https://search.naver.com/search.naver?query=tv", "naver.com", "tv");
    M("https://www.google.co.uk/search?q=a", "google.co.uk", "a");
    engines_free(E);

    LOAD_DIES("domain\tparams\nexample.org\tq\n", 1,
              "hit-attrib-unit: %s:1: engines header must be "
              "'domain<TAB>subdomain<TAB>params'\n");
    LOAD_DIES("domain\tsubdomain\tparams\nexample\t\tq\n", 1,
              "hit-attrib-unit: %s:2:1: engine domain must look like name.suffix or name.{}\n");
    LOAD_DIES("domain\tsubdomain\tparams\n.org\t\tq\n", 1,
              "hit-attrib-unit: %s:2:1: engine domain must look like name.suffix or name.{}\n");
    LOAD_DIES("domain\tsubdomain\tparams\nexample.\t\tq\n", 1,
              "hit-attrib-unit: %s:2:1: engine domain must look like name.suffix or name.{}\n");
    LOAD_DIES("domain\tsubdomain\tparams\nexample.org\t\t\n", 1,
              "hit-attrib-unit: %s:2: engine rows need a domain, subdomain and params\n");
    LOAD_DIES("domain\tsubdomain\tparams\n\t\tq\n", 1,
              "hit-attrib-unit: %s:2: engine rows need a domain, subdomain and params\n");

    remove(write_file("a.tsv", ""));
    remove(write_file("b.tsv", ""));
    remove(write_file("c.tsv", ""));
    remove(write_file("builtin.tsv", ""));
    remove(write_file("bad.tsv", ""));
    rmdir(tmpdir);
    return check_done("engines");
}
