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

G_END_DECLS
