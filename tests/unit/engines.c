/*
 * Unit tests for lib/engines.c: which referrers are search engines, the
 * registrable domain reported, the keyword and its normalisation, engine
 * files (precedence, errors).  Exits 1 after printing every failed check.
 */
#include "engines.h"
#include "check.h"
#include "err.h"

static struct engines *E;
static struct engines_scratch *S; /* E's */

static void table_new(int builtin)
{
    E = engines_new(builtin);
    S = engines_scratch_new(E);
}

static void table_free(void)
{
    engines_scratch_free(S);
    engines_free(E);
}

/* want_dom NULL: must not match. */
static void match(const char *ref, int keep, const char *want_dom, const char *want_kw, int line)
{
    const char *d = NULL, *k = NULL;
    size_t dn = 0, kn = 0;
    int got = engines_match(E, S, ref, strlen(ref), keep, &d, &dn, &k, &kn);
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
    table_new(1);

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

    /* Matomo's list: hosts exact and lossy, {} as suffix and as subdomain */
    M("https://www.so.com/s?q=a", "so.com", "a");
    M("https://m.so.com/s?q=a", "so.com", "a");
    M("https://so.com/s?q=a", "so.com", "a");
    M("https://qwant.com/?q=a", "qwant.com", "a");
    M("https://facebook.com/search/?q=a", "facebook.com", "a");
    M("https://yahoo.com/search?p=a", NULL, NULL);
    M("https://naver.com/search.naver?query=tv", NULL, NULL);
    M("https://search.naver.com/search.naver?query=tv", "naver.com", "tv");
    M("https://yandex.kz/search/?text=a", "yandex.kz", "a");
    M("https://m.yandex.com.tr/search/?text=a", "yandex.com.tr", "a");
    M("https://de.search.yahoo.com/search?p=a", "yahoo.com", "a");
    M("https://images.de.ask.com/?q=a", "ask.com", "a");
    M("https://fr.wow.com/search?q=a", "wow.com", "a");
    M("https://www2.google.de/search?q=a", "google.de", "a");
    M("https://w3.google.com/search?q=a", "google.com", "a");
    M("https://search.google.com/search?q=a", "google.com", "a");
    M("https://news.google.co.uk/?q=a", "google.co.uk", "a");
    M("https://scholar.google.com.br/scholar?q=a", "google.com.br", "a");
    M("https://cgi.search.biglobe.ne.jp/?q=a", "biglobe.ne.jp", "a");
    M("https://search.seznam.cz/?q=a", "seznam.cz", "a");
    M("https://www.facebook.com/search/?q=Shoes", "facebook.com", "shoes");
    /* not engines: Google's other properties, a portal's other pages */
    M("https://mail.google.com/mail/?q=a", NULL, NULL);
    M("https://maps.google.com/maps?q=a", NULL, NULL);
    M("https://maps.google.de/?q=a", NULL, NULL);
    M("https://docs.google.com/?q=a", NULL, NULL);
    M("https://translate.google.com/?q=a", NULL, NULL);
    M("https://www.facebook.com/home.php", NULL, NULL);
    M("https://www.facebook.com/search/?q=b", "facebook.com", "b"); /* not a cached miss */
    M("https://www.facebook.com/", "facebook.com", NP);
    /* A cached miss is that host only: the same bytes followed by userinfo
     * ("user:password@") are another host's (found by tests/fuzz/url). */
    M("http://shop.com/cart", NULL, NULL);
    M("http://shop.com:x@www.google.com/search?q=a", "google.com", "a");
    M("http://shop.com:8080/cart", NULL, NULL);
    M("http://shop.com:8080@www.google.com/search?q=b", "google.com", "b");
    /* ... nor, after a miss without a scheme, that host as a scheme. */
    M("shop.example.uhttp/cart", NULL, NULL);
    M("shop.example.uhttp://search.yahoo.co.jp/search?p=c", "yahoo.co.jp", "c");
    M("shop.example.uhttp:8080/cart", NULL, NULL);
    M("https://www.cnn.com/2024/x.html", NULL, NULL);
    M("https://www.cnn.com/search?query=Shoes", "cnn.com", "shoes");
    /* the engines hit-attrib had before the list: every page is a search */
    M("https://tieba.baidu.com/f?ie=utf-8&fr=x", "baidu.com", NP);
    M("https://www.google.com/webhp?hl=en", "google.com", NP);
    M("https://www.bing.com/search", "bing.com", NP);
    M("https://www.bing.com/images/feed", "bing.com", NP);
    /* keywords in the path */
    M("https://1.cz/s/Ahoj+sv%C4%9Bte", "1.cz", "ahoj sv\xc4\x9bte");
    M("https://1.cz/?q=ahoj", "1.cz", "ahoj");
    M("https://www.123people.de/s/john+smith", "123people.de", "john smith");
    M("https://search.babylon.com/web/red%20shoes", "babylon.com", "red shoes");
    M("https://search.babylon.com/?q=x", "babylon.com", "x");
    M("https://blekko.com/ws/ipod+nano", "blekko.com", "ipod nano");
    M("https://msxml.excite.com/excite/ws/results/Web/ipod+touch/1/0/0/", "excite.com",
      "ipod touch");
    M("https://www.gomeo.com/search/zune", "gomeo.com", "zune");
    M("https://www.lookany.com/images/cats", "lookany.com", "cats");
    M("https://scour.com/search/web/red+shoes", "scour.com", "red shoes");
    M("https://search.seesaa.jp/ipod/index.html", "seesaa.jp", "ipod");
    M("https://webcache.googleusercontent.com/search?q=cache:AbC123:www.shop.com/x+ipod+nano",
      "googleusercontent.com", "ipod nano");
    /* hidden keywords: the list's paths that hide the keyword, else no search */
    M("https://www.google.com", "google.com", NP);
    M("https://gogole.com", "gogole.com", NP);
    M("https://gogole.com/", "gogole.com", NP);
    M("https://gogole.com/url?sa=t&source=web", "gogole.com", NP);
    M("https://gogole.de/search?hl=en", "gogole.de", NP);
    M("https://gogole.com/webhp?hl=en", NULL, NULL);
    M("https://cade.yahoo.com/r/abc", "yahoo.com", NP);
    M("https://cade.yahoo.com/news", NULL, NULL);
    M("https://ixquick.com/do/asearch", "ixquick.com", NP);
    M("https://ixquick.com/do/asearch?x=1", NULL, NULL);
    M("https://ixquick.com/", NULL, NULL);
    M("https://s6-eu5.ixquick.com/sp/search", "ixquick.com", NP);
    M("https://s6-eu5.ixquick.com/", "ixquick.com", NP);
    M("https://s6-eu5.ixquick.com/about", NULL, NULL);
    M("https://www.gibiru.com", "gibiru.com", NP);
    M("https://www.gibiru.com:8080/#x", "gibiru.com", NP);
    M("https://www.gibiru.com/about", NULL, NULL);
    M("https://www.gibiru.com/about?q=", "gibiru.com", NP);
    M("https://r.search.yahoo.com/_ylt=x/RU=y", "yahoo.com", NP);
    M("https://search.yahoo.com/r/abc", "yahoo.com", NP);
    M("https://go.mail.ru/redir?via_page=1&redir=https%3A%2F%2Fshop", "mail.ru", NP);
    M("https://www.sogou.com/link?url=abc", "sogou.com", NP);
    M("https://www.startpage.com/do/search", "startpage.com", NP);
    M("https://duckduckgo.com/l/?uddg=x", "duckduckgo.com", NP);
    M("https://search.disconnect.me/searchTerms/x", "disconnect.me", NP);
    M("https://chatgpt.com/", "chatgpt.com", NP);
    M("https://chatgpt.com/c/123", NULL, NULL);
    /* charsets: bytes that are not UTF-8, from the engine's declared ones */
    M("https://www.baidu.com/s?wd=%B0%D9%B6%C8", "baidu.com", "\xe7\x99\xbe\xe5\xba\xa6");
    M("https://www.baidu.com/s?wd=%E7%99%BE%E5%BA%A6", "baidu.com", "\xe7\x99\xbe\xe5\xba\xa6");
    M("https://www.baidu.com/s?wd=%81%40", "baidu.com", "\xe4\xb8\x82"); /* GBK, not GB2312 */
    M("https://www.sogou.com/web?query=%CB%D1%B9%B7", "sogou.com", "\xe6\x90\x9c\xe7\x8b\x97");
    M("https://www.so.com/s?q=%C4%E3%BA%C3", "so.com", "\xe4\xbd\xa0\xe5\xa5\xbd");
    M("https://search.yahoo.co.jp/search?p=%C6%FC%CB%DC", "yahoo.co.jp", /* EUC-JP */
      "\xe6\x97\xa5\xe6\x9c\xac");
    M("https://search.yahoo.co.jp/search?p=%93%FA%96%7B", "yahoo.co.jp", /* MS932 */
      "\xe6\x97\xa5\xe6\x9c\xac");
    M("https://search.yahoo.co.jp/search?p=%E6%97%A5%E6%9C%AC", "yahoo.co.jp",
      "\xe6\x97\xa5\xe6\x9c\xac");
    M("https://www.excite.co.jp/search.gw?search=%83%5C%83%74%83%67", "excite.co.jp", /* SJIS */
      "\xe3\x82\xbd\xe3\x83\x95\xe3\x83\x88");
    M("https://go.mail.ru/search?q=%CF%F0%E8%E2%E5%F2", "mail.ru", /* windows-1251 */
      "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
    MK("https://go.mail.ru/search?q=%CF%F0%E8%E2%E5%F2", "mail.ru",
       "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82");
    M("https://search.nate.com/search/all.html?q=%C7%D1%B1%B9", "nate.com", /* EUC-KR */
      "\xed\x95\x9c\xea\xb5\xad");
    M("https://1.cz/s/%BEluv%BB", "1.cz", "\xc5\xbeluv\xc5\xa5"); /* iso-8859-2 */
    M("https://web.volny.cz/?search=%E8%ED%BE", "volny.cz",       /* windows-1250 */
      "\xc4\x8d\xc3\xad\xc4\xbe");
    M("https://www.neti.ee/?query=%F5un", "neti.ee", "\xc3\xb5un");         /* iso-8859-1 */
    M("https://www.google.com/search?q=caf%E9", "google.com", "caf\xe9");   /* none declared */
    M("https://www.baidu.com/s?wd=%FF%FF%FF", "baidu.com", "\xff\xff\xff"); /* none takes it */

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
    /* One table, two threads' scratches: each answer lives in its own
     * scratch, and one's cached miss is not the other's. */
    {
        struct engines_scratch *t = engines_scratch_new(E);
        const char *d1, *k1, *d2, *k2;
        size_t dn1, kn1, dn2, kn2;
        CHECK(engines_match(E, S, "https://www.google.com/?q=red", 29, 0, &d1, &dn1, &k1, &kn1));
        CHECK(!engines_match(E, t, "https://www.shop.com/?q=x", 25, 0, &d2, &dn2, &k2, &kn2));
        CHECK(engines_match(E, t, "https://www.bing.com/search?q=Blue", 34, 0, &d2, &dn2, &k2,
                            &kn2));
        CHECK_MEM(d1, dn1, "google.com", 10);
        CHECK_MEM(k1, kn1, "red", 3);
        CHECK_MEM(d2, dn2, "bing.com", 8);
        CHECK_MEM(k2, kn2, "blue", 4);
        CHECK(!engines_match(E, S, "https://www.shop.com/p?q=x", 26, 0, &d1, &dn1, &k1, &kn1));
        engines_scratch_free(t);
    }
    table_free();

    /* files: extend, override (later rows win), subdomain alternatives, {} */
    table_new(1);
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
    table_free();

    table_new(0);
    M("https://www.google.com/search?q=ipod", NULL, NULL);
    engines_load(E, write_file("c.tsv", "domain\tsubdomain\tparams\nexample.org\t\tq\n"));
    M("https://example.org/?q=a", "example.org", "a");
    M("https://www.google.com/search?q=ipod", NULL, NULL);
    table_free();

    /* a file's charsets: any case, labels read as browsers read them */
    table_new(0);
    engines_load(E, write_file("d.tsv", "host\tparams\tcharsets\n"
                                        "a.example\tq\tGBK\n"
                                        "b.example\tq\tSJIS\n"
                                        "c.example\tq\tcp932,Windows-1251\n"));
    M("https://a.example/?q=%81%40", "a.example", "\xe4\xb8\x82");
    M("https://b.example/?q=%83%5C", "b.example", "\xe3\x82\xbd");
    M("https://c.example/?q=%CF%F0", "c.example", "\xd0\x9f\xd1\x80"); /* not CP932: 1251 */
    M("https://c.example/?q=%83%5C", "c.example", "\xe3\x82\xbd");
    table_free();

    /* the built-in table parses as an engines file */
    table_new(0);
    engines_load(E, write_file("builtin.tsv", engines_builtin_tsv));
    M("https://search.naver.com/search.naver?query=tv", "naver.com", "tv");
    M("https://www.google.co.uk/search?q=a", "google.co.uk", "a");
    table_free();

    LOAD_DIES("domain\tparams\nexample.org\tq\n", 1,
              "hit-attrib-unit: %s:1: engines header must be "
              "'host<TAB>params<TAB>charsets' or 'domain<TAB>subdomain<TAB>params'\n");
    LOAD_DIES("host\tparams\tcharsets\n\tq\t\n", 1,
              "hit-attrib-unit: %s:2: engine rows need a host, params and charsets\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org/x\tq\t\n", 1,
              "hit-attrib-unit: %s:2:1: engine host must look like name.suffix or name.{}\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org\tq\tklingon-8\n", 1,
              "hit-attrib-unit: %s:2: unknown charset 'klingon-8' (known: utf-8, cp932, cp949, "
              "euc-jp, gbk, iso-8859-1, iso-8859-2, windows-1250, windows-1251)\n");
    /* iconv knows KOI8-R, but the charsets are those of the built-in table */
    LOAD_DIES("host\tparams\tcharsets\nexample.org\tq\tutf-8,KOI8-R\n", 1,
              "hit-attrib-unit: %s:2: unknown charset 'koi8-r' (known: utf-8, cp932, cp949, "
              "euc-jp, gbk, iso-8859-1, iso-8859-2, windows-1250, windows-1251)\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/s\\\\/[^/]+/\t\n", 1,
              "hit-attrib-unit: %s:2: keyword pattern /s\\/[^/]+/ has no group\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/s(/\t\n", 1,
              "hit-attrib-unit: %s:2: keyword pattern /s(/ is no regular expression\n");
    /* Stacked and nested repetitions: regcomp copies an operand for each
     * '+' or "{n}", so these would take gigabytes; they are refused. */
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/s(a)++++++++++++++++++++++++++++++/\t\n",
              1, "hit-attrib-unit: %s:2: keyword pattern /s(a)++++++++++++++++++++++++++++++/ "
                 "is too complex a regular expression\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/((((((((((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)"
              "+)+)+)+)+)+)+)+)/\t\n",
              1, "hit-attrib-unit: %s:2: keyword pattern /((((((((((((((((((((x+)+)+)+)+)+)+)+)+)+)+)+)"
                 "+)+)+)+)+)+)+)+)/ is too complex a regular expression\n");
    /* The fuzz target's slow input: eleven '+' stacked on a '*' make a few
     * thousand nodes, which regcomp takes a second to compile (its closures
     * grow with the square of the nodes). */
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/\\\\/s\\\\+*+++++++++++/+++/\t\n", 1,
              "hit-attrib-unit: %s:2: keyword pattern /\\/s\\+*+++++++++++/+++/ is too complex a "
              "regular expression\n");
    LOAD_DIES("host\tparams\tcharsets\nexample.org\t/(a{200}){200}/\t\n", 1,
              "hit-attrib-unit: %s:2: keyword pattern /(a{200}){200}/ is too complex a regular "
              "expression\n");
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
    remove(write_file("d.tsv", ""));
    remove(write_file("builtin.tsv", ""));
    remove(write_file("bad.tsv", ""));
    rmdir(tmpdir);
    return check_done("engines");
}
