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
/* $XDG_STATE_HOME/popfetch: journals and locks */
char *pf_paths_state_dir  (void);

/* The folder name of one mailbox's state: "USER@HOST" with the host in
 * lower case and every byte of either outside [A-Za-z0-9._+-] written as
 * %XX, so no name can leave the state folder. Keyed by host and user, not
 * port: the same mailbox reached over 995 or 110 shares one journal and one
 * lock. Pure. */
char *pf_paths_account_key       (const char *host,
                                  const char *user);
/* $XDG_STATE_HOME/popfetch/accounts/<pf_paths_account_key()>: holds that
 * mailbox's delivery journal and fetch lock. */
char *pf_paths_account_state_dir (const char *host,
                                  const char *user);

G_END_DECLS
