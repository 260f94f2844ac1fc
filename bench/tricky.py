#!/usr/bin/python3
"""tricky.py: hits full of the report's corner cases, to check that the
report peers (report.awk, report.py, report.sql) agree with each other and
with hit-attrib where hit-gen's tidy data would not tell them apart.

    bench/tricky.py [ROWS [SEED]] > tricky.tsv

Corner cases: every engine row and suffix form, hosts with ports, userinfo,
upper case and trailing dots, keywords in the fragment, empty or missing
parameters, '+' and %XX (UTF-8), stray '%', whitespace runs, internal and
other referrers, events such as 10, 11, 1=3, ' 1', 200:1, products with
empty, bad, signed and '^'-escaped prices, expiry gaps of exactly 1800 and
1801 seconds, several hits in the same second.
"""
import random
import sys

rows = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)

HOSTS = ["www.google.com", "google.co.uk", "WWW.Google.DE", "www.google.com.au",
         "encrypted.google.com", "www.bing.com", "cc.bingj.com", "global.bing.com",
         "msnbc.msn.com", "search.yahoo.com", "uk.search.yahoo.com", "yahoo.com",
         "de.search.yahoo.co.jp", "duckduckgo.com", "www.baidu.com", "yandex.ru", "ya.ru",
         "www.ask.com", "www.ask.co.uk", "search.aol.com", "suche.aol.de", "aol.de",
         "www.ecosia.org", "search.naver.com", "so.360.cn", "360.cn", "search.brave.com",
         "go.mail.ru", "nova.rambler.ru", "szukaj.onet.pl", "suche.web.de", "t-online.de",
         "www.esshopzilla.com", "news.example.org", "google.example.com", "ask.org"]
PARAMS = ["q", "p", "Q", "as_q", "wd", "text", "query", "words", "qt", "su", "kw", "x"]
WORDS = ["Ipod", "nano", "zune", "CD player", "caf\u00e9", "\u00fcber", "tv+stand", "a&b",
         "100%", "\u6771\u4eac", "  spaced   out ", "tab\tin", "UPPER"]


def enc(s):
    out = []
    for ch in s:
        if ch == " ":
            out.append(rnd.choice(["+", "%20", "+"]))
        elif ch.isalnum() and ord(ch) < 128:
            out.append(ch if rnd.random() < 0.8 else "%%%02X" % ord(ch))
        else:
            out.append("".join("%%%02x" % b if rnd.random() < 0.5 else "%%%02X" % b
                               for b in ch.encode("utf-8")))
    s = "".join(out)
    return s + ("%" if rnd.random() < 0.03 else "") + ("%zz" if rnd.random() < 0.02 else "")


def referrer():
    r = rnd.random()
    if r < 0.15:
        return ""
    if r < 0.35:
        return "http://www.esshopzilla.com/" + rnd.choice(["", "cart/?a=checkout",
                                                          "search/?q=ipod"])
    host = rnd.choice(HOSTS)
    if rnd.random() < 0.1:
        host += rnd.choice([":8080", ".", ":443"])
    if rnd.random() < 0.05:
        host = "user:pw@" + host
    scheme = rnd.choice(["http://", "https://", "//", "", "HTTPS://"])
    kv = []
    for _ in range(rnd.randrange(0, 4)):
        k = rnd.choice(PARAMS)
        v = "" if rnd.random() < 0.15 else enc(" ".join(rnd.sample(WORDS, rnd.randrange(1, 3))))
        kv.append(k if rnd.random() < 0.05 else k + "=" + v)
    qs = rnd.choice(["&", "&", ";"]).join(kv)
    path = rnd.choice(["/search", "/", "", "/s/x"])
    if rnd.random() < 0.15:
        return scheme + host + path + "#" + qs
    if rnd.random() < 0.1:
        return scheme + host + path + "?hl=en#" + qs
    return scheme + host + path + ("?" + qs if qs or rnd.random() < 0.5 else "")


def events():
    return rnd.choice(["", "", "", "2", "12", "11", "10", "1", "1", "2,1", "1=3", " 1 ",
                       "200:1", "100,200", "1:5,2", "21", "12,11"])


def products():
    n = rnd.randrange(0, 4)
    out = []
    for _ in range(n):
        price = rnd.choice(["", "190", "19.9", "250.00", "0.5", ".5", "5.", "+3", "-1.25",
                            "12.345", "1^9", "x1", "1,0", "7"])
        if price == "1,0":
            price = "1^,0" if rnd.random() < 0.5 else "10"
        nf = rnd.choice([4, 4, 4, 6, 3])
        f = ["Electronics", "Ipod^;Nano" if rnd.random() < 0.1 else "Zune", "1", price, "", ""]
        out.append(";".join(f[:nf]))
    return ",".join(out)


print("hit_time_gmt\tdate_time\tuser_agent\tip\tevent_list\tgeo_city\tgeo_region\t"
      "geo_country\tpagename\tpage_url\tproduct_list\treferrer")
t = 1254033280
ips = ["10.0.%d.%d" % (i // 250, i % 250) for i in range(max(10, rows // 20))]
for _ in range(rows):
    t += rnd.choice([0, 0, 1, 5, 60, 300, 1800, 1801, 30])
    if rnd.random() < 0.01:
        t += 1800
    print("%d\t-\tUA\t%s\t%s\tX\tY\tUS\tPage\thttp://www.esshopzilla.com/\t%s\t%s" %
          (t, rnd.choice(ips[:rnd.choice([5, 50, len(ips)])]), events(), products(), referrer()))
