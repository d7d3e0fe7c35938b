/* The fleet report (see fleet.h): the same rows as CSV, JSON and one
 * self-contained HTML page a technician can attach to a ticket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "dfu/fleet.h"

/* One row's fields, in the order every format shows them. */
enum { COL_NAME, COL_CONN, COL_OUTCOME, COL_REASON, COL_VBEFORE, COL_VAFTER, COL_HBEFORE,
       COL_HAFTER, COL_SECONDS, COL_TRIES, NCOLS };
static const char *const col_names[NCOLS] = {
    "name", "connection", "outcome", "reason", "version_before", "version_after",
    "hash_before", "hash_after", "seconds", "tries",
};

static void row(const struct fleet_device *d, const struct fleet_result *r, char cells[NCOLS][400])
{
    snprintf(cells[COL_NAME], 400, "%s", d->name);
    snprintf(cells[COL_CONN], 400, "%s %.380s", d->conntype, d->connstring);
    snprintf(cells[COL_OUTCOME], 400, "%s", fleet_outcome_name(r->outcome));
    snprintf(cells[COL_REASON], 400, "%s", r->reason);
    snprintf(cells[COL_VBEFORE], 400, "%s", r->dfu.before_version);
    snprintf(cells[COL_VAFTER], 400, "%s", r->dfu.after_version);
    snprintf(cells[COL_HBEFORE], 400, "%s", r->dfu.before_hash);
    snprintf(cells[COL_HAFTER], 400, "%s", r->dfu.after_hash);
    snprintf(cells[COL_SECONDS], 400, "%.1f", r->seconds);
    snprintf(cells[COL_TRIES], 400, "%u", r->tries);
}

static void csv_cell(FILE *f, const char *s, bool last)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputs(last ? "\"\n" : "\",", f);
}

static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*s, f);
        }
    }
}

static FILE *open_in(const char *dir, const char *name, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
    return f;
}

static int close_checked(FILE *f, const char *name, char *err, size_t errlen)
{
    if (ferror(f) | fclose(f)) {
        snprintf(err, errlen, "writing %s failed", name);
        return -1;
    }
    return 0;
}

static int write_csv(const char *dir, const struct fleet_device *devs, size_t n,
                     const struct fleet_result *res, char *err, size_t errlen)
{
    static char cells[NCOLS][400];
    FILE *f = open_in(dir, "report.csv", err, errlen);
    if (!f)
        return -1;
    for (int c = 0; c < NCOLS; c++)
        csv_cell(f, col_names[c], c == NCOLS - 1);
    for (size_t i = 0; i < n; i++) {
        row(&devs[i], &res[i], cells);
        for (int c = 0; c < NCOLS; c++)
            csv_cell(f, cells[c], c == NCOLS - 1);
    }
    return close_checked(f, "report.csv", err, errlen);
}

static int write_json(const char *dir, const struct fleet_device *devs, size_t n,
                      const struct fleet_result *res, const char *firmware, char *err,
                      size_t errlen)
{
    static char cells[NCOLS][400];
    cJSON *doc = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(doc, "devices");
    size_t updated = 0;

    cJSON_AddStringToObject(doc, "firmware", firmware);
    for (size_t i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        row(&devs[i], &res[i], cells);
        for (int c = 0; c < NCOLS; c++) {
            if (c == COL_SECONDS)
                cJSON_AddNumberToObject(o, col_names[c], res[i].seconds);
            else if (c == COL_TRIES)
                cJSON_AddNumberToObject(o, col_names[c], res[i].tries);
            else
                cJSON_AddStringToObject(o, col_names[c], cells[c]);
        }
        cJSON_AddItemToArray(list, o);
        updated += res[i].outcome == FLEET_UPDATED;
    }
    cJSON_AddNumberToObject(doc, "updated", (double)updated);
    cJSON_AddNumberToObject(doc, "total", (double)n);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    FILE *f = text ? open_in(dir, "report.json", err, errlen) : NULL;
    if (!f) {
        free(text);
        return -1;
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
    return close_checked(f, "report.json", err, errlen);
}

static int write_html(const char *dir, const struct fleet_device *devs, size_t n,
                      const struct fleet_result *res, const char *firmware, char *err,
                      size_t errlen)
{
    static char cells[NCOLS][400];
    FILE *f = open_in(dir, "report.html", err, errlen);
    size_t updated = 0;

    if (!f)
        return -1;
    for (size_t i = 0; i < n; i++)
        updated += res[i].outcome == FLEET_UPDATED;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Fleet update</title>\n"
          "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
          "td,th{border:1px solid #999;padding:2px 6px;font-size:90%}"
          ".updated{background:#dfd}.failed{background:#fdd}.skipped{background:#eee}"
          "td.hash{font-family:monospace}</style></head><body>\n<h1>Fleet update: ", f);
    html_text(f, firmware);
    fprintf(f, "</h1>\n<p>%zu of %zu devices updated.</p>\n<table><tr>", updated, n);
    for (int c = 0; c < NCOLS; c++) {
        fputs("<th>", f);
        html_text(f, col_names[c]);
        fputs("</th>", f);
    }
    fputs("</tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        row(&devs[i], &res[i], cells);
        fprintf(f, "<tr class=\"%s\">", fleet_outcome_name(res[i].outcome));
        for (int c = 0; c < NCOLS; c++) {
            fputs(c == COL_HBEFORE || c == COL_HAFTER ? "<td class=\"hash\">" : "<td>", f);
            html_text(f, cells[c]);
            fputs("</td>", f);
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n</body></html>\n", f);
    return close_checked(f, "report.html", err, errlen);
}

int fleet_write_report(const char *dir, const struct fleet_device *devs, size_t n,
                       const struct fleet_result *res, const char *firmware, char *err,
                       size_t errlen)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    if (write_csv(dir, devs, n, res, err, errlen) || write_json(dir, devs, n, res, firmware, err, errlen) ||
        write_html(dir, devs, n, res, firmware, err, errlen))
        return -1;
    return 0;
}
