/* pf-message-row-factory.c — the rows of an account's message list:
 * sender, subject, date, size, attachment mark, a conversation's count,
 * unread in bold
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-index.h"
#include "pf-message-row-factory.h"

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *side = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *from = gtk_label_new (NULL);
  GtkWidget *subject = gtk_label_new (NULL);
  GtkWidget *date = gtk_label_new (NULL);
  GtkWidget *size = gtk_label_new (NULL);
  GtkWidget *clip = gtk_image_new_from_icon_name ("mail-attachment-symbolic");
  GtkWidget *count = gtk_label_new (NULL);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  for (GtkWidget **l = (GtkWidget *[]) { from, subject, NULL }; *l; l++)
    {
      gtk_label_set_xalign (GTK_LABEL (*l), 0);
      gtk_label_set_ellipsize (GTK_LABEL (*l), PANGO_ELLIPSIZE_END);
      gtk_label_set_single_line_mode (GTK_LABEL (*l), TRUE);
    }
  gtk_widget_add_css_class (from, "caption");
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_label_set_xalign (GTK_LABEL (date), 1);
  gtk_label_set_xalign (GTK_LABEL (size), 1);
  gtk_widget_add_css_class (date, "numeric");
  gtk_widget_add_css_class (date, "caption");
  gtk_widget_add_css_class (size, "dim-label");
  gtk_widget_add_css_class (size, "caption");
  gtk_widget_set_valign (clip, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (clip), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Has attachments"), -1);

  gtk_box_append (GTK_BOX (texts), from);
  gtk_box_append (GTK_BOX (texts), subject);
  gtk_box_append (GTK_BOX (side), date);
  gtk_box_append (GTK_BOX (side), size);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_set_valign (count, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "dim-label");
  gtk_box_append (GTK_BOX (box), count);
  gtk_box_append (GTK_BOX (box), clip);
  gtk_box_append (GTK_BOX (box), side);
  g_object_set_data (G_OBJECT (box), "from", from);
  g_object_set_data (G_OBJECT (box), "subject", subject);
  g_object_set_data (G_OBJECT (box), "date", date);
  g_object_set_data (G_OBJECT (box), "size", size);
  g_object_set_data (G_OBJECT (box), "clip", clip);
  g_object_set_data (G_OBJECT (box), "count", count);
  gtk_list_item_set_child (item, box);
}

static char *
format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) date = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (date == NULL)
    return g_strdup ("");
  /* Today: the time; this year: day and month; before: the date. */
  if (g_date_time_get_year (date) == g_date_time_get_year (now) &&
      g_date_time_get_day_of_year (date) == g_date_time_get_day_of_year (now))
    return g_date_time_format (date, "%R");
  if (g_date_time_get_year (date) == g_date_time_get_year (now))
    return g_date_time_format (date, "%e %b");
  return g_date_time_format (date, "%x");
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  user_data)
{
  PfIndexMessage *message = gtk_list_item_get_item (item);
  GtkWidget *box = gtk_list_item_get_child (item);
  GtkWidget *from = g_object_get_data (G_OBJECT (box), "from");
  GtkWidget *subject = g_object_get_data (G_OBJECT (box), "subject");
  const char *subject_text = pf_index_message_get_subject (message);
  guint in_conversation = pf_index_message_get_conversation_count (message);
  GtkWidget *count = g_object_get_data (G_OBJECT (box), "count");
  /* A conversation is unread while any of its messages is. */
  gboolean unread = in_conversation > 0 ? pf_index_message_get_conversation_unread (message) > 0
                                        : pf_index_message_get_unread (message);
  g_autofree char *date = format_date (pf_index_message_get_date (message));
  g_autofree char *size = g_format_size (pf_index_message_get_size (message));

  if (subject_text == NULL || *subject_text == '\0')
    subject_text = _("(no subject)");
  gtk_label_set_label (GTK_LABEL (from), pf_index_message_get_from (message));
  gtk_label_set_label (GTK_LABEL (subject), subject_text);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "date"), date);
  gtk_label_set_label (g_object_get_data (G_OBJECT (box), "size"), size);
  gtk_widget_set_visible (g_object_get_data (G_OBJECT (box), "clip"),
                          pf_index_message_get_attachment (message));
  /* A conversation of several messages shows how many. */
  gtk_widget_set_visible (count, in_conversation > 1);
  if (in_conversation > 1)
    {
      g_autofree char *n = g_strdup_printf ("%u", in_conversation);
      g_autofree char *label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Conversation of %u message",
                                                             "Conversation of %u messages", in_conversation),
                                                in_conversation);

      gtk_label_set_label (GTK_LABEL (count), n);
      gtk_accessible_update_property (GTK_ACCESSIBLE (count), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
    }
  /* Unread in bold, as every mail reader shows it. */
  if (unread)
    {
      gtk_widget_add_css_class (from, "heading");
      gtk_widget_add_css_class (subject, "heading");
    }
  else
    {
      gtk_widget_remove_css_class (from, "heading");
      gtk_widget_remove_css_class (subject, "heading");
    }
}

GtkListItemFactory *
pf_message_row_factory_new (void)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), NULL);
  return factory;
}
