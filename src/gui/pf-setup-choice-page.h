/* pf-setup-choice-page.h — the setup window's page of the servers found
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-probe.h"
#include "pf-provider.h"

G_BEGIN_DECLS

#define PF_TYPE_SETUP_CHOICE_PAGE (pf_setup_choice_page_get_type ())

G_DECLARE_FINAL_TYPE (PfSetupChoicePage, pf_setup_choice_page, PF, SETUP_CHOICE_PAGE, AdwBin)

/* What the provider table says about the provider detection found (its
 * server is among the choices, ranked with its word); NULL for none. */
void pf_setup_choice_page_set_provider (PfSetupChoicePage *self,
                                        PfProvider        *provider);

/* Offers @recommended (chosen from the start; NULL when detection found
 * no secure server) and the other usable servers among @probes, one
 * choice at a time; the same server under several names is one choice,
 * "also reachable as …".
 *
 * Signals: "chosen" (PfProbe) when the user takes a server: at once for
 * an encrypted one, for a plaintext one only once the user confirms
 * pf_gui_plaintext_dialog_new() (declining puts the earlier choice back);
 * "test" and "edit" for the page's two buttons. */
void pf_setup_choice_page_show (PfSetupChoicePage *self,
                                PfProbe           *recommended,
                                GPtrArray         *probes);

G_END_DECLS
