/* pf-paths.h — where Popfetch keeps its files
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* $XDG_CONFIG_HOME/popfetch */
char *pf_paths_config_dir (void);
/* $XDG_STATE_HOME/popfetch: journals and locks. This is the state
 * directory to hand to PfFetcher (pf_fetcher_set_state_dir), which keys
 * each mailbox inside it by host and user, not port. */
char *pf_paths_state_dir  (void);

/* The delivery journal and the fetch lock of one mailbox:
 * $XDG_STATE_HOME/popfetch/KEY.journal and KEY.lock, where KEY is
 * pf_journal_account_key (@host, @user), exactly as the fetcher names them. */
char *pf_paths_account_journal (const char *host,
                                const char *user);
char *pf_paths_account_lock    (const char *host,
                                const char *user);

G_END_DECLS
