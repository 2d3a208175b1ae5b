/* pf-setup-detect-page.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-detect-row.h"
#include "pf-probe-row.h"
#include "pf-setup-detect-page.h"

struct _PfSetupDetectPage
{
  AdwBin      parent_instance;

  GHashTable *rows;            /* PfLookup or PfProbe → PfDetectRow */

  GtkLabel   *status_label;
  GtkListBox *list;
};

G_DEFINE_FINAL_TYPE (PfSetupDetectPage, pf_setup_detect_page, ADW_TYPE_BIN)

enum {
  CANCEL,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
add_row (PfSetupDetectPage *self,
         GObject           *subject,
         GtkWidget         *row)
{
  gtk_list_box_append (self->list, row);
  g_hash_table_insert (self->rows, subject, row);
}

static void
show_result (PfSetupDetectPage *self,
             GObject           *subject)
{
  PfDetectRow *row = g_hash_table_lookup (self->rows, subject);

  if (row != NULL)
    pf_detect_row_show_result (row);
}

static void
on_detector_progress (PfDetector        *detector,
                      PfDetectorEvent    event,
                      GObject           *object,
                      PfSetupDetectPage *self)
{
  switch (event)
    {
    case PF_DETECTOR_EVENT_LOOKUP_STARTED:
      add_row (self, object, pf_detect_row_new_for_lookup (PF_LOOKUP (object)));
      break;

    case PF_DETECTOR_EVENT_PROBE_STARTED:
      if (g_hash_table_lookup (self->rows, object) == NULL)
        add_row (self, object, pf_detect_row_new_for_probe (PF_PROBE (object)));
      break;

    case PF_DETECTOR_EVENT_LOOKUP_FINISHED:
    case PF_DETECTOR_EVENT_PROBE_FINISHED:
      show_result (self, object);
      break;

    case PF_DETECTOR_EVENT_RECOMMENDED:
      {
        g_autofree char *title = pf_probe_row_format_title (PF_PROBE (object));
        g_autofree char *status = NULL;

        /* Translators: %s describes a server, "pop.example.com, port 995, TLS" */
        status = g_strdup_printf (_("Recommended so far: %s"), title);
        gtk_label_set_label (self->status_label, status);
      }
      break;

    default:
      break;
    }
}

void
pf_setup_detect_page_follow (PfSetupDetectPage *self,
                             PfDetector        *detector,
                             const char        *domain)
{
  g_autofree char *status = NULL;
  GtkWidget *child;

  g_return_if_fail (PF_IS_SETUP_DETECT_PAGE (self));
  g_return_if_fail (PF_IS_DETECTOR (detector));
  g_return_if_fail (domain != NULL);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  g_hash_table_remove_all (self->rows);

  g_signal_connect_object (detector, "progress", G_CALLBACK (on_detector_progress), self, 0);

  /* Translators: %s is a domain name */
  status = g_strdup_printf (_("Asking where %s keeps its mail, then trying each server found."), domain);
  gtk_label_set_label (self->status_label, status);
}

static void
on_cancel_clicked (PfSetupDetectPage *self)
{
  g_signal_emit (self, signals[CANCEL], 0);
}

static void
pf_setup_detect_page_finalize (GObject *object)
{
  PfSetupDetectPage *self = PF_SETUP_DETECT_PAGE (object);

  g_hash_table_unref (self->rows);

  G_OBJECT_CLASS (pf_setup_detect_page_parent_class)->finalize (object);
}

static void
pf_setup_detect_page_class_init (PfSetupDetectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = pf_setup_detect_page_finalize;

  signals[CANCEL] =
    g_signal_new ("cancel", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-setup-detect-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PfSetupDetectPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PfSetupDetectPage, list);
  gtk_widget_class_bind_template_callback (widget_class, on_cancel_clicked);
}

static void
pf_setup_detect_page_init (PfSetupDetectPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_hash_table_new (NULL, NULL);
}
