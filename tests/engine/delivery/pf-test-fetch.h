/* pf-test-fetch.h — checking a Maildir after fetches, running popfetch-cli
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "pf-fetcher.h"

G_BEGIN_DECLS

/* Regular files in @maildir/@sub. */
guint       pf_test_fetch_count      (const char *maildir,
                                      const char *sub);

/* Message-ID → number of files in new/ and cur/ carrying it. */
GHashTable *pf_test_fetch_message_ids (const char *maildir);

/* Asserts that new/ and cur/ hold exactly @count messages, every
 * Message-ID once, and that tmp/ is empty. */
void        pf_test_fetch_assert_exactly_once (const char *maildir,
                                               guint       count);

/* Runs the built popfetch-cli fetch with the password in a file and the
 * given extra arguments (NULL-terminated), optionally with POPFETCH_FAULT.
 * Returns the exit status, or -signal when it was killed. With
 * @kill_maildir, it is sent SIGKILL @kill_after_ms after the first new
 * file shows up in that Maildir's tmp/ or new/ (if still alive). */
int         pf_test_fetch_run_cli    (const char  *fault,
                                      const char  *kill_maildir,
                                      guint        kill_after_ms,
                                      const char  *password,
                                      guint64     *max_rss_kib,
                                      const char  *first_arg,
                                      ...) G_GNUC_NULL_TERMINATED;

/* A fetcher for a scripted or local server on @host:@port without TLS:
 * plaintext consented to, the timeout (seconds, 0: the default) in its
 * settings, @password given as its credentials (NULL: none). */
PfFetcher  *pf_test_fetch_new_plain  (const char *host,
                                      guint16     port,
                                      const char *user,
                                      const char *password,
                                      const char *maildir,
                                      guint       timeout);

G_END_DECLS
