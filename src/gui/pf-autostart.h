/* pf-autostart.h — start Popfetch windowless at login, or stop doing so
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Inside Flatpak (/.flatpak-info, the file GLib itself checks) through the
 * Background portal; outside through the XDG autostart entry
 * $XDG_CONFIG_HOME/autostart/APP_ID.desktop, which it writes or removes.
 * Either way the login starts `popfetch --background`. */
void      pf_autostart_set_async         (gboolean              enabled,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);
gboolean  pf_autostart_set_finish        (GAsyncResult         *result,
                                          GError              **error);

/* $XDG_CONFIG_HOME/autostart/APP_ID.desktop */
char     *pf_autostart_entry_path        (void);
/* Pure: the autostart entry that runs @program with --background. */
char     *pf_autostart_entry_contents    (const char           *program);

/* org.freedesktop.portal.Background.RequestBackground on @bus, with
 * "autostart" @autostart and "commandline" @commandline; finishes with the
 * portal's Response. @background and @autostart_granted (may be NULL) get
 * what the portal allowed. A refusal by the user is G_IO_ERROR_PERMISSION_DENIED,
 * a dismissed request G_IO_ERROR_CANCELLED. */
void      pf_background_portal_request_async  (GDBusConnection      *bus,
                                               const char           *reason,
                                               gboolean              autostart,
                                               const char * const   *commandline,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
gboolean  pf_background_portal_request_finish (GAsyncResult         *result,
                                               gboolean             *background,
                                               gboolean             *autostart_granted,
                                               GError              **error);

G_END_DECLS
