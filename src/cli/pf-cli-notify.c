/* pf-cli-notify.c — popfetch-cli fetch --notify: a desktop notification
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The timer's fetch runs with no window and no GApplication: it speaks
 * org.freedesktop.Notifications directly, on the session bus when there is
 * one (a systemd user service has it), and says nothing otherwise.
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "pf-cli-fetch.h"

#define NOTIFY_TIMEOUT_MS 5000

/* Without an address or the user's bus socket GIO would try to autolaunch
 * a bus (dbus-launch on X11): not for a program run from cron or a
 * terminal without a session. */
static gboolean
session_bus_present (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket = NULL;

  if (address != NULL && *address != '\0')
    return TRUE;
  if (g_getenv ("XDG_RUNTIME_DIR") == NULL)
    return FALSE;
  socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (socket, G_FILE_TEST_EXISTS);
}

void
pf_cli_notify_new_mail (const char * const *labels,
                        const guint        *fetched,
                        guint               n)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *summary = NULL;
  GVariantBuilder actions, hints;
  guint total = 0;

  for (guint i = 0; i < n; i++)
    if (fetched[i] > 0)
      {
        total += fetched[i];
        if (body->len > 0)
          g_string_append_c (body, '\n');
        g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE, "%s: %u new message",
                                                   "%s: %u new messages", fetched[i]),
                                labels[i], fetched[i]);
      }
  if (total == 0 || !session_bus_present ())
    return;

  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  if (bus == NULL)
    {
      g_debug ("No session bus for the notification: %s", error->message);
      return;
    }

  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new message", "%u new messages", total),
                             total);
  g_variant_builder_init (&actions, G_VARIANT_TYPE ("as"));
  g_variant_builder_init (&hints, G_VARIANT_TYPE ("a{sv}"));
  g_variant_builder_add (&hints, "{sv}", "desktop-entry", g_variant_new_string (APP_ID));
  g_variant_builder_add (&hints, "{sv}", "category", g_variant_new_string ("email.arrived"));
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.Notifications",
                                       "/org/freedesktop/Notifications",
                                       "org.freedesktop.Notifications", "Notify",
                                       g_variant_new ("(susssasa{sv}i)", "Popfetch", 0, APP_ID,
                                                      summary, body->str, &actions, &hints, -1),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE,
                                       NOTIFY_TIMEOUT_MS, NULL, &error);
  if (reply == NULL)
    g_debug ("No notification: %s", error->message);
  g_dbus_connection_flush_sync (bus, NULL, NULL);
}
