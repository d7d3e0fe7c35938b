/*
 * RFC 3339 date/time text for OS command 4, without libc time functions
 * (a device may have no time zone database, and gmtime is not reentrant).
 * Calendar arithmetic is the proleptic Gregorian calendar in UTC.
 */
#include "smpsrv/smpsrv_priv.h"

#define US_PER_S 1000000LL
#define S_PER_DAY 86400LL

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
    static const uint8_t d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a date with year >= 1970. */
static int64_t days_from_date(int64_t y, int m, int d)
{
    int64_t days = 0;

    for (int64_t yy = 1970; yy < y; yy++)
        days += is_leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        days += days_in_month(y, mm);
    return days + d - 1;
}

static void date_from_days(int64_t days, int64_t *y, int *m, int *d)
{
    int64_t yy = 1970;
    int mm = 1;

    while (days >= (is_leap(yy) ? 366 : 365)) {
        days -= is_leap(yy) ? 366 : 365;
        yy++;
    }
    while (days >= days_in_month(yy, mm)) {
        days -= days_in_month(yy, mm);
        mm++;
    }
    *y = yy;
    *m = mm;
    *d = (int)days + 1;
}

static char *put_num(char *p, int64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

int smpsrv_datetime_fmt(int64_t unix_us, char *out, size_t cap)
{
    int64_t y, secs, frac;
    int m, d;
    char *p = out;

    if (cap < sizeof "yyyy-MM-ddTHH:mm:ss.ffffff+00:00" || unix_us < 0)
        return -1;
    secs = unix_us / US_PER_S;
    frac = unix_us % US_PER_S;
    date_from_days(secs / S_PER_DAY, &y, &m, &d);
    if (y > 9999)
        return -1;
    secs %= S_PER_DAY;
    p = put_num(p, y, 4);
    *p++ = '-';
    p = put_num(p, m, 2);
    *p++ = '-';
    p = put_num(p, d, 2);
    *p++ = 'T';
    p = put_num(p, secs / 3600, 2);
    *p++ = ':';
    p = put_num(p, secs / 60 % 60, 2);
    *p++ = ':';
    p = put_num(p, secs % 60, 2);
    *p++ = '.';
    p = put_num(p, frac, 6);
    *p++ = '+';
    p = put_num(p, 0, 2);
    *p++ = ':';
    p = put_num(p, 0, 2);
    *p = '\0';
    return 0;
}

/* Reads exactly `width` digits at s[*pos]. */
static int get_num(const char *s, size_t n, size_t *pos, int width, int64_t *out)
{
    int64_t v = 0;

    if (*pos + (size_t)width > n)
        return -1;
    for (int i = 0; i < width; i++) {
        char c = s[*pos + (size_t)i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)width;
    *out = v;
    return 0;
}

static int expect(const char *s, size_t n, size_t *pos, const char *any)
{
    if (*pos >= n)
        return -1;
    for (; *any; any++) {
        if (s[*pos] == *any) {
            (*pos)++;
            return 0;
        }
    }
    return -1;
}

/* Optional fraction: microseconds from any number of digits. */
static int64_t get_fraction(const char *s, size_t n, size_t *pos)
{
    int64_t us = 0, scale = 100000;

    if (*pos >= n || s[*pos] != '.')
        return 0;
    (*pos)++;
    while (*pos < n && s[*pos] >= '0' && s[*pos] <= '9') {
        us += (s[*pos] - '0') * scale;
        scale /= 10;
        (*pos)++;
    }
    return us;
}

/* Optional zone: seconds to subtract to get UTC, or -1 on bad text. */
static int get_zone(const char *s, size_t n, size_t *pos, int64_t *offset_s)
{
    int64_t hh, mm;
    char sign;

    *offset_s = 0;
    if (*pos == n)
        return 0;
    if (s[*pos] == 'Z' || s[*pos] == 'z') {
        (*pos)++;
        return 0;
    }
    sign = s[*pos];
    if (sign != '+' && sign != '-')
        return -1;
    (*pos)++;
    if (get_num(s, n, pos, 2, &hh) || expect(s, n, pos, ":") ||
        get_num(s, n, pos, 2, &mm) || hh > 23 || mm > 59)
        return -1;
    *offset_s = (hh * 3600 + mm * 60) * (sign == '-' ? -1 : 1);
    return 0;
}

int smpsrv_datetime_parse(const char *s, size_t n, int64_t *unix_us)
{
    int64_t y, mo, d, h, mi, sec, frac, zone;
    size_t pos = 0;

    if (get_num(s, n, &pos, 4, &y) || expect(s, n, &pos, "-") ||
        get_num(s, n, &pos, 2, &mo) || expect(s, n, &pos, "-") ||
        get_num(s, n, &pos, 2, &d) || expect(s, n, &pos, "Tt ") ||
        get_num(s, n, &pos, 2, &h) || expect(s, n, &pos, ":") ||
        get_num(s, n, &pos, 2, &mi) || expect(s, n, &pos, ":") ||
        get_num(s, n, &pos, 2, &sec))
        return -1;
    frac = get_fraction(s, n, &pos);
    if (get_zone(s, n, &pos, &zone) || pos != n)
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, (int)mo) ||
        h > 23 || mi > 59 || sec > 60)
        return -1;
    if (sec == 60) /* a leap second reads as the last second of the minute */
        sec = 59;
    int64_t t = days_from_date(y, (int)mo, (int)d) * S_PER_DAY + h * 3600 + mi * 60 + sec - zone;
    if (t < 0)
        return -1;
    *unix_us = t * US_PER_S + frac;
    return 0;
}
