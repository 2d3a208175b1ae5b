/* pf-account-window.h — settings of one saved account
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account-store.h"

G_BEGIN_DECLS

#define PF_TYPE_ACCOUNT_WINDOW (pf_account_window_get_type ())

G_DECLARE_FINAL_TYPE (PfAccountWindow, pf_account_window, PF, ACCOUNT_WINDOW, AdwPreferencesWindow)

/* Signal "changed": the account was saved or removed. */
PfAccountWindow *pf_account_window_new            (GtkWindow       *parent,
                                                   PfAccountStore  *store,
                                                   PfAccount       *account);
void             pf_account_window_focus_password (PfAccountWindow *self);

/* Pure: megabytes shown in the size row and bytes stored. */
guint64          pf_account_window_mb_to_bytes    (guint            megabytes);
guint            pf_account_window_bytes_to_mb    (guint64          bytes);

G_END_DECLS
