/* pf-setup-window.h — add an account: find settings, test, save
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account-store.h"

G_BEGIN_DECLS

#define PF_TYPE_SETUP_WINDOW (pf_setup_window_get_type ())

G_DECLARE_FINAL_TYPE (PfSetupWindow, pf_setup_window, PF, SETUP_WINDOW, AdwWindow)

/* Signal "account-added" (PfAccount *account): saved to the file and the
 * keyring. */
PfSetupWindow *pf_setup_window_new             (GtkWindow      *parent,
                                                PfAccountStore *store);
/* Prefill address and password (the demo server's). */
void           pf_setup_window_set_credentials (PfSetupWindow  *self,
                                                const char     *address,
                                                const char     *password);

/* Show the diagnosis of @error, with the field that fixes it focused. */
void           pf_setup_window_show_error      (PfSetupWindow  *self,
                                                const GError   *error);

/* Pure: index of the mechanism combo and back. */

G_END_DECLS
