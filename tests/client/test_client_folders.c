/* client_make_folders, the one `mkdir -p` of the host libraries (the
 * state folder of devstate.c, the default audit trail's folder): every
 * missing level, for this user only, and a clear failure; and
 * client_user_state_folder, where both live by default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client/client.h"

static char base[128];

static int setup(void **state)
{
    (void)state;
    snprintf(base, sizeof base, "/tmp/mcutools-folders-XXXXXX");
    assert_non_null(mkdtemp(base));
    return 0;
}

static int teardown(void **state)
{
    char cmd[200];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
    return system(cmd) == 0 ? 0 : -1;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    return st.st_mode & 0777;
}

static void every_missing_level_is_made(void **state)
{
    char dir[256], mid[256];
    (void)state;
    snprintf(dir, sizeof dir, "%s/a/b/c", base);
    snprintf(mid, sizeof mid, "%s/a/b", base);
    assert_int_equal(client_make_folders(dir), 0);
    assert_int_equal(mode_of(dir), 0700);
    assert_int_equal(mode_of(mid), 0700);
    /* again, and with a trailing slash: nothing to do, no error */
    assert_int_equal(client_make_folders(dir), 0);
    strcat(dir, "/");
    assert_int_equal(client_make_folders(dir), 0);
}

static void a_file_in_the_way_fails(void **state)
{
    char file[256], dir[300];
    (void)state;
    snprintf(file, sizeof file, "%s/f", base);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    snprintf(dir, sizeof dir, "%s/sub", file);
    errno = 0;
    assert_int_equal(client_make_folders(dir), -1);
    assert_int_equal(errno, ENOTDIR);
    assert_int_equal(client_make_folders(""), -1);
    char longer[1100];
    memset(longer, 'x', sizeof longer - 1);
    longer[0] = '/';
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(client_make_folders(longer), -1);
    assert_int_equal(errno, ENAMETOOLONG);
}

/* What this host remembers goes to $MCUTOOLS_STATE_DIR, else to the
 * user's state folder ($XDG_STATE_HOME/mcutools, else HOME's), made on
 * first use; with neither, nowhere (and nothing fails). */
static void the_state_folder(void **state)
{
    char buf[256], xdg[200], made[256];
    struct stat st;
    (void)state;
    snprintf(xdg, sizeof xdg, "%s/xdg", base);
    setenv("XDG_STATE_HOME", xdg, 1);
    setenv("HOME", "/home/tech", 1);
    assert_int_equal(client_user_state_folder(buf, sizeof buf), 0);
    snprintf(made, sizeof made, "%s/mcutools", xdg);
    assert_string_equal(buf, made);
    assert_int_equal(client_user_state_folder(buf, 8), -1); /* does not fit */
    unsetenv("MCUTOOLS_STATE_DIR");
    client_note_reset("udp 127.0.0.1:1337");
    assert_int_equal(stat(made, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_true(client_since_reset_ms("udp 127.0.0.1:1337") >= 0);
    unsetenv("XDG_STATE_HOME");
    assert_int_equal(client_user_state_folder(buf, sizeof buf), 0);
    assert_string_equal(buf, "/home/tech/.local/state/mcutools");
    unsetenv("HOME");
    assert_int_equal(client_user_state_folder(buf, sizeof buf), -1);
    assert_int_equal(client_since_reset_ms("udp 127.0.0.1:1337"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_missing_level_is_made, setup, teardown),
        cmocka_unit_test_setup_teardown(a_file_in_the_way_fails, setup, teardown),
        cmocka_unit_test_setup_teardown(the_state_folder, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
