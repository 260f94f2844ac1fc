# report.awk: the Search Keyword Performance report in plain awk, the peer
# hitkit's report pipeline is measured against (bench/run, task "report").
#
#   LC_ALL=C mawk -f bench/report.awk hits.tsv > report.tab
#
# Same rules as hit-attrib + hit-agg + hit-sort (issue 5), written the way
# an awk user would: one pass over the hits in file (time) order.
# - visitor = ip; a hit whose referrer host is a search engine (table below,
#   the built-in table of lib/engines.c) becomes the visitor's search
#   referral (last touch wins); keyword = the engine's first parameter with
#   a value in the query, else in the fragment; percent-decoded, '+' = space, trimmed,
#   whitespace collapsed, ASCII-lowercased; "(not provided)" when absent
#   or empty.
# - the referral ends after 30 minutes (1800 s) without a hit of its
#   visitor (hit_time_gmt); every hit of the visitor refreshes it.
# - a hit whose event_list holds event id 1 is a purchase; revenue = sum of
#   the 4th ';' field of each ',' product (empty = 0, '^' escapes honoured);
#   a price that is not a number leaves the hit uncounted.
# - output: header, revenue per (domain, keyword) with 2 decimals
#   (half away from zero), revenue desc, then domain, keyword asc (bytes).
# Money is kept in integer millionths (exact up to 6 decimals, 9e9 total).
# Input field escapes (\t, \\) are not decoded: hit-gen data has none in
# the columns used here.  Needs LC_ALL=C (bytes, ASCII case folding).

BEGIN {
    FS = "\t"
    EXPIRE = 1800
    # google's subdomains that are no search (Gmail, Play, ...): lib/engines.c
    GBAR = ",mail,play,maps,docs,drive,accounts,myaccount,translate,calendar,photos,sites,groups,support,developers,cloud,analytics,ads,chrome,"
    ENG = "google.{}||q,as_q;bing.com||q,Q;msn.com||q,Q;yahoo.{}|search|p,q,vp;" \
          "duckduckgo.com||q;baidu.{}||wd,word,kw;yandex.{}||text,q;ya.ru||text;" \
          "ask.com||q,ask,searchfor;ask.co.uk||q,ask;search-results.com||q;" \
          "aol.{}|search,aolsearch|query,q;aol.de|suche|query,q;aol.fr|recherche|query,q;" \
          "ecosia.org||q;naver.com|search|query;daum.net|search|q;seznam.cz|search|q;" \
          "qwant.com||q;startpage.com||query;sogou.com||query,keyword;so.com||q;" \
          "360.cn|so|q;brave.com|search|q;kagi.com||q;mojeek.com||q;you.com||q;" \
          "presearch.com||q;perplexity.ai||q;lycos.{}||query,q;swisscows.com||query;" \
          "mail.ru|go|q;rambler.ru|nova|query,words;onet.pl|szukaj|qt;web.de|suche|su,q;" \
          "gmx.net|suche|q;gmx.com|search|q;t-online.de|suche|q"
    nrows = split(ENG, rows, ";")
    # Later rows take precedence: ROWS[name] lists row numbers, last first.
    for (i = 1; i <= nrows; i++) {
        split(rows[i], c, "|")
        d = index(c[1], ".")
        nm = substr(c[1], 1, d - 1)
        RSUF[i] = substr(c[1], d + 1)
        if (RSUF[i] == "{}")
            RSUF[i] = ""
        RSUB[i] = c[2] == "" ? "" : "," c[2] ","
        RPAR[i] = c[3]
        RBAR[i] = nm == "google" ? GBAR : ""
        ROWS[nm] = (nm in ROWS) ? i " " ROWS[nm] : i ""
    }
    split("co com net org ac gov edu ne or go gob nic mil", tt, " ")
    for (i in tt)
        SECOND[tt[i]] = 1
    hexd = "0123456789abcdefABCDEF"
    for (i = 1; i <= 22; i++)
        for (j = 1; j <= 22; j++) {
            a = substr(hexd, i, 1); b = substr(hexd, j, 1)
            HEX[a b] = sprintf("%c", hv(a) * 16 + hv(b))
        }
}

function hv(ch) { return index("0123456789abcdef", tolower(ch)) - 1 }

# Column numbers by name, from the header.
NR == 1 {
    for (i = 1; i <= NF; i++)
        col[$i] = i
    TC = col["hit_time_gmt"]; VC = col["ip"]; EC = col["event_list"]
    PC = col["product_list"]; RC = col["referrer"]
    if (!TC || !VC || !EC || !PC || !RC) {
        print "report.awk: missing column" > "/dev/stderr"
        exit 2
    }
    next
}

{
    v = $VC
    t = $TC + 0
    if ((v in REF) && t - LAST[v] > EXPIRE)
        delete REF[v]
    if ($RC != "" && engine($RC)) {
        if (!(v in REF))
            LAST[v] = t
        REF[v] = DOM "\t" KW
    }
    if (v in REF) {
        if (t > LAST[v])
            LAST[v] = t
        ev = $EC
        if (index(ev, "1") && purchase(ev) && revenue($PC))
            SUM[REF[v]] += REV
    }
}

END {
    print "Search Engine Domain\tSearch Keyword\tRevenue"
    cmd = "LC_ALL=C sort -t '\t' -k3,3nr -k1,1 -k2,2"
    for (k in SUM) {
        x = SUM[k]
        s = ""
        if (x < 0) { s = "-"; x = -x }
        cents = int((x + 5000) / 10000)
        printf "%s\t%s%d.%02d\n", k, s, int(cents / 100), cents % 100 | cmd
    }
    close(cmd)
}

# Sets DOM and KW when ref's host is a search engine.
function engine(ref,    f, cl, s, rest, he, auth, at, pc, tail, q, h, host, n, L, k, suf, nm,
                sb, rl, m, i, r, np, P, j, val) {
    # url_split: scheme, authority, userinfo, port, query, fragment.
    f = match(ref, /[\/?#]/)
    if (!f)
        f = length(ref) + 1
    cl = index(ref, ":")
    s = 1
    if (cl && cl < f && substr(ref, cl + 1, 2) == "//")
        s = cl + 3
    else if (substr(ref, 1, 2) == "//")
        s = 3
    rest = substr(ref, s)
    he = match(rest, /[\/?#]/)
    if (he) { auth = substr(rest, 1, he - 1); tail = substr(rest, he) }
    else { auth = rest; tail = "" }
    while ((at = index(auth, "@")))
        auth = substr(auth, at + 1)
    if (substr(auth, 1, 1) == "[")
        return 0
    pc = index(auth, ":")
    host = tolower(pc ? substr(auth, 1, pc - 1) : auth)
    sub(/\.+$/, "", host)
    if (host == "" || length(host) >= 256)
        return 0
    n = split(host, L, ".")
    if (n < 2)
        return 0
    suf = L[n]; k = 1
    if (n >= 3 && length(suf) == 2 && (L[n - 1] in SECOND)) {
        suf = L[n - 1] "." suf; k = 2
    }
    nm = L[n - k]
    if (!(nm in ROWS))
        return 0
    sb = n - k > 1 ? L[n - k - 1] : ""
    rl = split(ROWS[nm], m, " ")
    for (i = 1; i <= rl; i++) {
        r = m[i]
        if (RSUF[r] != "" && RSUF[r] != suf)
            continue
        if (RSUB[r] != "" && (n - k == 1 || !index(RSUB[r], "," sb ",")))
            continue
        if (RBAR[r] != "" && n - k > 1 && index(RBAR[r], "," sb ","))
            continue
        DOM = nm "." suf
        q = index(tail, "?"); h = index(tail, "#")
        Q = ""; FR = ""
        if (q && (!h || q < h))
            Q = h ? substr(tail, q + 1, h - q - 1) : substr(tail, q + 1)
        if (h)
            FR = substr(tail, h + 1)
        # The query, then the fragment; in each, the first parameter with a
        # value (a present but empty one does not hide a later value).
        np = split(RPAR[r], P, ",")
        val = ""
        for (j = 1; j <= np && val == ""; j++)
            if (param(Q, P[j]))
                val = PVAL
        for (j = 1; j <= np && val == ""; j++)
            if (param(FR, P[j]))
                val = PVAL
        KW = val != "" ? tidy(decode(val)) : ""
        if (KW == "")
            KW = "(not provided)"
        else if (index(KW, "\\"))
            gsub(/\\/, "\\\\", KW)
        return 1
    }
    return 0
}

# url_param: sets PVAL when name is present in the '&'/';'-separated list.
function param(qs, name,    n, T, i, l) {
    if (qs == "" || !index(qs, name))
        return 0
    n = split(qs, T, /[&;]/)
    l = length(name)
    for (i = 1; i <= n; i++) {
        if (T[i] == name) { PVAL = ""; return 1 }
        if (substr(T[i], 1, l + 1) == name "=") { PVAL = substr(T[i], l + 2); return 1 }
    }
    return 0
}

function decode(s,    out, p, pair) {
    if (index(s, "+"))
        gsub(/\+/, " ", s)
    out = ""
    while ((p = index(s, "%"))) {
        pair = substr(s, p + 1, 2)
        if (pair in HEX) { out = out substr(s, 1, p - 1) HEX[pair]; s = substr(s, p + 3) }
        else { out = out substr(s, 1, p); s = substr(s, p + 1) }
    }
    return out s
}

function tidy(s) {
    gsub(/[ \t\n\v\f\r]+/, " ", s)
    sub(/^ /, "", s)
    sub(/ $/, "", s)
    return tolower(s)
}

# Event id 1 among the ','-separated events (id before '=' or ':').
function purchase(ev,    n, T, i, id) {
    n = split(ev, T, ",")
    for (i = 1; i <= n; i++) {
        id = T[i]
        sub(/[=:].*/, "", id)
        gsub(/ /, "", id)
        if (id == "1")
            return 1
    }
    return 0
}

# Sets REV (millionths) to the sum of the prices; 0 when one is not a number.
function revenue(pl,    n, T, i, F, x) {
    REV = 0
    if (pl == "")
        return 1
    if (index(pl, "^"))
        return revenue_escaped(pl)
    n = split(pl, T, ",")
    for (i = 1; i <= n; i++) {
        if (split(T[i], F, ";") < 4 || F[4] == "")
            continue
        if ((x = money(F[4])) == "")
            return 0
        REV += x
    }
    return 1
}

# Millionths of a decimal string, or "" when it is not a number.
function money(p,    neg, d, ip, fp) {
    if (p !~ /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$/)
        return ""
    neg = substr(p, 1, 1) == "-"
    if (p ~ /^[+-]/)
        p = substr(p, 2)
    d = index(p, ".")
    ip = d ? substr(p, 1, d - 1) : p
    fp = d ? substr(p, d + 1) : ""
    fp = substr(fp "000000", 1, 6)
    return (neg ? -1 : 1) * ((ip + 0) * 1000000 + (fp + 0))
}

# The same with '^' escaping the next character (rare: walk bytes).
function revenue_escaped(pl,    i, l, ch, fld, k, x) {
    l = length(pl); fld = ""; k = 1
    for (i = 1; i <= l + 1; i++) {
        ch = i <= l ? substr(pl, i, 1) : ","
        if (ch == "^" && i < l) {
            i++
            if (k == 4) fld = fld substr(pl, i, 1)
        } else if (ch == ",") {
            if (k >= 4 && fld != "") {
                if ((x = money(fld)) == "")
                    return 0
                REV += x
            }
            fld = ""; k = 1
        } else if (ch == ";") {
            k++
        } else if (k == 4) {
            fld = fld ch
        }
    }
    return 1
}
