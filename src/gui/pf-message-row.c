/* pf-message-row.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-gui-util.h"
#include "pf-message-row.h"

struct _PfMessageRow
{
  AdwActionRow  parent_instance;

  PfMessage    *message;

  GtkButton    *open_button;
};

G_DEFINE_FINAL_TYPE (PfMessageRow, pf_message_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GtkWidget *
pf_message_row_new (PfMessage *message)
{
  g_return_val_if_fail (PF_IS_MESSAGE (message), NULL);

  return g_object_new (PF_TYPE_MESSAGE_ROW, "message", message, NULL);
}

PfMessage *
pf_message_row_get_message (PfMessageRow *self)
{
  g_return_val_if_fail (PF_IS_MESSAGE_ROW (self), NULL);
  return self->message;
}

static void
on_message_launched (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GtkWidget) button = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;

  if (g_app_info_launch_default_for_uri_finish (result, &error))
    return;

  g_debug ("Could not open the message: %s", error->message);
  overlay = gtk_widget_get_ancestor (button, ADW_TYPE_TOAST_OVERLAY);
  if (overlay != NULL)
    {
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                   adw_toast_new (_("No mail reader is set up to open this message")));
      pf_gui_name_icon_buttons (overlay);
    }
}

/* The user's default handler of message/rfc822 gets the message's file;
 * asynchronous, as looking up the handler reads the file's type. */
static void
on_open_clicked (PfMessageRow *self)
{
  g_autoptr(GFile) file = g_file_new_for_path (pf_message_get_path (self->message));
  g_autofree char *uri = g_file_get_uri (file);
  g_autoptr(GdkAppLaunchContext) context = NULL;

  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           on_message_launched, g_object_ref (self->open_button));
}

static void
pf_message_row_constructed (GObject *object)
{
  PfMessageRow *self = PF_MESSAGE_ROW (object);
  g_autofree char *date = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *open_label = NULL;
  const char *subject;

  G_OBJECT_CLASS (pf_message_row_parent_class)->constructed (object);

  g_assert (self->message != NULL);

  date = g_date_time_format (pf_message_get_date (self->message), "%x %R");
  /* Translators: sender · date in the message list */
  subtitle = g_strdup_printf (_("%s · %s"), pf_message_get_from (self->message), date);
  subject = pf_message_get_subject (self->message);
  if (*subject == '\0')
    subject = _("(no subject)");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), subject);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  /* Every row has this button: say which message each one opens. */
  /* Translators: accessible name of a button, %s is the message's subject */
  open_label = g_strdup_printf (_("Open “%s” in Mail Reader"), subject);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->open_button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, open_label, -1);
}

static void
pf_message_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PfMessageRow *self = PF_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      g_value_set_object (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_message_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PfMessageRow *self = PF_MESSAGE_ROW (object);

  switch (prop_id)
    {
    case PROP_MESSAGE:
      self->message = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pf_message_row_dispose (GObject *object)
{
  PfMessageRow *self = PF_MESSAGE_ROW (object);

  g_clear_object (&self->message);

  G_OBJECT_CLASS (pf_message_row_parent_class)->dispose (object);
}

static void
pf_message_row_class_init (PfMessageRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pf_message_row_constructed;
  object_class->get_property = pf_message_row_get_property;
  object_class->set_property = pf_message_row_set_property;
  object_class->dispose = pf_message_row_dispose;

  properties[PROP_MESSAGE] =
    g_param_spec_object ("message", NULL, NULL, PF_TYPE_MESSAGE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-message-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PfMessageRow, open_button);
  gtk_widget_class_bind_template_callback (widget_class, on_open_clicked);
}

static void
pf_message_row_init (PfMessageRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
