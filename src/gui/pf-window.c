/* pf-window.c
 *
 * Copyright 2026 The Popfetch authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "pf-window.h"

struct _PfWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  AdwStatusPage   *empty_page;
};

G_DEFINE_FINAL_TYPE (PfWindow, pf_window, ADW_TYPE_APPLICATION_WINDOW)

PfWindow *
pf_window_new (PfApplication *application)
{
  return g_object_new (PF_TYPE_WINDOW, "application", application, NULL);
}

static void
pf_window_class_init (PfWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/popfetch/Popfetch/pf-window.ui");
  gtk_widget_class_bind_template_child (widget_class, PfWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, PfWindow, empty_page);
}

static void
pf_window_init (PfWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
