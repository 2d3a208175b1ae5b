/* pf-server-panel.h — the account page's view of the mail left on the
 * server: how much there is, the messages over the size limit with
 * Download Anyway and Delete from Server, and the provider's own word on
 * what stays there (Gmail's POP setting)
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-account-status.h"
#include "pf-server-view.h"

G_BEGIN_DECLS

#define PF_TYPE_SERVER_PANEL (pf_server_panel_get_type ())

G_DECLARE_FINAL_TYPE (PfServerPanel, pf_server_panel, PF, SERVER_PANEL, AdwBin)

/* Follows @status's account: its provider's keep-on-server setting, and
 * its server view, read again after each of its fetches. NULL: nothing. */
void        pf_server_panel_set_status (PfServerPanel   *self,
                                        PfAccountStatus *status);

/* Pure: "On the server: 1,204 messages, 1.3 GB; 3 over your size limit". */
char       *pf_server_panel_format_summary (const PfServerView *view);

G_END_DECLS
