/* pf-test-util.h — what every test program shares
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* When @program (a path or a name on PATH) is missing: skip the current test
 * with a message, or fail it when the environment variable @require_env
 * (REQUIRE_DOVECOT, REQUIRE_KEYRING, REQUIRE_DISPLAY) is "1", as ./check
 * sets them. Returns TRUE when the test may go on. */
gboolean pf_test_require_program (const char *program,
                                  const char *require_env);

/* Same for a condition the caller checked (e.g. "no D-Bus session"). */
gboolean pf_test_require (gboolean    available,
                          const char *require_env,
                          const char *why_missing);

/* The private D-Bus session with gnome-keyring that tests/lib/
 * run-with-keyring.sh starts (it sets PF_TEST_KEYRING): skip without it,
 * or fail when REQUIRE_KEYRING=1. */
gboolean pf_test_require_keyring (void);

/* The password gnome-keyring holds for POP3 @user at @host, as
 * `secret-tool lookup` sees it (the item Popfetch writes), or NULL. */
char    *pf_test_secret_tool_lookup (const char *host,
                                     const char *user);

/* How many entries @dir has (a Maildir's new/, say); 0 when it does not
 * exist. */
guint    pf_test_count_files (const char *dir);

/* Run the thread-default main context until *@done is TRUE, failing the
 * test after @timeout_seconds. */
void     pf_test_wait_until (gboolean *done,
                             guint     timeout_seconds);

/* A GAsyncResult catcher for _finish calls in tests. */
void     pf_test_store_result (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data);  /* GAsyncResult ** */
/* Iterate the default main context until *@result is set. */
GAsyncResult *pf_test_wait_result (GAsyncResult **result,
                                   guint          timeout_seconds);
/* Drop the caller's reference to @object and assert that it is finalized
 * within @timeout_seconds. Unlike g_assert_finalize_object(), waits for a
 * worker thread of a just-finished GTask to let go of its own reference. */
void          pf_test_assert_finalized (gpointer object,
                                        guint    timeout_seconds);

void pf_test_remove_tree (const char *path);

G_END_DECLS
