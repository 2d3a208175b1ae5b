/* pf-autostart.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "pf-autostart.h"

#define PORTAL_NAME      "org.freedesktop.portal.Desktop"
#define PORTAL_PATH      "/org/freedesktop/portal/desktop"
#define BACKGROUND_IFACE "org.freedesktop.portal.Background"
#define REQUEST_IFACE    "org.freedesktop.portal.Request"

/* --- the XDG autostart entry ------------------------------------------------- */

char *
pf_autostart_entry_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "autostart", APP_ID ".desktop", NULL);
}

char *
pf_autostart_entry_contents (const char *program)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *quoted = NULL;
  g_autofree char *exec = NULL;

  g_return_val_if_fail (program != NULL, NULL);

  /* The Exec key's own quoting: double quotes around anything with a
   * space or a reserved character. */
  if (strpbrk (program, " \t\"'\\`$<>~|&;*?#()") != NULL)
    {
      GString *s = g_string_new ("\"");

      for (const char *p = program; *p; p++)
        {
          if (strchr ("\"`$\\", *p) != NULL)
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
      quoted = g_string_free (s, FALSE);
    }
  else
    quoted = g_strdup (program);
  exec = g_strdup_printf ("%s --background", quoted);

  g_key_file_set_string (key_file, "Desktop Entry", "Type", "Application");
  g_key_file_set_string (key_file, "Desktop Entry", "Name", "Popfetch");
  g_key_file_set_string (key_file, "Desktop Entry", "Comment", "Fetch mail in the background");
  g_key_file_set_string (key_file, "Desktop Entry", "Icon", APP_ID);
  g_key_file_set_string (key_file, "Desktop Entry", "Exec", exec);
  g_key_file_set_boolean (key_file, "Desktop Entry", "Terminal", FALSE);
  g_key_file_set_boolean (key_file, "Desktop Entry", "X-GNOME-Autostart-enabled", TRUE);
  g_key_file_set_boolean (key_file, "Desktop Entry", "X-GNOME-UsesNotifications", TRUE);

  return g_key_file_to_data (key_file, NULL, NULL);
}

/* The program running now: the login starts this same build. */
static char *
this_program (void)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);

  return path != NULL ? path : g_strdup ("popfetch");
}

static void
write_entry_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  gboolean enabled = GPOINTER_TO_INT (task_data);
  g_autofree char *path = pf_autostart_entry_path ();
  GError *error = NULL;

  if (enabled)
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *program = this_program ();
      g_autofree char *contents = pf_autostart_entry_contents (program);

      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          int saved = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                                   _("Could not create the folder %s: %s"), dir, g_strerror (saved));
          return;
        }
      if (!g_file_set_contents_full (path, contents, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int saved = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved),
                               _("Could not remove %s: %s"), path, g_strerror (saved));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

/* --- the Background portal --------------------------------------------------- */

typedef struct
{
  GDBusConnection *bus;
  char            *request_path;
  guint            response_id;
  gulong           cancelled_id;
  gboolean         background;
  gboolean         autostart;
} PortalRequest;

static void
portal_request_free (PortalRequest *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  g_clear_object (&request->bus);
  g_free (request->request_path);
  g_free (request);
}

static void
on_response (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  /* Unsubscribing below drops the subscription's reference. */
  g_autoptr(GTask) task = g_object_ref (user_data);
  PortalRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  guint32 response;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(ua{sv})")))
    return;

  g_dbus_connection_signal_unsubscribe (bus, request->response_id);
  request->response_id = 0;

  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  g_variant_lookup (results, "background", "b", &request->background);
  g_variant_lookup (results, "autostart", "b", &request->autostart);

  if (response == 0)
    g_task_return_boolean (task, TRUE);
  else if (response == 1)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                             _("Running in the background was not allowed."));
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The request to run in the background was dismissed."));
}

static void
subscribe_response (GTask      *task,
                    const char *path)
{
  PortalRequest *request = g_task_get_task_data (task);

  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  g_free (request->request_path);
  request->request_path = g_strdup (path);
  /* The subscription holds its own reference to the task until the
   * Response comes or the subscription goes. */
  request->response_id =
    g_dbus_connection_signal_subscribe (request->bus, PORTAL_NAME, REQUEST_IFACE, "Response",
                                        path, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_response, g_object_ref (task), g_object_unref);
}

static void
on_request_background (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PortalRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) reply = NULL;
  GError *error = NULL;
  const char *handle = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (request->response_id != 0)
        {
          g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
          request->response_id = 0;
        }
      g_task_return_error (task, error);
      return;
    }

  /* Portals older than the handle_token convention answer with another
   * path: listen there instead. */
  g_variant_get (reply, "(&o)", &handle);
  if (g_strcmp0 (handle, request->request_path) != 0)
    subscribe_response (task, handle);
}

void
pf_background_portal_request_async (GDBusConnection     *bus,
                                    const char          *reason,
                                    gboolean             autostart,
                                    const char * const  *commandline,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *token = NULL;
  g_autofree char *sender = NULL;
  g_autofree char *path = NULL;
  PortalRequest *request;
  GVariantBuilder options;

  g_return_if_fail (G_IS_DBUS_CONNECTION (bus));
  g_return_if_fail (commandline != NULL && commandline[0] != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pf_background_portal_request_async);
  request = g_new0 (PortalRequest, 1);
  request->bus = g_object_ref (bus);
  g_task_set_task_data (task, request, (GDestroyNotify) portal_request_free);

  /* The request object's path is known before the call, so the Response
   * cannot come before the subscription. */
  token = g_strdup_printf ("popfetch%u", g_random_int ());
  sender = g_strdup (g_dbus_connection_get_unique_name (bus) + 1);
  g_strdelimit (sender, ".", '_');
  path = g_strdup_printf (PORTAL_PATH "/request/%s/%s", sender, token);
  subscribe_response (task, path);

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "handle_token", g_variant_new_string (token));
  if (reason != NULL)
    g_variant_builder_add (&options, "{sv}", "reason", g_variant_new_string (reason));
  g_variant_builder_add (&options, "{sv}", "autostart", g_variant_new_boolean (autostart));
  g_variant_builder_add (&options, "{sv}", "commandline", g_variant_new_strv (commandline, -1));
  g_variant_builder_add (&options, "{sv}", "dbus-activatable", g_variant_new_boolean (FALSE));

  g_dbus_connection_call (bus, PORTAL_NAME, PORTAL_PATH, BACKGROUND_IFACE, "RequestBackground",
                          g_variant_new ("(sa{sv})", "", &options),
                          G_VARIANT_TYPE ("(o)"), G_DBUS_CALL_FLAGS_NONE,
                          /* The portal may ask the user: no timeout. */
                          G_MAXINT, cancellable, on_request_background, g_object_ref (task));
}

gboolean
pf_background_portal_request_finish (GAsyncResult  *result,
                                     gboolean      *background,
                                     gboolean      *autostart_granted,
                                     GError       **error)
{
  PortalRequest *request;

  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pf_background_portal_request_async, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;

  request = g_task_get_task_data (G_TASK (result));
  if (background != NULL)
    *background = request->background;
  if (autostart_granted != NULL)
    *autostart_granted = request->autostart;
  return TRUE;
}

/* --- either ---------------------------------------------------------------- */

static void
on_portal_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pf_background_portal_request_finish (result, NULL, NULL, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_session_bus (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  static const char * const commandline[] = { "popfetch", "--background", NULL };
  g_autoptr(GDBusConnection) bus = NULL;
  GError *error = NULL;

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  pf_background_portal_request_async (bus, _("Popfetch fetches mail in the background and when you log in."),
                                      GPOINTER_TO_INT (g_task_get_task_data (task)), commandline,
                                      g_task_get_cancellable (task), on_portal_done,
                                      g_object_ref (task));
}

void
pf_autostart_set_async (gboolean             enabled,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, pf_autostart_set_async);
  g_task_set_task_data (task, GINT_TO_POINTER (enabled), NULL);

  /* The file GLib's own sandbox check looks for. */
  if (g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS))
    g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_session_bus, g_object_ref (task));
  else
    g_task_run_in_thread (task, write_entry_thread);
}

gboolean
pf_autostart_set_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
