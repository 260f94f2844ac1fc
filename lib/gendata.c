/*
 * gendata: see gendata.h.  Written for this project: the products and
 * phrases are invented, the user agents and referrer shapes follow the
 * browsers and search engines of 2009 (the year of the exercise data).
 */
#include "gendata.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const struct gd_product gd_products[] = {
    {"Electronics", "Ipod - Nano - 8GB", "as32213", {"ipod nano", "ipod", "mp3 player"}, 19000, 0},
    {"Electronics",
     "Ipod - Touch - 32GB",
     "as32217",
     {"ipod touch", "apple ipod", "mp3 player"},
     29000,
     0},
    {"Electronics", "Zune - 32GB", "asfe13", {"zune", "microsoft zune", "mp3 player"}, 25000, 0},
    {"Electronics",
     "Sony CD Player",
     "as5ab3",
     {"cd player", "sony cd player", "discman"},
     4999,
     2},
    {"Accessories", "Ipod Case", "as11c0", {"ipod case", "ipod nano case", "mp3 case"}, 1495, 2},
    {"Accessories",
     "Earbuds - White",
     "as11e2",
     {"earbuds", "apple earbuds", "headphones"},
     2950,
     1},
    {"Audio",
     "Bose QuietComfort 3",
     "as77b1",
     {"bose headphones", "quietcomfort", "noise cancelling headphones"},
     34995,
     2},
    {"Cameras",
     "Canon PowerShot SD1200",
     "ac1200",
     {"canon powershot", "canon camera", "digital camera"},
     17999,
     2},
    {"Cameras",
     "Nikon Coolpix S220",
     "ac0220",
     {"nikon coolpix", "nikon camera", "compact camera"},
     14999,
     2},
    {"Cameras", "Flip MinoHD", "ac0hd1", {"flip mino", "flip video", "video camera"}, 22900, 1},
    {"Computers", "Asus Eee PC 1005HA", "cc1005", {"eee pc", "asus netbook", "netbook"}, 38999, 2},
    {"Computers", "MacBook - 13 inch", "cc0013", {"macbook", "apple macbook", "laptop"}, 129900, 0},
    {"Computers",
     "Dell Inspiron Mini 10",
     "cc0010",
     {"dell mini", "dell inspiron", "mini laptop"},
     34900,
     0},
    {"Phones", "iPhone 3GS - 16GB", "ph3gs1", {"iphone 3gs", "iphone", "smartphone"}, 19900, 0},
    {"Phones",
     "BlackBerry Curve 8520",
     "ph8520",
     {"blackberry curve", "blackberry", "cell phone"},
     14999,
     2},
    {"Phones", "Palm Pre", "ph0pre", {"palm pre", "palm", "touch phone"}, 14999, 2},
    {"Games", "Wii Fit Plus", "gw0fit", {"wii fit", "wii fit plus", "wii games"}, 9999, 2},
    {"Games", "Xbox 360 Elite", "gx0360", {"xbox 360", "xbox", "game console"}, 39999, 2},
    {"Games", "PlayStation 3 Slim", "gp3slm", {"ps3 slim", "playstation 3", "ps3"}, 29999, 2},
    {"Games", "Guitar Hero 5", "gh0005", {"guitar hero 5", "guitar hero", "music games"}, 5999, 2},
    {"Home", "Roomba 560", "hr0560", {"roomba", "irobot roomba", "robot vacuum"}, 34999, 2},
    {"Electronics", "Kindle 2", "ek0002", {"kindle", "amazon kindle", "e-book reader"}, 25900, 0},
    {"Electronics", "Garmin nuvi 255W", "eg0255", {"garmin nuvi", "garmin gps", "gps"}, 16999, 2},
    {"Electronics", "TomTom ONE 130", "et0130", {"tomtom", "tomtom one", "car gps"}, 11995, 2},
    {"Audio", "Sonos S5", "as0s5a", {"sonos", "sonos s5", "wireless speakers"}, 39900, 0},
    {"Accessories",
     "USB Cable - 6 ft",
     "au06ft",
     {"usb cable", "mini usb cable", "cables"},
     499,
     2},
    {"Accessories",
     "Memory Card - 8GB",
     "am08gb",
     {"sd card", "8gb sd card", "memory card"},
     1999,
     2},
    {"Accessories",
     "Screen Protector",
     "asp001",
     {"screen protector", "iphone screen protector", "phone accessories"},
     950,
     1},
    {"Home",
     "Café Espresso Maker",
     "hc0esp",
     {"espresso maker", "café espresso", "coffee maker"},
     8900,
     0},
    {"Electronics",
     "Samsung LCD TV - 32 inch",
     "es0032",
     {"samsung lcd", "samsung tv", "lcd tv"},
     59999,
     2},
    {"Audio",
     "Logitech Speakers Z313",
     "al0313",
     {"logitech speakers", "z313", "pc speakers"},
     4995,
     2},
    {"Games", "Nintendo DSi", "gn0dsi", {"nintendo dsi", "dsi", "handheld console"}, 16999, 2},
};
const size_t gd_nproducts = COUNT(gd_products);

const struct gd_weighted gd_agents[] = {
    {"Mozilla/5.0 (Windows; U; Windows NT 5.1; en-US; rv:1.9.1.3) Gecko/20090824 Firefox/3.5.3 "
     "(.NET CLR 3.5.30729)",
     180},
    {"Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 6.1; Trident/4.0; SLCC2; .NET CLR 2.0.50727; "
     ".NET CLR 3.5.30729; .NET CLR 3.0.30729; Media Center PC 6.0)",
     140},
    {"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 6.0; WOW64; SLCC1; .NET CLR 2.0.50727; Media "
     "Center PC 5.0; .NET CLR 3.0.04506; InfoPath.2; .NET CLR 3.5.30729; .NET CLR 3.5.21022)",
     100},
    {"Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10_6_1; en-us) AppleWebKit/531.9 (KHTML, like "
     "Gecko) Version/4.0.3 Safari/531.9",
     80},
    {"Mozilla/5.0 (Windows; U; Windows NT 6.1; en-US) AppleWebKit/532.0 (KHTML, like Gecko) "
     "Chrome/3.0.195.21 Safari/532.0",
     70},
    {"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; SV1)", 60},
    {"Mozilla/5.0 (iPhone; U; CPU iPhone OS 3_1 like Mac OS X; en-us) AppleWebKit/528.18 (KHTML, "
     "like Gecko) Version/4.0 Mobile/7C144 Safari/528.16",
     60},
    {"Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.5; en-US; rv:1.9.1.3) Gecko/20090824 "
     "Firefox/3.5.3",
     50},
    {"Mozilla/5.0 (iPad; U; CPU OS 3_2 like Mac OS X; en-us) AppleWebKit/531.21.10 (KHTML, like "
     "Gecko) Version/4.0.4 Mobile/7B334b Safari/531.21.10",
     40},
    {"Mozilla/5.0 (X11; U; Linux i686; en-US; rv:1.9.0.14) Gecko/2009090216 Ubuntu/9.04 (jaunty) "
     "Firefox/3.0.14",
     30},
    {"Mozilla/5.0 (Windows; U; Windows NT 6.0; de; rv:1.9.1.3) Gecko/20090824 Firefox/3.5.3", 30},
    {"Mozilla/5.0 (Windows; U; Windows NT 5.1; fr; rv:1.9.1.3) Gecko/20090824 Firefox/3.5.3", 20},
    {"Opera/9.80 (Windows NT 6.0; U; en) Presto/2.2.15 Version/10.00", 20},
    {"Mozilla/5.0 (Linux; U; Android 1.6; en-us; T-Mobile G1 Build/DRC83) AppleWebKit/528.5+ "
     "(KHTML, like Gecko) Version/3.1.2 Mobile Safari/525.20.1",
     20},
    {"BlackBerry9000/4.6.0.167 Profile/MIDP-2.0 Configuration/CLDC-1.1 VendorID/102", 20},
    /* Agents as broken toolbars send them: a TAB, a Windows path. */
    {"Mozilla/4.0 (compatible; MSIE 7.0; Windows NT 5.1)\tFunWebProducts", 3},
    {"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1; C:\\Program Files\\Toolbar)", 3},
};
const size_t gd_nagents = COUNT(gd_agents);

const struct gd_city gd_cities[] = {
    {"Salt Lake City", "UT", "US", "com", "en", 60},
    {"Rochester", "NY", "US", "com", "en", 40},
    {"Duncan", "OK", "US", "com", "en", 20},
    {"New York", "NY", "US", "com", "en", 120},
    {"Los Angeles", "CA", "US", "com", "en", 90},
    {"Chicago", "IL", "US", "com", "en", 70},
    {"Houston", "TX", "US", "com", "en", 50},
    {"Phoenix", "AZ", "US", "com", "en", 40},
    {"Seattle", "WA", "US", "com", "en", 40},
    {"San Francisco", "CA", "US", "com", "en", 50},
    {"Boston", "MA", "US", "com", "en", 40},
    {"Denver", "CO", "US", "com", "en", 30},
    {"Atlanta", "GA", "US", "com", "en", 30},
    {"Miami", "FL", "US", "com", "en", 30},
    {"Minneapolis", "MN", "US", "com", "en", 20},
    {"Portland", "OR", "US", "com", "en", 20},
    {"Austin", "TX", "US", "com", "en", 20},
    {"London", "ENG", "GB", "co.uk", "en", 50},
    {"Manchester", "ENG", "GB", "co.uk", "en", 15},
    {"Edinburgh", "SCT", "GB", "co.uk", "en", 10},
    {"Berlin", "BE", "DE", "de", "de", 20},
    {"München", "BY", "DE", "de", "de", 15},
    {"Köln", "NW", "DE", "de", "de", 10},
    {"Paris", "IDF", "FR", "fr", "fr", 20},
    {"Lyon", "ARA", "FR", "fr", "fr", 8},
    {"Toronto", "ON", "CA", "ca", "en", 20},
    {"Montréal", "QC", "CA", "ca", "fr", 12},
    {"Vancouver", "BC", "CA", "ca", "en", 10},
    {"Sydney", "NSW", "AU", "com.au", "en", 12},
    {"Melbourne", "VIC", "AU", "com.au", "en", 10},
    {"São Paulo", "SP", "BR", "com.br", "pt-BR", 10},
    {"Malmö", "M", "SE", "se", "sv", 5},
    {"Zürich", "ZH", "CH", "ch", "de", 5},
    {"Madrid", "MD", "ES", "es", "es", 8},
    {"Ciudad de México", "DF", "MX", "com.mx", "es", 8},
    {"Tokyo", "13", "JP", "co.jp", "ja", 8},
};
const size_t gd_ncities = COUNT(gd_cities);

const struct gd_page gd_info_pages[] = {
    {"About Us", "about/"},
    {"Help", "help/"},
    {"Store Locator", "stores/"},
    {"Holiday Deals\n2009", "deals/holiday/"},
    {"Returns\tExchanges", "help/returns/"},
    {"Gift Cards \\ Certificates", "giftcards/"},
};
const size_t gd_ninfo_pages = COUNT(gd_info_pages);

const char *const gd_other_sites[] = {
    "http://www.facebook.com/home.php",
    "http://twitter.com/",
    "http://www.cnet.com/reviews/mp3-players/",
    "http://forums.macrumors.com/showthread.php?t=781266",
    "http://slickdeals.net/forums/showthread.php?t=1657210",
    "http://www.amazon.com/gp/product/B001FA1NZU",
    "http://en.wikipedia.org/wiki/IPod_Nano",
    "http://mail.google.com/mail/?ui=2&view=bsp&ver=ohhl4rw8mbn4",
    "http://www.shopzilla.com/ipod-nano/search?keyword=ipod+nano",
    "http://www.pricegrabber.com/search.php?form_keyword=zune",
    "http://www.engadget.com/2009/09/09/apple-ipod-nano-review/",
    "http://www.reddit.com/r/gadgets/",
};
const size_t gd_nother_sites = COUNT(gd_other_sites);

const char *const gd_prefixes[] = {
    "",      "best ",        "cheap ",    "buy ",          "new ",
    "used ", "refurbished ", "discount ", "where to buy ", "black ",
};
const size_t gd_nprefixes = COUNT(gd_prefixes);

const char *const gd_suffixes[] = {
    "",        " review",  " price",    " sale",    " deals",  " 2009",  " for sale", " reviews",
    " online", " günstig", " pas cher", " barato",  " reseña", " preço", " kaufen",   " coupon",
    " specs",  " bundle",  " manual",   " vs zune", " 8gb",    " «neu»",
};
const size_t gd_nsuffixes = COUNT(gd_suffixes);

/* The order is the generator's engine numbering (see hit-gen.c). */
const struct gd_engine gd_engines[] = {
    {"http://www.google.com/search?hl=en&client=firefox-a&rls=org.mozilla%3Aen-US%3Aofficial"
     "&hs=ZzP&q=",
     "&aq=f&oq=&aqi=", "http://www.google.com/", 0, 0},
    {"http://www.google.com/search?q=",
     "&ie=utf-8&oe=utf-8&aq=t&rls=org.mozilla:en-US:official&client=firefox-a",
     "https://www.google.com/url?sa=t&source=web&cd=1&ved=0CBQQFjAA", 0, 0},
    {"http://www.google.", "&meta=&aq=f&oq=", "http://www.google.", 0, 1},
    {"http://www.bing.com/search?q=", "&go=&form=QBLH&qs=n", "http://www.bing.com/", 0, 0},
    {"http://search.yahoo.com/search?p=", "&toggle=1&cop=mss&ei=UTF-8&fr=yfp-t-701",
     "http://search.yahoo.com/", 0, 0},
    {"http://uk.search.yahoo.com/search?p=", "&fr=yfp-t-702&ei=UTF-8",
     "http://uk.search.yahoo.com/", 0, 0},
    {"https://duckduckgo.com/?q=", "&t=h_", "https://duckduckgo.com/", 0, 0},
    {"http://www.ask.com/web?q=", "&search=&qsrc=0&o=0&l=dir", "http://www.ask.com/", 1, 0},
};
const size_t gd_nengines = COUNT(gd_engines);
