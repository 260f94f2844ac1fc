#!/usr/bin/python3
"""report.py: the Search Keyword Performance report with pandas, a peer of
hitkit's report pipeline in bench/run (task "report").

    /usr/bin/python3 bench/report.py hits.tsv > report.tab

Same rules as bench/report.awk (read its header): visitor = ip, last search
referral wins, expires after 1800 s without a hit of the visitor, purchase =
event id 1, revenue = sum of the 4th ';' field of the products, output sorted
by revenue desc, then domain and keyword (bytes).  Written the way a pandas
user would: vectorised columns, Python only on distinct hosts and on the few
referral and purchase rows.  Bytes are read as latin-1 so every byte
survives and sorts as itself; case folding is ASCII only.
"""
import re
import sys
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import unquote_to_bytes

import pandas as pd

EXPIRE = 1800
ENGINES = [  # domain ({} = any suffix), subdomains, params: lib/engines.c
    ("google.{}", "|".join("!" + b for b in "mail,play,maps,docs,drive,accounts,myaccount,translate,calendar,photos,sites,groups,support,developers,cloud,analytics,ads,chrome".split(",")), "q,as_q"), ("bing.com", "", "q,Q"), ("msn.com", "", "q,Q"),
    ("yahoo.{}", "search", "p,q,vp"), ("duckduckgo.com", "", "q"),
    ("baidu.{}", "", "wd,word,kw"), ("yandex.{}", "", "text,q"), ("ya.ru", "", "text"),
    ("ask.com", "", "q,ask,searchfor"), ("ask.co.uk", "", "q,ask"),
    ("search-results.com", "", "q"), ("aol.{}", "search|aolsearch", "query,q"),
    ("aol.de", "suche", "query,q"), ("aol.fr", "recherche", "query,q"),
    ("ecosia.org", "", "q"), ("naver.com", "search", "query"), ("daum.net", "search", "q"),
    ("seznam.cz", "search", "q"), ("qwant.com", "", "q"), ("startpage.com", "", "query"),
    ("sogou.com", "", "query,keyword"), ("so.com", "", "q"), ("360.cn", "so", "q"),
    ("brave.com", "search", "q"), ("kagi.com", "", "q"), ("mojeek.com", "", "q"),
    ("you.com", "", "q"), ("presearch.com", "", "q"), ("perplexity.ai", "", "q"),
    ("lycos.{}", "", "query,q"), ("swisscows.com", "", "query"), ("mail.ru", "go", "q"),
    ("rambler.ru", "nova", "query,words"), ("onet.pl", "szukaj", "qt"),
    ("web.de", "suche", "su,q"), ("gmx.net", "suche", "q"), ("gmx.com", "search", "q"),
    ("t-online.de", "suche", "q"),
]
SECOND = {"co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gob", "nic", "mil"}
ROWS = {}  # name label -> [(suffix or None, subdomains, params)], later rows first
for dom, subs, params in ENGINES:
    name, suf = dom.split(".", 1)
    ROWS.setdefault(name, []).insert(
        0, (None if suf == "{}" else suf, subs.split("|") if subs else [], params.split(",")))

LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
SPACES = re.compile("[ \t\n\v\f\r]+")
NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\Z")
PURCHASE = r"(?:^|,) *1 *(?:[=:][^,]*)?(?:,|$)"
# scheme://userinfo@host:port/path?query#fragment, each piece optional
URL = re.compile(r"(?:[^:/?#]*://|//)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)


def host_of(authority):
    """Lowercased host without userinfo, port and trailing dots."""
    a = authority.rsplit("@", 1)[-1]
    if a.startswith("["):
        return ""
    return a.split(":", 1)[0].translate(LOWER).rstrip(".")


def match_host(host):
    """(domain, params) when host belongs to a search engine, else None."""
    labels = host.split(".")
    n = len(labels)
    if n < 2 or len(host) >= 256:
        return None
    suf, k = labels[-1], 1
    if n >= 3 and len(suf) == 2 and labels[-2] in SECOND:
        suf, k = labels[-2] + "." + suf, 2
    name = labels[n - 1 - k]
    sub = labels[n - 2 - k] if n - k > 1 else None
    for rsuf, subs, params in ROWS.get(name, ()):
        if rsuf is not None and rsuf != suf:
            continue
        wanted = [x for x in subs if not x.startswith("!")]
        if any(x[1:] == sub for x in subs if x.startswith("!")):
            continue  # a barred subdomain (mail.google.com)
        if wanted and sub not in wanted:
            continue
        return name + "." + suf, params
    return None


def param(qs, name):
    if qs is None or name not in qs:
        return None
    for tok in re.split("[&;]", qs):
        if tok == name:
            return ""
        if tok.startswith(name + "="):
            return tok[len(name) + 1:]
    return None


def keyword(query, fragment, params):
    """The query, then the fragment; in each, the first parameter with a
    value (a present but empty one does not hide a later value)."""
    v = next((x for qs in (query, fragment) for x in (param(qs, p) for p in params) if x), "")
    # '+' is a space, %XX a byte; the latin-1 round trip keeps bytes as they are
    v = unquote_to_bytes(v.replace("+", " ")).decode("latin-1")
    v = SPACES.sub(" ", v).strip(" ").translate(LOWER)
    return v.replace("\\", "\\\\") if v else "(not provided)"


def revenue(products):
    """Sum of the prices, or None when one is not a number."""
    total = Decimal(0)
    for prod in split_escaped(products, ","):
        f = split_escaped(prod, ";")
        if len(f) < 4:
            continue
        price = unescape(f[3]) if "^" in f[3] else f[3]
        if price == "":
            continue
        if not NUMBER.match(price):
            return None
        total += Decimal(price)
    return total


def split_escaped(s, sep):
    if "^" not in s:
        return s.split(sep) if s else []
    out, cur, i = [], "", 0
    while i < len(s):
        if s[i] == "^" and i + 1 < len(s):
            cur += s[i:i + 2]
            i += 2
            continue
        if s[i] == sep:
            out.append(cur)
            cur = ""
        else:
            cur += s[i]
        i += 1
    out.append(cur)
    return out


def unescape(s):
    return re.sub(r"\^(.)", r"\1", s, flags=re.S)


def main(path):
    cols = ["hit_time_gmt", "ip", "event_list", "product_list", "referrer"]
    df = pd.read_csv(path, sep="\t", usecols=cols, dtype=str, quoting=3, na_filter=False,
                     encoding="latin-1", engine="c")
    t = df["hit_time_gmt"].astype("int64")

    # Search referrals: match each distinct host once, parse only matching rows.
    parts = df["referrer"].str.extract(URL.pattern, flags=re.S)
    hosts = parts[0].fillna("")
    uniq = pd.Series(hosts.unique())
    eng = dict(zip(uniq, (match_host(host_of(h)) for h in uniq)))
    m = hosts.map(eng)
    is_ref = m.notna()
    ref = pd.Series(None, index=df.index, dtype=object)
    sel = parts[is_ref]
    ref[is_ref] = [d + "\t" + keyword(q if isinstance(q, str) else None,
                                      f if isinstance(f, str) else None, params)
                   for (d, params), q, f in zip(m[is_ref], sel[2], sel[3])]

    # Expiry: a gap over EXPIRE since the visitor's latest hit starts a new
    # segment; the referral in force is the last one so far in the segment.
    g = t.groupby(df["ip"], sort=False)
    prev = g.cummax().groupby(df["ip"], sort=False).shift()
    brk = (t - prev > EXPIRE).astype("int64")
    seg = brk.groupby(df["ip"], sort=False).cumsum()
    live = ref.groupby([df["ip"], seg], sort=False).ffill()

    buy = df["event_list"].str.contains(PURCHASE, regex=True) & live.notna()
    rev = df.loc[buy, "product_list"].map(revenue)
    sums = {}
    for k, v in zip(live[buy], rev):
        if v is not None:
            sums[k] = sums.get(k, 0) + v

    rows = []
    for k, v in sums.items():
        d, kw = k.split("\t", 1)
        v = v.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        rows.append((-v, d, kw, "%s\t%s\t%s\n" % (d, kw, v)))
    rows.sort(key=lambda r: (r[0], r[1].encode("latin-1"), r[2].encode("latin-1")))
    w = sys.stdout.buffer
    w.write(b"Search Engine Domain\tSearch Keyword\tRevenue\n")
    w.write("".join(r[3] for r in rows).encode("latin-1"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py HITS.tsv")
    try:
        main(sys.argv[1])
    except InvalidOperation as e:
        sys.exit("report.py: %s" % e)
