# dkr.awk: the "domain keyword revenue" file of the groupby and sort tasks,
# shaped like hit-attrib's output on a big day: engine domains and search
# phrases with a skewed (log-uniform, Zipf-like) popularity, revenues with 0
# to 2 decimals, rows in no particular order.
#
#   mawk -v rows=10000000 -v seed=1 -f bench/dkr.awk > dkr.tsv
BEGIN {
    srand(seed + 0)
    nd = split("google.com google.co.uk google.de google.fr google.com.au google.ca " \
               "google.es google.it google.nl google.com.br bing.com yahoo.com " \
               "duckduckgo.com ask.com baidu.com yandex.ru ecosia.org aol.com " \
               "brave.com qwant.com msn.com yahoo.co.jp naver.com seznam.cz", D, " ")
    nw = split("ipod nano touch zune cd player dvd tv stand headphones camera lens " \
               "laptop bag charger cable hdmi usb wireless mouse keyboard monitor gaming " \
               "guitar hero xbox ps3 wii blu-ray speakers case screen protector " \
               "refurbished cheap best review deal sale black white red 32gb 64gb " \
               "gift card phone tablet kindle e-reader printer ink toner router " \
               "\303\274ber caf\303\251", W, " ")
    nv = 20000
    for (i = 1; i <= nv; i++) {
        k = 1 + int(rand() * 3)
        s = W[1 + int(rand() * nw)]
        for (j = 2; j <= k; j++)
            s = s " " W[1 + int(rand() * nw)]
        V[i] = s
    }
    print "domain\tkeyword\trevenue"
    for (r = 0; r < rows; r++) {
        d = D[1 + int(exp(rand() * log(nd + 1))) - 1]
        if (d == "") d = D[1]
        v = V[1 + int(exp(rand() * log(nv)))]
        c = int(rand() * 3)
        x = 1 + int(exp(rand() * log(2000)))
        if (c == 0)
            rev = x
        else if (c == 1)
            rev = x "." int(rand() * 10)
        else
            rev = sprintf("%d.%02d", x, int(rand() * 100))
        printf "%s\t%s\t%s\n", d, v, rev
    }
}
