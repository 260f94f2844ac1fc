-- report.sql: the Search Keyword Performance report in DuckDB SQL, a peer of
-- hitkit's report pipeline in bench/run (task "report").
--
--   node bench/duckdb.mjs bench/report.sql hits.tsv > report.tab
--
-- Same rules as bench/report.awk (read its header): visitor = ip, last
-- search referral wins, expires after 1800 s without a hit of the visitor,
-- purchase = event id 1, revenue = sum of the 4th ';' field of the products,
-- sorted by revenue desc, then domain and keyword (binary collation).
-- File order is the insertion order of the loaded table (rowid).

CREATE TEMP TABLE hits AS
SELECT hit_time_gmt::BIGINT AS t, coalesce(ip, '') AS ip, coalesce(event_list, '') AS ev,
       coalesce(product_list, '') AS pl, coalesce(referrer, '') AS ref
FROM read_csv({{input}}, delim = '\t', header = true, quote = '', escape = '',
              all_varchar = true);

-- The built-in table of lib/engines.c; prio: later rows win.
CREATE TEMP TABLE engines AS
SELECT * FROM (VALUES
  (1, 'google', NULL, ['!mail', '!play', '!maps', '!docs', '!drive', '!accounts', '!myaccount', '!translate', '!calendar', '!photos', '!sites', '!groups', '!support', '!developers', '!cloud', '!analytics', '!ads', '!chrome'], ['q', 'as_q']), (2, 'bing', 'com', [], ['q', 'Q']),
  (3, 'msn', 'com', [], ['q', 'Q']), (4, 'yahoo', NULL, ['search'], ['p', 'q', 'vp']),
  (5, 'duckduckgo', 'com', [], ['q']), (6, 'baidu', NULL, [], ['wd', 'word', 'kw']),
  (7, 'yandex', NULL, [], ['text', 'q']), (8, 'ya', 'ru', [], ['text']),
  (9, 'ask', 'com', [], ['q', 'ask', 'searchfor']), (10, 'ask', 'co.uk', [], ['q', 'ask']),
  (11, 'search-results', 'com', [], ['q']),
  (12, 'aol', NULL, ['search', 'aolsearch'], ['query', 'q']),
  (13, 'aol', 'de', ['suche'], ['query', 'q']), (14, 'aol', 'fr', ['recherche'], ['query', 'q']),
  (15, 'ecosia', 'org', [], ['q']), (16, 'naver', 'com', ['search'], ['query']),
  (17, 'daum', 'net', ['search'], ['q']), (18, 'seznam', 'cz', ['search'], ['q']),
  (19, 'qwant', 'com', [], ['q']), (20, 'startpage', 'com', [], ['query']),
  (21, 'sogou', 'com', [], ['query', 'keyword']), (22, 'so', 'com', [], ['q']),
  (23, '360', 'cn', ['so'], ['q']), (24, 'brave', 'com', ['search'], ['q']),
  (25, 'kagi', 'com', [], ['q']), (26, 'mojeek', 'com', [], ['q']), (27, 'you', 'com', [], ['q']),
  (28, 'presearch', 'com', [], ['q']), (29, 'perplexity', 'ai', [], ['q']),
  (30, 'lycos', NULL, [], ['query', 'q']), (31, 'swisscows', 'com', [], ['query']),
  (32, 'mail', 'ru', ['go'], ['q']), (33, 'rambler', 'ru', ['nova'], ['query', 'words']),
  (34, 'onet', 'pl', ['szukaj'], ['qt']), (35, 'web', 'de', ['suche'], ['su', 'q']),
  (36, 'gmx', 'net', ['suche'], ['q']), (37, 'gmx', 'com', ['search'], ['q']),
  (38, 't-online', 'de', ['suche'], ['q'])
) e(prio, name, suffix, subs, params);

-- The value of the first token of toks named x ('' when absent or bare).
CREATE TEMP MACRO pval(toks, x) AS coalesce(substr(
  list_filter(toks, y -> y = x OR starts_with(y, x || '='))[1], length(x) + 2), '');

WITH
url AS (  -- scheme://userinfo@host:port/path?query#fragment
  SELECT rowid AS rn, regexp_extract(ref,
           '^(?s)(?:[^:/?#]*://|//)?([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?$',
           ['auth', 'path', 'query', 'frag']) AS u
  FROM hits WHERE ref <> ''),
host AS (
  SELECT rn, u.query, u.frag,
         rtrim(lower(split_part(regexp_replace(u.auth, '^.*@', ''), ':', 1)), '.') AS h
  FROM url WHERE NOT starts_with(regexp_replace(u.auth, '^.*@', ''), '[')),
lab AS (
  SELECT rn, query, frag, l, len(l) AS n,
         len(l) >= 3 AND length(l[-1]) = 2 AND list_contains(['co', 'com', 'net', 'org', 'ac',
           'gov', 'edu', 'ne', 'or', 'go', 'gob', 'nic', 'mil'], l[-2]) AS two
  FROM (SELECT *, string_split(h, '.') AS l FROM host WHERE length(h) BETWEEN 1 AND 255)
  WHERE len(l) >= 2),
parts AS (
  SELECT rn, query, frag,
         CASE WHEN two THEN l[-2] || '.' || l[-1] ELSE l[-1] END AS suf,
         CASE WHEN two THEN l[n - 2] ELSE l[n - 1] END AS name,
         CASE WHEN two AND n > 3 THEN l[n - 3] WHEN NOT two AND n > 2 THEN l[n - 2] END AS sub
  FROM lab),
refs AS (
  SELECT p.rn, p.name || '.' || p.suf AS domain, e.params,
         regexp_split_to_array(p.query, '[&;]') AS qt, regexp_split_to_array(p.frag, '[&;]') AS ft
  FROM parts p JOIN engines e ON e.name = p.name
   AND (e.suffix IS NULL OR e.suffix = p.suf)
   AND NOT list_contains(e.subs, '!' || coalesce(p.sub, ''))
   AND (len(list_filter(e.subs, x -> NOT starts_with(x, '!'))) = 0 OR list_contains(e.subs, p.sub))
  QUALIFY row_number() OVER (PARTITION BY p.rn ORDER BY e.prio DESC) = 1),
kw AS (  -- the query, then the fragment; in each, the first parameter with
          -- a value (a present but empty one does not hide a later value)
  SELECT rn, domain, coalesce(
           list_filter(list_transform(params, x -> pval(qt, x)), z -> z <> '')[1],
           list_filter(list_transform(params, x -> pval(ft, x)), z -> z <> '')[1], '') AS v
  FROM refs),
kwv AS (
  SELECT rn, domain, lcase_ascii AS keyword FROM (
    SELECT rn, domain, translate(trim(regexp_replace(url_decode(replace(v, '+', ' ')),
             '[ \t\n\v\f\r]+', ' ', 'g')),
             'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS lcase_ascii
    FROM kw)),
walk AS (
  SELECT h.rowid AS rn, h.ip, h.t, h.ev, h.pl,
         CASE WHEN k.rn IS NOT NULL THEN k.domain || chr(9) ||
           CASE WHEN k.keyword = '' THEN '(not provided)' ELSE k.keyword END END AS r,
         max(h.t) OVER (PARTITION BY h.ip ORDER BY h.rowid
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prevmax
  FROM hits h LEFT JOIN kwv k ON k.rn = h.rowid),
seg AS (
  SELECT *, sum(CASE WHEN t - prevmax > 1800 THEN 1 ELSE 0 END)
              OVER (PARTITION BY ip ORDER BY rn ROWS UNBOUNDED PRECEDING) AS s
  FROM walk),
live AS (
  SELECT *, last_value(r IGNORE NULLS)
              OVER (PARTITION BY ip, s ORDER BY rn ROWS UNBOUNDED PRECEDING) AS cur
  FROM seg),
buys AS (  -- '^' escapes: protect escaped separators, unescape the price
  SELECT cur, list_transform(string_split(replace(replace(replace(pl, '^^', chr(1)), '^,',
           chr(2)), '^;', chr(3)), ','), x -> string_split(x, ';')) AS prods
  FROM live
  WHERE cur IS NOT NULL AND regexp_matches(ev, '(^|,) *1 *([=:][^,]*)?(,|$)')),
prices AS (
  SELECT cur, list_transform(list_filter(prods, f -> len(f) >= 4 AND f[4] <> ''),
           f -> regexp_replace(replace(replace(replace(f[4], chr(1), '^'), chr(2), ','),
                chr(3), ';'), '\^(.)', '\1', 'g')) AS ps
  FROM buys),
valued AS (
  SELECT cur, CASE WHEN len(list_filter(ps, p -> NOT regexp_full_match(p,
                   '[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)'))) > 0 THEN NULL
              ELSE coalesce(list_sum(list_transform(ps, p -> p::DECIMAL(38, 6))), 0) END AS rev
  FROM prices),
report AS (
  SELECT split_part(cur, chr(9), 1) AS domain,
         substr(cur, length(split_part(cur, chr(9), 1)) + 2) AS keyword,
         round(sum(rev), 2)::DECIMAL(38, 2) AS revenue
  FROM valued WHERE rev IS NOT NULL GROUP BY cur)
SELECT domain AS "Search Engine Domain", replace(keyword, '\', '\\') AS "Search Keyword",
       revenue::VARCHAR AS "Revenue"
FROM report ORDER BY report.revenue DESC, report.domain, report.keyword;
