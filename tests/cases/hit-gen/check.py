# Check hit-gen output (tsv format) against the rules of its man page and
# print a summary; any broken rule is an AssertionError.
#   python3 check.py FILE
import datetime
import re
import sys

ENGINE = re.compile(r"^https?://(www\.google\.[a-z.]+|www\.bing\.com|(uk\.)?search\.yahoo\.com|"
                    r"duckduckgo\.com|www\.ask\.com)/")
VIEW = re.compile(r"^[A-Za-z]+;[^;,]+;[1-9][0-9]*;;$")
PRICED = re.compile(r"^[A-Za-z]+;[^;,]+;[1-9][0-9]*;[0-9]+(\.[0-9]{1,2})?;$")


def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r"}.get(m[1], m[1]), s)


lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines.pop() == "", "last record ends with LF"
header = lines[0].split("\t")
assert header == ("hit_time_gmt date_time user_agent ip event_list geo_city geo_region "
                  "geo_country pagename page_url product_list referrer").split(), header
last, visits, lengths, events = 0, {}, [], {}
landings, search_landings, searched_twice_bought, keywords = 0, 0, 0, set()
for line in lines[1:]:
    r = [unescape(f) for f in line.split("\t")]
    assert len(r) == 12, r
    t = int(r[0])
    assert t >= last, ("hit_time_gmt goes back", t, last)
    last = t
    utc = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    assert utc.strftime("%Y-%m-%d %H:%M:%S") == r[1], r[:2]
    ev, pl = r[4], r[10]
    events[ev.split("=")[0]] = events.get(ev.split("=")[0], 0) + 1
    if ev == "2":
        assert VIEW.match(pl), pl
    elif ev in ("12", "2,12"):
        assert pl == "" or VIEW.match(pl), pl
    elif ev == "1" or ev.startswith("1,200="):
        products = pl.split(",")
        assert all(PRICED.match(p) for p in products), pl
        if ev != "1":
            assert int(ev[6:]) == sum(int(p.split(";")[2]) for p in products), (ev, pl)
    else:
        assert ev in ("", "11") and pl == "", (ev, pl)
    assert r[9].startswith("http://www.esshopzilla.com"), r[9]
    assert r[0] and r[1] and r[3] and r[8] and r[9], "required field empty"
    v = visits.get(r[3])
    if v and t - v["t"] <= 1800:  # same visit: referrer is the previous page
        assert r[11] == v["url"], (r[11], v["url"])
        v["n"] += 1
    else:
        if v:
            lengths.append(v["n"])
        else:
            v = visits[r[3]] = {"searches": 0}
        v["n"] = 1
        landings += 1
        if ENGINE.match(r[11]):
            search_landings += 1
            v["searches"] += 1
            m = re.search(r"[?&][pq]=([^&]+)", r[11])
            if m:
                keywords.add(m[1])
    v["t"], v["url"] = t, r[9]
    if ev.startswith("1") and not ev.startswith("11") and v["searches"] >= 2:
        searched_twice_bought += 1
        v["searches"] = 0
lengths += [v["n"] for v in visits.values()]
assert 1 <= min(lengths) and max(lengths) <= 30, (min(lengths), max(lengths))
print(f"rows {len(lines) - 1} in time order, date_time is hit_time_gmt in UTC")
print(f"visits {landings}, hits per visit {min(lengths)} to {max(lengths)}")
print(f"from search engines {round(100 * search_landings / landings)}%,"
      f" distinct keywords {len(keywords)}")
print(f"bought after searching twice {searched_twice_bought}")
print("events", " ".join(f"{k or '-'}:{n}" for k, n in sorted(events.items())))
