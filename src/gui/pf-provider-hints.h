/* pf-provider-hints.h — what the provider table says, where the setup
 * window needs it: no POP3 at all, where to switch POP3 on, the app
 * password to make, the provider's own sign-in, its quirks
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "pf-provider.h"

G_BEGIN_DECLS

#define PF_TYPE_PROVIDER_HINTS (pf_provider_hints_get_type ())

G_DECLARE_FINAL_TYPE (PfProviderHints, pf_provider_hints, PF, PROVIDER_HINTS, AdwBin)

GtkWidget  *pf_provider_hints_new           (void);
/* Shows what the table knows about @provider; NULL hides the hints. */
void        pf_provider_hints_set_provider  (PfProviderHints *self,
                                             PfProvider      *provider);
PfProvider *pf_provider_hints_get_provider  (PfProviderHints *self);
/* TRUE when the provider offers no POP3: there is nothing to set up, and
 * the page showing the hints offers no way on. Property "blocks-setup". */
gboolean    pf_provider_hints_get_blocks_setup (PfProviderHints *self);

G_END_DECLS
